fn main() { println!("{}", single::greet("single")); }
