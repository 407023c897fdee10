//! JSON: `{ ...meta, "results": [ {column key: value, ...}, ... ] }`.

use serde_json::Value;

use logprof_trace::table::Table;

/// The table as pretty JSON, with the fields of `meta` (an object) beside the
/// `results` rows.
pub fn to_json(table: &Table, meta: &Value) -> String {
    let mut object = match meta {
        Value::Object(map) => map.clone(),
        _ => serde_json::Map::new(),
    };
    object.insert("results".to_owned(), Value::Array(table.to_json_rows()));
    let mut text =
        serde_json::to_string_pretty(&Value::Object(object)).expect("JSON values always serialize");
    text.push('\n');
    text
}
