//! A trace of several processes names each one ([`Trace::process_names`])
//! and carries its metadata into the Chrome JSON file.

use logprof_trace::{Lane, Span, Trace};

fn two_processes() -> Trace {
    Trace {
        names: vec!["work".into()],
        lanes: vec![
            Lane::with_spans(0, 1, "main", [Span::new(0, 0, 10, 0)]),
            Lane::with_spans(1, 1, "main", [Span::new(0, 5, 15, 0)]),
            Lane::with_spans(2, 1, "main", [Span::new(0, 5, 15, 0)]),
        ],
        ..Trace::default()
    }
}

fn process_name_events(json: &str) -> Vec<(u64, String)> {
    let value: serde_json::Value = serde_json::from_str(json).unwrap();
    value["traceEvents"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["name"] == "process_name")
        .map(|e| {
            let name = e["args"]["name"].as_str().unwrap().to_owned();
            (e["pid"].as_u64().unwrap(), name)
        })
        .collect()
}

#[test]
fn each_process_gets_its_own_name_or_the_traces() {
    let mut trace = two_processes();
    trace.process_names.insert(0, "rank 0".into());
    trace.process_names.insert(1, "rank 1".into());
    assert_eq!(
        process_name_events(&trace.to_chrome_json()),
        [(0, "rank 0".into()), (1, "rank 1".into())]
    );
    trace.process_name = Some("all".into());
    let names = process_name_events(&trace.to_chrome_json());
    assert_eq!(names[2], (2, "all".into()));
}

#[test]
fn metadata_is_kept_in_other_data_read_back_and_absent_when_empty() {
    let mut trace = two_processes();
    assert!(!trace.to_chrome_json().contains("\"metadata\""));
    trace
        .metadata
        .insert("mpi".into(), serde_json::json!({"origin_ns": 7}));
    let value: serde_json::Value = serde_json::from_str(&trace.to_chrome_json()).unwrap();
    assert_eq!(
        value["otherData"]["logprof"]["metadata"]["mpi"]["origin_ns"],
        7
    );
    // The file reads back, its metadata with it (a rank's facts survive a
    // conversion to Chrome JSON and back).
    let back = Trace::from_chrome_json_str(&trace.to_chrome_json()).unwrap();
    assert_eq!(back.span_count(), 3);
    assert_eq!(back.metadata, trace.metadata);
    // Our own section with metadata that is not an object: an error that
    // says where, not a trace without it.
    let bad = trace
        .to_chrome_json()
        .replace(r#""metadata":{"mpi":{"origin_ns":7}}"#, r#""metadata":5"#);
    assert_ne!(bad, trace.to_chrome_json());
    let err = Trace::from_chrome_json_str(&bad).unwrap_err().to_string();
    assert!(err.contains("otherData.logprof is malformed"), "{err}");
}
