fn main() {
    log::info!("not printed: no logger");
    println!("{} app", common::msg());
}
