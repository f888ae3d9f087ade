//! A path dependency outside the workspace root.

/// Returns s in capitals.
pub fn shout(s: &str) -> String {
    s.to_uppercase()
}
