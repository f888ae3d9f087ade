fn main() {
    println!("admin");
}
