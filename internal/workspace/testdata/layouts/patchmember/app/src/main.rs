cfg_if::cfg_if! {
    if #[cfg(unix)] {
        fn word() -> &'static str { "real" }
    } else {
        fn word() -> &'static str { "real" }
    }
}

fn main() {
    log::info!("not printed: no logger");
    println!("{} app", word());
}
