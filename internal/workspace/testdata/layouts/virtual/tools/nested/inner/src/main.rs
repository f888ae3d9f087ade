fn main() { println!("{} inner", util::msg()); }
