include!(concat!(env!("OUT_DIR"), "/gen.rs"));

macros::answer_fn!();

cfg_if::cfg_if! {
    if #[cfg(berth_flag)] {
        const FLAG: &str = "on";
    } else {
        const FLAG: &str = "off";
    }
}

#[cfg(feature = "fast")]
fn hasher() -> &'static str {
    let _ = hash::FnvHashMap::<u8, u8>::default();
    "fnv"
}

fn main() {
    println!("real mixed build={} answer={} flag={} hasher={}", BUILD_NUM, answer(), FLAG, hasher());
}
