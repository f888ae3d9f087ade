fn main() { println!("{}", single::greet("extra")); }
