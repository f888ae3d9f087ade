//! Counts words.

/// Returns the number of space-separated words in s.
pub fn count(s: &str) -> usize {
    if s.is_empty() {
        return 0;
    }
    memchr::memchr_iter(b' ', s.as_bytes()).count() + 1
}
