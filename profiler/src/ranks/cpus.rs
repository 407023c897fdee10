//! The CPUs this process may run on (its affinity mask), so that a merged
//! trace can count the cores its ranks had together: mpirun binds each
//! rank to a core or two, so one rank's own count says little about all.

/// The CPU numbers this process may run on, in order; `None` where the
/// system does not say (only Linux is asked).
pub(super) fn allowed() -> Option<Vec<u32>> {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: `set` is a plain bit set that sched_getaffinity fills in,
        // given its true size; pid 0 is this thread, which for the thread
        // that started MPI has the process's mask.
        let set = unsafe {
            let mut set: libc::cpu_set_t = std::mem::zeroed();
            let size = std::mem::size_of::<libc::cpu_set_t>();
            if libc::sched_getaffinity(0, size, &mut set) != 0 {
                return None;
            }
            set
        };
        let cpus: Vec<u32> = (0..libc::CPU_SETSIZE as usize)
            // SAFETY: `cpu` is below CPU_SETSIZE, the set's size in bits.
            .filter(|&cpu| unsafe { libc::CPU_ISSET(cpu, &set) })
            .map(|cpu| cpu as u32)
            .collect();
        (!cpus.is_empty()).then_some(cpus)
    }
    #[cfg(not(target_os = "linux"))]
    {
        None
    }
}

/// The whole CPUs a cgroup quota (`/sys/fs/cgroup/cpu.max`) lets this
/// process's group use, rounded up; `None` without a quota. The ranks of
/// one container share it, whatever their masks say.
pub(super) fn quota() -> Option<u32> {
    let max = std::fs::read_to_string("/sys/fs/cgroup/cpu.max").ok()?;
    let (quota, period) = max.trim().split_once(' ')?;
    let (quota, period): (f64, f64) = (quota.parse().ok()?, period.parse().ok()?);
    // "max 100000" (no quota) does not parse.
    (period > 0.0).then(|| (quota / period).ceil().max(1.0) as u32)
}

/// What a rank tells rank 0: its quota (0 for none), then its CPUs (none
/// when unknown).
pub(super) fn report() -> Vec<u32> {
    let mut out = vec![quota().unwrap_or(0)];
    out.extend(allowed().unwrap_or_default());
    out
}

/// A rank's [`report`] read back: its quota and its CPUs, each when known.
pub(super) fn from_report(report: &[u32]) -> (Option<u32>, Option<Vec<u32>>) {
    let quota = report.first().copied().filter(|&q| q > 0);
    let cpus = report
        .get(1..)
        .filter(|c| !c.is_empty())
        .map(<[u32]>::to_vec);
    (quota, cpus)
}

#[cfg(test)]
mod tests {
    #[test]
    fn this_process_may_run_somewhere() {
        let cpus = super::allowed().expect("Linux says");
        assert!(!cpus.is_empty());
        assert!(cpus.windows(2).all(|w| w[0] < w[1]));
        // The standard library counts the same mask (less a CPU quota).
        let available = std::thread::available_parallelism().unwrap().get();
        assert!(cpus.len() >= available);
    }

    #[test]
    fn a_report_reads_back() {
        assert_eq!(super::from_report(&[0, 0, 1]), (None, Some(vec![0, 1])));
        assert_eq!(super::from_report(&[2]), (Some(2), None));
        assert_eq!(super::from_report(&[]), (None, None));
        let (quota, cpus) = super::from_report(&super::report());
        assert_eq!(quota, super::quota());
        assert_eq!(cpus, super::allowed());
    }
}
