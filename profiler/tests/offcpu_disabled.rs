//! `LOGPROF_OFFCPU=0` turns off-CPU recording off, and the trace says so.
//! (Its own test binary: the variable is read by every recording thread.)

use logprof::OffCpuStatus;

#[test]
fn logprof_offcpu_0_records_none_and_says_so() {
    std::env::set_var("LOGPROF_OFFCPU", "0");
    logprof::init_buffer(1 << 10);
    std::thread::spawn(|| {
        let _s = logprof::scope!("nap");
        std::thread::sleep(std::time::Duration::from_millis(5));
    })
    .join()
    .unwrap();
    let trace = logprof::collect();
    assert_eq!(trace.off_cpu, OffCpuStatus::Disabled);
    assert!(trace.lanes.iter().all(|l| l.off_cpu.is_empty()));
    let s = trace.summary();
    assert!(s.off_cpu.note().unwrap().contains("LOGPROF_OFFCPU=0"));
    // Everything else as without it: busy time is wall-clock busy time.
    assert_eq!(s.lanes[0].on_cpu_busy_ns, s.lanes[0].busy_ns);
    assert!(s.lanes[0].busy_ns >= 5_000_000);
    let back = logprof::Trace::from_chrome_json_str(&trace.to_chrome_json()).unwrap();
    assert_eq!(back.off_cpu, OffCpuStatus::Disabled);
}
