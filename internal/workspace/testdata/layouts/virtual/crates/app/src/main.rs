fn main() { println!("{} app {}", util::msg(), itoa::Buffer::new().format(7)); }
