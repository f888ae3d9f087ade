fn main() { println!("real tiny"); }
