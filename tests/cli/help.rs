//! `--help`, `--version`, and the README's install and test commands.

use crate::support::{ok, stdout};

#[test]
fn help_and_version() {
    let top = stdout(&ok(&["--help"]));
    for cmd in ["compare", "run", "sweep", "render", "report"] {
        assert!(top.contains(cmd), "{top}");
    }
    let compare = stdout(&ok(&["compare", "--help"]));
    for option in [
        "--size",
        "[default: 3000]",
        "--threads",
        "[default: 4]",
        "--kernel",
        "--runs",
        "--out",
        "--export-markdown",
    ] {
        assert!(compare.contains(option), "compare --help mentions {option}");
    }
    let run = stdout(&ok(&["run", "--help"]));
    assert!(
        run.contains("--schedule") && run.contains("--basesize") && run.contains("[default: 2]")
    );
    assert!(stdout(&ok(&["--version"])).contains(env!("CARGO_PKG_VERSION")));
}

#[test]
fn the_readme_says_how_to_install_and_depend() {
    let readme = include_str!("../../README.md");
    assert!(readme.contains("cargo install --path ."));
    assert!(readme.contains("[dependencies]") && readme.contains("logprof = { path"));
    assert!(readme.contains("cargo run --release -- compare"));
    assert!(readme.contains("cargo test --workspace"));
}
