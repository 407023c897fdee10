//! Checks on error messages. Include with
//! `#[path = "support/messages.rs"] mod messages;`.

/// Asserts that `message` contains every one of `words`.
pub fn assert_mentions(message: &str, words: &[&str]) {
    for word in words {
        assert!(
            message.contains(word),
            "expected {word:?} in the message: {message}"
        );
    }
}
