//! A [`Table`] as an HTML `<table>`: the columns people read (as on the
//! terminal and in Markdown), each numeric cell carrying its exact value in
//! `data-sort` so the page's script sorts by number, not by text.

use logprof_trace::table::{Cell, Shown, Table};

use super::escape::escape;

/// The table's shown columns as HTML, under `caption` (escaped here).
pub(crate) fn table_html(caption: &str, table: &Table) -> String {
    let view = table.view();
    let mut out = format!(
        "<table class=\"sortable\">\n<caption>{}</caption>\n<thead><tr>",
        escape(caption)
    );
    for (title, numeric, _) in &view {
        out.push_str(&format!(
            "<th scope=\"col\" tabindex=\"0\"{}>{}</th>",
            align(*numeric),
            escape(title)
        ));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    // The same columns, in the same order, as `Table::view` keeps.
    let shown: Vec<usize> = (0..table.columns.len())
        .filter(|&i| table.columns[i].shown != Shown::AsData)
        .collect();
    for row in &table.rows {
        out.push_str("<tr>");
        for (&i, (_, numeric, _)) in shown.iter().zip(&view) {
            out.push_str(&cell_html(&row[i], *numeric));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
    out
}

fn align(numeric: bool) -> &'static str {
    if numeric {
        " class=\"num\""
    } else {
        ""
    }
}

/// One cell as people read it; a number also as its exact value to sort on.
fn cell_html(cell: &Cell, numeric: bool) -> String {
    let sort = match cell {
        Cell::Int(_) | Cell::Float { .. } | Cell::Percent(_) => {
            format!(" data-sort=\"{}\"", escape(&cell.raw()))
        }
        _ => String::new(),
    };
    format!(
        "<td{}{sort}>{}</td>",
        align(numeric),
        escape(&cell.display())
    )
}

#[cfg(test)]
mod tests {
    use logprof_trace::table::{Cell, Column, Table};

    use super::table_html;

    #[test]
    fn shown_columns_only_with_exact_values_to_sort_on() {
        let mut t = Table::with_columns(vec![
            Column::new("name", "name"),
            Column::data("mean_ms"),
            Column::new("load_balance", "load balance"),
        ]);
        t.push(vec![
            Cell::from("a<b & \"c\""),
            Cell::float(1.5, 3),
            Cell::Percent(0.6189),
        ]);
        let html = table_html("per <thread>", &t);
        assert!(
            html.contains("<caption>per &lt;thread&gt;</caption>"),
            "{html}"
        );
        assert!(
            html.contains("<td>a&lt;b &amp; &quot;c&quot;</td>"),
            "{html}"
        );
        assert!(html.contains("data-sort=\"0.6189\">61.9 %</td>"), "{html}");
        assert!(!html.contains("mean_ms"), "{html}");
    }
}
