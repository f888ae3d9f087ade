pub fn msg() -> String { format!("real util {}", itoa::Buffer::new().format(1)) }
