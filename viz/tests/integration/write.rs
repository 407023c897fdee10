//! Writing files: the bytes on disk are the rendered ones, and a failed
//! write names the path and leaves nothing behind.

use crate::common;
use logprof_viz::{Figure, LineChart, Series, Timeline, VizError};

#[test]
fn written_svg_is_the_rendered_svg() {
    let trace = common::static_like();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.svg");
    let timeline = Timeline::new(&trace);
    timeline.write_svg(&path).unwrap();
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        timeline.to_svg_string().unwrap()
    );
    // Only the file itself: no temporary left over.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn unwritable_paths_give_errors_naming_them_and_leave_nothing() {
    let trace = common::static_like();
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-such-dir").join("t.png");
    let chart = LineChart {
        series: vec![Series::new("a", vec![(1.0, 1.0), (2.0, 2.0)])],
        ..LineChart::new("c", "x", "y")
    };
    let results: Vec<Result<(), VizError>> = vec![
        Timeline::new(&trace).write_png(&missing),
        Timeline::new(&trace).write_svg(&missing),
        Figure::new().add("a", &trace).write_png(&missing),
        chart.write_svg(&missing),
        chart.write_png(&missing),
    ];
    for r in results {
        let e = r.unwrap_err();
        assert!(matches!(e, VizError::Write { .. }), "{e:?}");
        assert!(
            e.to_string().contains(&missing.display().to_string()),
            "{e}"
        );
        assert!(std::error::Error::source(&e).is_some());
    }
    assert!(!missing.exists());

    // A path that is a directory: the rename fails, the temporary goes.
    let is_dir = dir.path().join("taken");
    std::fs::create_dir(&is_dir).unwrap();
    let e = Timeline::new(&trace).write_png(&is_dir).unwrap_err();
    assert!(e.to_string().contains("taken"), "{e}");
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["taken"], "no half-written file left behind");
}

#[test]
fn a_failed_render_leaves_an_existing_file_alone() {
    let trace = common::static_like();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keep.png");
    std::fs::write(&path, b"old").unwrap();
    let e = Timeline::new(&trace)
        .width(10)
        .write_png(&path)
        .unwrap_err();
    assert!(matches!(e, VizError::InvalidOption { .. }));
    assert_eq!(std::fs::read(&path).unwrap(), b"old");
}
