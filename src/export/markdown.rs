//! Markdown tables.

use crate::table::Table;

/// The table as a GitHub-flavoured Markdown table; numeric columns are
/// right-aligned.
pub fn to_markdown(table: &Table) -> String {
    let mut out = String::new();
    let header: Vec<&str> = table.columns.iter().map(|(_, title)| *title).collect();
    out.push_str(&format!("| {} |\n", header.join(" | ")));
    let rule: Vec<&str> = (0..table.columns.len())
        .map(|i| {
            if table.is_numeric_column(i) {
                "---:"
            } else {
                ":---"
            }
        })
        .collect();
    out.push_str(&format!("|{}|\n", rule.join("|")));
    for row in &table.rows {
        let cells: Vec<String> = row
            .iter()
            .map(|c| c.display().replace('|', "\\|"))
            .collect();
        out.push_str(&format!("| {} |\n", cells.join(" | ")));
    }
    out
}
