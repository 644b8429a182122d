//! The dossier as Markdown (GitHub's flavour: tables, a `mermaid` block).

use std::fmt::Write;

use super::{Dossier, SECTIONS, money_row, picture, row_details};

/// Text safe in a Markdown table cell or list item: `|` escaped, lines joined.
fn cell(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace(['\n', '\r'], " ")
}

pub(super) fn write(d: &Dossier) -> String {
    let g = d.graph;
    let mut s = String::new();
    let _ = writeln!(s, "# {}\n", cell(d.name()));
    if let Some(f) = d.filter_text() {
        let _ = writeln!(s, "_View: {}._\n", cell(&f));
    }

    let _ = writeln!(s, "## {}\n", SECTIONS[0]);
    let _ = writeln!(s, "| | |\n|---|---|");
    for (label, value) in &d.card {
        let _ = writeln!(s, "| {} | {} |", cell(label), cell(value));
    }
    let datasets = d.datasets();
    if !datasets.is_empty() {
        let _ = writeln!(s, "| Datasets | {} |", cell(&datasets.join(", ")));
    }
    s.push('\n');

    let _ = writeln!(s, "## {}\n", SECTIONS[1]);
    if d.notes.is_empty() {
        s.push_str("No notes or tags.\n\n");
    }
    for (t, notes, tags) in &d.notes {
        let _ = write!(s, "**On {}**", cell(&t.describe(g)));
        if !tags.is_empty() {
            let tags: Vec<String> = tags.iter().map(|t| format!("`#{t}`")).collect();
            let _ = write!(s, " {}", tags.join(" "));
        }
        s.push_str("\n\n");
        for n in notes {
            let _ = writeln!(
                s,
                "- {} ({}{}): {}",
                cell(&n.author),
                n.time,
                n.edited
                    .as_ref()
                    .map(|t| format!(", edited {t}"))
                    .unwrap_or_default(),
                cell(&n.text)
            );
        }
        s.push('\n');
    }

    let _ = writeln!(s, "## {}\n", SECTIONS[2]);
    if d.relations.is_empty() {
        s.push_str("None in this view.\n\n");
    }
    for (kind, rows) in &d.relations {
        let _ = writeln!(s, "### {} ({})\n", cell(kind), rows.len());
        for r in rows {
            let details = row_details(r);
            let _ = write!(s, "- {} {}", r.arrow, cell(&r.other));
            if !details.is_empty() {
                let _ = write!(s, " — {}", cell(&details));
            }
            if !r.sources.is_empty() {
                let _ = write!(s, " [{}]", cell(&r.sources.join(", ")));
            }
            s.push('\n');
            if let Some(n) = &r.note {
                let _ = writeln!(s, "  - {}", cell(n));
            }
        }
        s.push('\n');
    }
    if d.hidden > 0 {
        let _ = writeln!(s, "{} more outside this view.\n", d.hidden);
    }

    let _ = writeln!(s, "## {}\n", SECTIONS[3]);
    let lines = d.money_lines();
    if lines.is_empty() {
        s.push_str("No money in this view.\n\n");
    } else {
        let _ = writeln!(
            s,
            "| Date | Way | Counterparty | Amount | Stage |\n|---|---|---|---:|---|"
        );
        for l in lines {
            let [a, b, c, e, f] = money_row(g, l);
            let _ = writeln!(s, "| {a} | {b} | {} | {e} | {f} |", cell(&c));
        }
        s.push('\n');
        let totals = d.money_totals();
        if !totals.is_empty() {
            s.push_str("Totals (dated amounts in the window; currencies and stages never added together):\n\n");
            for (way, stage, total) in totals {
                let _ = writeln!(s, "- {way}, {}: {total}", stage.label());
            }
            s.push('\n');
        }
    }

    let _ = writeln!(s, "## {}\n", SECTIONS[4]);
    if d.timeline.is_empty() {
        s.push_str("Nothing dated in this view.\n\n");
    } else {
        let _ = writeln!(s, "| When | What | Who |\n|---|---|---|");
        for item in &d.timeline {
            let _ = writeln!(
                s,
                "| {} | {} | {} |",
                item.when(g),
                cell(&item.what(g)),
                cell(&item.who(g))
            );
        }
        s.push('\n');
    }

    let _ = writeln!(s, "## {}\n", SECTIONS[5]);
    if d.sources.is_empty() {
        s.push_str("No source given.\n\n");
    }
    for &id in &d.sources {
        let src = g.source(id);
        let title = [&*src.outlet, &*src.title]
            .into_iter()
            .filter(|t| !t.is_empty())
            .collect::<Vec<_>>()
            .join(" — ");
        let date = src.published.map(|p| format!(" ({p})")).unwrap_or_default();
        match &src.url {
            Some(url) => {
                let _ = writeln!(s, "- `{}` [{}]({}){date}", src.id, cell(&title), url);
            }
            None => {
                let file = if src.file.is_empty() {
                    String::new()
                } else {
                    format!(" — file `{}`", src.file)
                };
                let _ = writeln!(s, "- `{}` {}{date}{file}", src.id, cell(&title));
            }
        }
    }
    s.push('\n');

    let _ = writeln!(s, "## {}\n", SECTIONS[6]);
    let sub = picture::trimmed(g, d.node, &d.sub);
    let _ = writeln!(s, "```mermaid\n{}```", crate::export::to_mermaid(g, &sub));
    s
}
