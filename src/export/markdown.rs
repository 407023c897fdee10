//! Markdown tables.

use logprof_trace::table::Table;

/// The table's shown columns as a GitHub-flavoured Markdown table; numeric
/// columns are right-aligned.
pub fn to_markdown(table: &Table) -> String {
    let view = table.view();
    let mut out = String::new();
    let header: Vec<&str> = view.iter().map(|(title, _, _)| *title).collect();
    out.push_str(&format!("| {} |\n", header.join(" | ")));
    let rule: Vec<&str> = view
        .iter()
        .map(|(_, numeric, _)| if *numeric { "---:" } else { ":---" })
        .collect();
    out.push_str(&format!("|{}|\n", rule.join("|")));
    for r in 0..table.rows.len() {
        let cells: Vec<String> = view
            .iter()
            .map(|(_, _, cells)| cells[r].replace('|', "\\|"))
            .collect();
        out.push_str(&format!("| {} |\n", cells.join(" | ")));
    }
    out
}
