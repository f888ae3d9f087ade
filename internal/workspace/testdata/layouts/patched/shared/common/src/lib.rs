pub fn msg() -> &'static str { "real common" }
