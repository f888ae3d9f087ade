fn main() { println!("{}", noversion::msg()); }
