pub fn msg() -> &'static str { "real noversion" }
