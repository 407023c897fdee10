//! Run-time switches: recording on or off, and name filters.
//!
//! Each call site caches whether it is interested (enabled and passing the
//! filters) together with the filter *generation* it decided under. Any
//! change here bumps the generation, so every call site re-decides once, on
//! its next use; in between, the hot path pays one load and a compare.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Mutex;

/// Bumped by every change of the switches; starts at 1 so a fresh call site
/// (generation 0) always decides on first use.
pub(crate) static GENERATION: AtomicU32 = AtomicU32::new(1);

struct Filters {
    enabled: bool,
    allow: Vec<String>,
    deny: Vec<String>,
}

static FILTERS: Mutex<Filters> = Mutex::new(Filters {
    enabled: true,
    allow: Vec::new(),
    deny: Vec::new(),
});

fn change(f: impl FnOnce(&mut Filters)) {
    let _cold = crate::reentry::ColdGuard::enter();
    let mut filters = FILTERS.lock().unwrap_or_else(|e| e.into_inner());
    f(&mut filters);
    GENERATION.fetch_add(1, Ordering::Release);
}

/// Turns all recording on or off. While off, every call site costs a load and
/// a branch, and records nothing.
pub fn set_enabled(enabled: bool) {
    change(|f| f.enabled = enabled);
}

/// Whether recording is on.
pub fn is_enabled() -> bool {
    let _cold = crate::reentry::ColdGuard::enter();
    FILTERS.lock().unwrap_or_else(|e| e.into_inner()).enabled
}

/// Records only names matching `pattern` (and any other allowed pattern).
/// `*` matches any run of characters: `allow("juliaset_*")`. Once anything is
/// allowed, everything not allowed is denied.
pub fn allow(pattern: &str) {
    let pattern = pattern.to_owned();
    change(|f| f.allow.push(pattern));
}

/// Never records names matching `pattern` (`*` globs), whatever is allowed.
pub fn deny(pattern: &str) {
    let pattern = pattern.to_owned();
    change(|f| f.deny.push(pattern));
}

/// Removes every allow and deny pattern (recording stays on or off as it was).
pub fn reset_filters() {
    change(|f| {
        f.allow.clear();
        f.deny.clear();
    });
}

/// Whether a call site named `name` records now.
pub(crate) fn interested(name: &str) -> bool {
    let filters = FILTERS.lock().unwrap_or_else(|e| e.into_inner());
    filters.enabled
        && (filters.allow.is_empty() || filters.allow.iter().any(|p| glob_match(p, name)))
        && !filters.deny.iter().any(|p| glob_match(p, name))
}

/// `*`-only glob matching, whole string.
pub(crate) fn glob_match(pattern: &str, text: &str) -> bool {
    let mut parts = pattern.split('*');
    let first = parts.next().unwrap_or("");
    let Some(mut rest) = text.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    let Some((last, middle)) = parts.split_last() else {
        return rest.is_empty(); // no `*` at all: exact match
    };
    for part in middle {
        match rest.find(part) {
            Some(i) => rest = &rest[i + part.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

#[cfg(test)]
mod tests {
    use super::glob_match;

    #[test]
    fn globs() {
        assert!(glob_match("juliaset_*", "juliaset_column"));
        assert!(!glob_match("juliaset_*", "xjuliaset_column"));
        assert!(glob_match("*column", "juliaset_column"));
        assert!(glob_match("*", ""));
        assert!(glob_match("a*b*c", "aXXbYYc"));
        assert!(!glob_match("a*b*c", "aXXcYYb"));
        assert!(glob_match("exact", "exact"));
        assert!(!glob_match("exact", "exactly"));
        assert!(!glob_match("ab*ba", "aba"));
        assert!(glob_match("kernels::*", "kernels::column"));
    }
}
