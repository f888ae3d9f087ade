fn main() { println!("{}", single::greet("tool")); }
