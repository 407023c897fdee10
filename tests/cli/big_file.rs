//! Big `.lpt` files: `report` and `render` read them in one pass (by size,
//! `LOGPROF_STREAM_ABOVE`, or `--stream`) and say so; `report`'s figures
//! and tables are those of reading the file whole; `render` draws spans
//! merged per pixel column; `simulate TRACE` refuses such a file, and
//! `--stream` on a file that is not `.lpt`, `--html` and spans out of order
//! are errors that say what to do.

use logprof_trace::{Lane, OffCpu, OffCpuKind, OffCpuStatus, Span, Trace};

use crate::support::{command, fails, ok, path_str, stderr, stdout};

/// Three lanes of iterations of nested calls (one recursive, one waiting
/// on a lock), off-CPU intervals with cores, a lane that does less.
fn nested_trace() -> Trace {
    let mut trace = Trace::new();
    let (it, step, kernel, lock) = (
        trace.intern("iteration"),
        trace.intern("step"),
        trace.intern("kernel"),
        trace.intern("lock"),
    );
    trace.mark_wait(lock);
    for l in 0..3u64 {
        let mut lane = Lane::new(1, 10 + l, format!("worker-{l}"));
        lane.start_cpu = Some(l as u32);
        let mut t = 100 + l * 3;
        for i in 0..(2_000 - l * 400) {
            let start = t;
            lane.spans.push(Span::new(it, t, 0, 0));
            let at = lane.spans.len() - 1;
            t += 2;
            for c in 0..6u64 {
                let len = 30 + (i * 7 + c * 13 + l) % 50;
                lane.spans.push(Span::new(step, t, t + len, 1));
                let name = if c == 5 { lock } else { kernel };
                lane.spans.push(Span::new(name, t + 1, t + len - 1, 2));
                if c == 0 {
                    lane.spans.push(Span::new(name, t + 2, t + 10, 3));
                }
                t += len + 1;
            }
            lane.spans[at].end_ns = t;
            if i % 50 == 0 {
                lane.off_cpu.push(OffCpu {
                    cpu: Some(((l + i) % 2) as u32),
                    ..OffCpu::new(start + 5, start + 60, OffCpuKind::Preempted)
                });
            }
            t += 4;
        }
        trace.lanes.push(lane);
    }
    trace.off_cpu = OffCpuStatus::Recorded { lost_switches: 0 };
    trace.cores = Some(2);
    trace
}

/// `report` of `path` with `args`, `LOGPROF_STREAM_ABOVE` set to `limit`.
fn report(path: &str, args: &[&str], limit: Option<&str>) -> String {
    let mut cmd = command();
    cmd.args(["report", path, "--regions", "0", "--top", "20"])
        .args(args);
    if let Some(limit) = limit {
        cmd.env("LOGPROF_STREAM_ABOVE", limit);
    }
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    stdout(&out)
}

#[test]
fn report_in_one_pass_prints_the_whole_files_figures_and_says_how() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.lpt");
    nested_trace().write_lpt(&path).unwrap();
    let p = path_str(&path);
    let whole = report(p, &["--whole"], Some("1"));
    let streamed = report(p, &["--stream"], None);
    assert!(
        streamed.contains("read in one pass, chunk by chunk"),
        "{streamed}"
    );
    assert!(!whole.contains("read in one pass"), "{whole}");
    // Less the line that says how, and the one figure that needs every
    // lane at once, the same text: headline, threads, functions (calls,
    // total, self).
    assert!(streamed.contains("left out: placement loss"), "{streamed}");
    let without: String = streamed
        .lines()
        .filter(|l| !l.starts_with("read in one pass") && !l.starts_with("left out: placement"))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_eq!(without, whole);
    assert!(
        whole.contains("kernel") && whole.contains("lock"),
        "{whole}"
    );
    // By size: above LOGPROF_STREAM_ABOVE bytes, read in one pass, and the
    // regions said to be left out.
    let mut cmd = command();
    let out = cmd
        .args(["report", p])
        .env("LOGPROF_STREAM_ABOVE", "1000")
        .output()
        .unwrap();
    let text = stdout(&out);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(text.contains("above 1000 bytes"), "{text}");
    assert!(
        text.contains("left out: where the time goes (regions"),
        "{text}"
    );
    // Below it, read whole: the regions are there.
    let text = stdout(&ok(&["report", p]));
    assert!(text.contains("where the time goes"), "{text}");
    assert!(!text.contains("left out"), "{text}");
}

#[test]
fn render_in_one_pass_draws_svg_and_png_merged_per_pixel() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.lpt");
    nested_trace().write_lpt(&path).unwrap();
    let (svg, png) = (dir.path().join("big.svg"), dir.path().join("big.png"));
    let out = ok(&[
        "render",
        path_str(&path),
        "--stream",
        "--svg",
        path_str(&svg),
        "--png",
        path_str(&png),
        "--width",
        "800",
    ]);
    let text = stdout(&out);
    assert!(text.contains("merged per pixel column"), "{text}");
    let drawn = std::fs::read_to_string(&svg).unwrap();
    assert!(drawn.contains("worker-2") && drawn.contains("kernel"));
    assert!(std::fs::metadata(&png).unwrap().len() > 1000);
    // The legend counts the file's calls, not the merged bars'.
    let calls = Trace::read_lpt(&path)
        .unwrap()
        .summary()
        .functions
        .iter()
        .find(|f| f.name == "kernel")
        .unwrap()
        .calls;
    let calls = format!("{calls}");
    let grouped: String = calls
        .as_bytes()
        .rchunks(3)
        .rev()
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect::<Vec<_>>()
        .join(",");
    assert!(
        drawn.contains(&format!("{grouped} calls")) || drawn.contains(&format!("{calls} calls")),
        "kernel's {calls} calls not in the legend"
    );
}

#[test]
fn what_cannot_be_read_in_one_pass_is_an_error_saying_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.lpt");
    nested_trace().write_lpt(&path).unwrap();
    let p = path_str(&path);
    // simulate TRACE needs the spans: refused by size.
    let out = command()
        .args(["simulate", p, "--out"])
        .arg(dir.path().join("sim"))
        .env("LOGPROF_STREAM_ABOVE", "1000")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("big.lpt") && err.contains("record fewer iterations"),
        "{err}"
    );
    assert!(!dir.path().join("sim").exists());
    // --stream reads .lpt only.
    let json = dir.path().join("t.json");
    std::fs::write(
        &json,
        r#"[{"name":"a","ph":"X","ts":0,"dur":1,"pid":1,"tid":1}]"#,
    )
    .unwrap();
    fails(&["report", path_str(&json), "--stream"], "logprof convert");
    // --html draws every span.
    let html = dir.path().join("r.html");
    fails(
        &["report", p, "--stream", "--html", path_str(&html)],
        "--html",
    );
    assert!(!html.exists());
    // A file whose spans are in the order they ended.
    let mut trace = Trace::new();
    let f = trace.intern("f");
    let mut lane = Lane::new(1, 1, "main");
    lane.spans = vec![Span::new(f, 10, 20, 1), Span::new(f, 0, 100, 0)];
    trace.lanes.push(lane);
    let unordered = dir.path().join("unordered.lpt");
    trace.write_lpt(&unordered).unwrap();
    fails(&["report", path_str(&unordered), "--stream"], "--whole");
    // A bad limit.
    let out = command()
        .args(["report", p])
        .env("LOGPROF_STREAM_ABOVE", "lots")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(stderr(&out).contains("LOGPROF_STREAM_ABOVE=lots"));
}

/// A file written while recording holds each call after those it made;
/// one whose top-level call, still open, made more calls than a pass holds
/// back is refused in one pass, naming the lane and the way out, and read
/// whole.
#[test]
fn a_streamed_file_too_deep_for_one_pass_says_to_read_it_whole() {
    use logprof_trace::compact::{LptWriter, FLAG_STREAMED};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("deep.lpt");
    let file = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    let mut w = LptWriter::new(file, FLAG_STREAMED).unwrap();
    w.names(&["main", "work"]).unwrap();
    let lane = w.lane(1, 7, "driver", None).unwrap();
    // 1 Mi + 1 calls of `work` inside `main`, in the order they ended.
    let calls = (1u64 << 20) + 1;
    let work: Vec<Span> = (0..calls)
        .map(|i| Span::new(1, 10 + 3 * i, 12 + 3 * i, 1))
        .collect();
    w.spans(lane, &work).unwrap();
    w.spans(lane, &[Span::new(0, 0, 20 + 3 * calls, 0)])
        .unwrap();
    w.finish(&Trace::new()).unwrap();
    let p = path_str(&path);
    let out = command().args(["report", p, "--stream"]).output().unwrap();
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("deep.lpt") && err.contains("lane 0 (driver)") && err.contains("--whole"),
        "{err}"
    );
    // Read whole, it is reported.
    let whole = report(p, &["--whole"], None);
    assert!(whole.contains("work"), "{whole}");
}
