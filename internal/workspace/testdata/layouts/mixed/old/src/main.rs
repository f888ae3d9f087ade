fn main() { println!("real old"); }
