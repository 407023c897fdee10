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
fn help_says_what_each_schedule_is() {
    for command in ["compare", "run", "simulate"] {
        let help = stdout(&ok(&[command, "--help"]));
        for name in logprof_kernels::Schedule::NAMES {
            assert!(
                help.lines()
                    .any(|l| l.trim_start().starts_with(&format!("{name} "))),
                "{command} --help describes {name}:\n{help}"
            );
        }
        // The one most often misread: equal blocks on demand, Julia's.
        assert!(help.contains("demand from a shared counter"), "{help}");
        assert!(help.contains("(Julia's `@threads :dynamic`)"), "{help}");
    }
    let docs = include_str!("../../docs/compare.md");
    for name in logprof_kernels::Schedule::NAMES {
        assert!(
            docs.contains(&format!("| `{name}`")),
            "docs/compare.md describes {name}"
        );
    }
}

#[test]
fn the_readme_says_how_to_install_and_depend() {
    let readme = include_str!("../../README.md");
    assert!(readme.contains("cargo install --path ."));
    assert!(readme.contains("[dependencies]") && readme.contains("logprof = { path"));
    assert!(readme.contains("cargo run --release -- compare"));
    assert!(readme.contains("cargo test --workspace"));
}
