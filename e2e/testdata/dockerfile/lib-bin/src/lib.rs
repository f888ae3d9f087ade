//! Formats the greeting the binary prints.

/// Returns a JSON object with the message and a count.
pub fn greeting(message: &str, count: u64) -> String {
    let mut buf = itoa::Buffer::new();
    serde_json::json!({ "message": message, "count": buf.format(count) }).to_string()
}
