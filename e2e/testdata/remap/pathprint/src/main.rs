// The binary holds the path of a dependency's source: whereami's file!()
// and its panic location, where rustc wrote them.
fn main() {
    let n = std::env::args().count() as u32;
    println!("{} {}", whereami::location(), whereami::count(n));
    // A test's .cargo/config.toml may set it: the user's rustflags must
    // reach rustc beside berth's.
    if cfg!(berth_cfg) {
        println!("berth_cfg on");
    }
}
