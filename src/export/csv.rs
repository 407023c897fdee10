//! CSV (RFC 4180): a header of column keys, full-precision numbers.

use logprof_trace::table::Table;

fn field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

/// The table's data columns as CSV.
pub fn to_csv(table: &Table) -> String {
    let mut out = String::new();
    let header: Vec<String> = table.data_keys().into_iter().map(field).collect();
    out.push_str(&header.join(","));
    out.push('\n');
    for row in &table.rows {
        let cells: Vec<String> = table.data_cells(row).map(|c| field(&c.raw())).collect();
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    out
}
