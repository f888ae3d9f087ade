#[no_mangle] pub extern "C" fn real_answer() -> i32 { 42 }
