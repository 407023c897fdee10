//! Helpers shared by the modules of this test binary.

pub mod messages;

use proptest::test_runner::{Config, FileFailurePersistence};

/// `config`, keeping the cases that failed beside the test's source file
/// (`tests/reading/<module>.proptest-regressions`). proptest's default
/// would put them in a `proptest-regressions` folder beside the folder of
/// `main.rs`, away from the module that found them.
pub fn failures_beside_source(config: Config) -> Config {
    Config {
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource(
            "proptest-regressions",
        ))),
        ..config
    }
}
