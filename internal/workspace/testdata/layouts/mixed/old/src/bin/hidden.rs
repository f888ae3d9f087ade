fn main() { println!("hidden by the 2015 rule"); }
