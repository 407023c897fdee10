//! The processes a command starts (`mpirun`, and through it the ranks),
//! ended by their process ids when the command ends early: on an interrupt,
//! an error, or a failed rank. Nothing is left running.
//!
//! Open MPI puts each rank in a process group of its own, so a signal to
//! `mpirun`'s group misses them: who descends from whom is read from
//! `/proc` instead. `mpirun` is asked first (SIGTERM: it ends its ranks
//! itself), then whatever is still there after [`GRACE`] is killed
//! (SIGKILL), each process by its id, checked against its start time so a
//! reused id is never hit. This process is made the "child subreaper" of
//! what it starts ([`adopt_orphans`]), so a rank whose `mpirun` died is
//! still found, as its child.

use std::time::{Duration, Instant};

/// How long `mpirun` has to end its ranks before everything left is killed.
pub const GRACE: Duration = Duration::from_secs(5);

/// One process as `/proc/<pid>/stat` tells it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Proc {
    pid: i32,
    ppid: i32,
    /// Clock ticks after boot: with the pid, names one process for good.
    start: u64,
    zombie: bool,
}

/// Reads `/proc/<pid>/stat`'s `pid (comm) state ppid ... starttime ...`;
/// the name may hold spaces and parentheses, so fields count from the last
/// `)`.
fn parse_stat(text: &str) -> Option<Proc> {
    let (head, rest) = text.rsplit_once(')')?;
    let pid = head.split_once('(')?.0.trim().parse().ok()?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    Some(Proc {
        pid,
        zombie: *fields.first()? == "Z",
        ppid: fields.get(1)?.parse().ok()?,
        start: fields.get(19)?.parse().ok()?,
    })
}

fn stat(pid: i32) -> Option<Proc> {
    parse_stat(&std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?)
}

/// Every process on the machine (none where there is no `/proc`).
fn processes() -> Vec<Proc> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse().ok())
        .filter_map(stat)
        .collect()
}

/// `root` and every process below it, parents before their children.
fn family(root: i32) -> Vec<Proc> {
    let all = processes();
    let mut found: Vec<Proc> = all.iter().filter(|p| p.pid == root).copied().collect();
    let mut next = 0;
    while next < found.len() {
        let parent = found[next].pid;
        found.extend(all.iter().filter(|p| p.ppid == parent && p.pid != root));
        next += 1;
    }
    found
}

/// Whether `p` still runs: the same process (same start) and not a zombie.
fn running(p: &Proc) -> bool {
    stat(p.pid).is_some_and(|now| now.start == p.start && !now.zombie)
}

#[cfg(unix)]
fn signal(pid: i32, signal: nix::sys::signal::Signal) {
    let _ = nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), signal);
}

/// Ends `root` and every process below it: SIGTERM to `root`, then, after
/// up to [`GRACE`], SIGKILL to each one still running; and those that
/// appeared meanwhile.
pub fn end_tree(root: i32) {
    end_tree_within(root, GRACE);
}

fn end_tree_within(root: i32, grace: Duration) {
    #[cfg(unix)]
    {
        use nix::sys::signal::Signal;
        let mut seen = family(root);
        if seen.is_empty() {
            return;
        }
        signal(root, Signal::SIGTERM);
        let deadline = Instant::now() + grace;
        while seen.iter().any(running) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        // Those started after the first look, then every one left.
        for p in family(root) {
            if !seen.contains(&p) {
                seen.push(p);
            }
        }
        for p in seen.iter().filter(|p| running(p)) {
            signal(p.pid, Signal::SIGKILL);
        }
    }
    #[cfg(not(unix))]
    let _ = (root, grace);
}

/// Ends every process this one started, and theirs (their orphans are this
/// process's children: see [`adopt_orphans`]).
pub fn end_all() {
    let me = std::process::id() as i32;
    let children: Vec<i32> = processes()
        .into_iter()
        .filter(|p| p.ppid == me && !p.zombie)
        .map(|p| p.pid)
        .collect();
    std::thread::scope(|s| {
        for child in children {
            s.spawn(move || end_tree(child));
        }
    });
}

/// Makes this process the parent of the orphans of what it starts (Linux's
/// child subreaper): a rank whose `mpirun` died is then its child, which
/// [`end_all`] finds, instead of init's.
pub fn adopt_orphans() {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    let _ = nix::sys::prctl::set_child_subreaper(true);
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::{Command, Stdio};

    #[test]
    fn a_stat_line_is_read_from_its_last_parenthesis() {
        let line = "4242 (a (b) c) S 17 4242 4242 0 -1 4194560 96 0 0 0 0 0 0 0 20 0 1 0 \
                    123456 2768896 224 18446744073709551615";
        assert_eq!(
            parse_stat(line),
            Some(Proc {
                pid: 4242,
                ppid: 17,
                start: 123456,
                zombie: false
            })
        );
        let zombie = "7 (x) Z 1 7 7 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 99 0 0";
        assert_eq!(parse_stat(zombie).map(|p| p.zombie), Some(true));
        assert_eq!(parse_stat("garbage"), None);
    }

    /// A shell with two sleeps below it, each in a process group of its
    /// own (as Open MPI's ranks are), and one ignoring SIGTERM: every one
    /// is ended.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_tree_is_ended_whole_by_its_ids() {
        use std::os::unix::process::CommandExt;
        let mut shell = Command::new("sh")
            .args([
                "-c",
                "setsid sleep 600 & (trap '' TERM; exec setsid sleep 601) & wait",
            ])
            .process_group(0)
            .stdin(Stdio::null())
            .spawn()
            .expect("sh runs");
        let root = shell.id() as i32;
        let deadline = Instant::now() + Duration::from_secs(30);
        let mut below = Vec::new();
        while below.len() < 2 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
            below = family(root).into_iter().skip(1).collect();
        }
        assert_eq!(below.len(), 2, "two sleeps below the shell: {below:?}");
        end_tree_within(root, Duration::from_millis(300));
        let _ = shell.wait();
        let deadline = Instant::now() + Duration::from_secs(10);
        while below.iter().any(running) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        assert!(!below.iter().any(running), "left running: {below:?}");
    }
}
