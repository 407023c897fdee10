//! Checks on error messages. Shared with the recording tests of `logprof`,
//! which include this file by its path.

/// Asserts that `message` contains every one of `words`.
pub fn assert_mentions(message: &str, words: &[&str]) {
    for word in words {
        assert!(
            message.contains(word),
            "expected {word:?} in the message: {message}"
        );
    }
}
