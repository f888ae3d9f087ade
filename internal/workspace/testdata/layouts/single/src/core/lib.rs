pub fn greet(who: &str) -> String {
    let mut buf = itoa::Buffer::new();
    format!("real {} {}", who, buf.format(42))
}
