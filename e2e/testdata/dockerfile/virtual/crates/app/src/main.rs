const MESSAGE: &str = "hello from the virtual workspace";

fn main() {
    let mut buf = itoa::Buffer::new();
    println!("{} ({} words)", MESSAGE, buf.format(words::count(MESSAGE)));
}
