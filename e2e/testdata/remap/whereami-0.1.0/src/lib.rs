//! Embeds the path of its own source: file!() and a panic location.

/// The path rustc gave this file.
pub fn location() -> &'static str {
    file!()
}

/// n in decimal; panics (with this file's path) past 1000.
pub fn count(n: u32) -> String {
    if n > 1000 {
        panic!("too many arguments: {n}");
    }
    itoa::Buffer::new().format(n).to_owned()
}
