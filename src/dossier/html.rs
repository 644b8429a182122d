//! The dossier as one self-contained HTML file: inline CSS (with print rules:
//! A4 margins, no page break inside a row or the picture), an inline SVG, no
//! script and no external asset.

use std::fmt::Write;

use super::{Dossier, SECTIONS, money_row, picture, row_details};

/// Text safe in HTML content and attribute values.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A link only for web addresses: anything else is shown as text.
fn link(url: &str, text: &str) -> String {
    let lower = url.trim().to_ascii_lowercase();
    if lower.starts_with("https://") || lower.starts_with("http://") {
        format!("<a href=\"{}\">{}</a>", esc(url.trim()), esc(text))
    } else {
        format!("{} &lt;{}&gt;", esc(text), esc(url))
    }
}

const CSS: &str = "
body { font: 15px/1.45 system-ui, -apple-system, 'Segoe UI', sans-serif; color: #111; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; }
h1 { font-size: 1.8rem; margin-bottom: .2rem; }
h2 { font-size: 1.25rem; border-bottom: 1px solid #bbb; margin-top: 2rem; }
h3 { font-size: 1rem; margin: 1rem 0 .3rem; }
table { border-collapse: collapse; width: 100%; margin: .4rem 0 1rem; }
th, td { text-align: left; vertical-align: top; padding: .2rem .5rem; border-bottom: 1px solid #ddd; }
td.num { text-align: right; white-space: nowrap; }
.muted { color: #555; }
.tag { display: inline-block; border: 1px solid #888; border-radius: .6rem; padding: 0 .45rem; margin-right: .25rem; font-size: .85rem; }
.note { border-left: 3px solid #d4a017; padding: .2rem .6rem; margin: .4rem 0; white-space: pre-wrap; }
.picture svg { display: block; max-width: 100%; max-height: 90vh; width: auto; height: auto; }
@page { size: A4; margin: 15mm; }
@media print {
  body { margin: 0; max-width: none; font-size: 11pt; }
  a { color: inherit; }
  a[href]::after { content: ' (' attr(href) ')'; font-size: .8em; word-break: break-all; }
  tr, .note, .picture { break-inside: avoid; }
  .picture svg { max-height: 24cm; }
  h2, h3 { break-after: avoid; }
}
";

pub(super) fn write(d: &Dossier) -> String {
    let g = d.graph;
    let mut s = String::new();
    let _ = write!(
        s,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{} — dossier</title>\n<style>{CSS}</style>\n</head>\n<body>\n",
        esc(d.name())
    );
    let _ = writeln!(s, "<h1>{}</h1>", esc(d.name()));
    if let Some(f) = d.filter_text() {
        let _ = writeln!(s, "<p class=\"muted\">View: {}.</p>", esc(&f));
    }

    let section = |s: &mut String, i: usize| {
        let _ = writeln!(
            s,
            "<section id=\"{}\">\n<h2>{}</h2>",
            SECTIONS[i].to_lowercase().replace(' ', "-"),
            SECTIONS[i]
        );
    };

    section(&mut s, 0);
    s.push_str("<table>\n");
    for (label, value) in &d.card {
        let _ = writeln!(s, "<tr><th>{}</th><td>{}</td></tr>", esc(label), esc(value));
    }
    let datasets = d.datasets();
    if !datasets.is_empty() {
        let _ = writeln!(
            s,
            "<tr><th>Datasets</th><td>{}</td></tr>",
            esc(&datasets.join(", "))
        );
    }
    s.push_str("</table>\n</section>\n");

    section(&mut s, 1);
    if d.notes.is_empty() {
        s.push_str("<p class=\"muted\">No notes or tags.</p>\n");
    }
    for (t, notes, tags) in &d.notes {
        let _ = write!(s, "<h3>On {}", esc(&t.describe(g)));
        for tag in tags {
            let _ = write!(s, " <span class=\"tag\">#{}</span>", esc(tag));
        }
        s.push_str("</h3>\n");
        for n in notes {
            let edited = n
                .edited
                .as_ref()
                .map(|t| format!(", edited {}", esc(t)))
                .unwrap_or_default();
            let _ = writeln!(
                s,
                "<div class=\"note\"><span class=\"muted\">{} ({}{edited}):</span> {}</div>",
                esc(&n.author),
                esc(&n.time),
                esc(&n.text)
            );
        }
    }
    s.push_str("</section>\n");

    section(&mut s, 2);
    if d.relations.is_empty() {
        s.push_str("<p class=\"muted\">None in this view.</p>\n");
    }
    for (kind, rows) in &d.relations {
        let _ = writeln!(s, "<h3>{} ({})</h3>\n<table>", esc(kind), rows.len());
        for r in rows {
            let mut extra = String::new();
            if let Some(n) = &r.note {
                let _ = write!(extra, "<br><span class=\"muted\">{}</span>", esc(n));
            }
            let _ = writeln!(
                s,
                "<tr><td>{} {}{extra}</td><td>{}</td><td class=\"muted\">{}</td></tr>",
                r.arrow,
                esc(&r.other),
                esc(&row_details(r)),
                esc(&r.sources.join(", "))
            );
        }
        s.push_str("</table>\n");
    }
    if d.hidden > 0 {
        let _ = writeln!(
            s,
            "<p class=\"muted\">{} more outside this view.</p>",
            d.hidden
        );
    }
    s.push_str("</section>\n");

    section(&mut s, 3);
    let lines = d.money_lines();
    if lines.is_empty() {
        s.push_str("<p class=\"muted\">No money in this view.</p>\n");
    } else {
        s.push_str(
            "<table>\n<tr><th>Date</th><th>Way</th><th>Counterparty</th><th>Amount</th><th>Stage</th></tr>\n",
        );
        for l in lines {
            let [a, b, c, e, f] = money_row(g, l);
            let _ = writeln!(
                s,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td><td>{}</td></tr>",
                esc(&a),
                esc(&b),
                esc(&c),
                esc(&e),
                esc(&f)
            );
        }
        s.push_str("</table>\n");
        let totals = d.money_totals();
        if !totals.is_empty() {
            s.push_str("<h3>Totals</h3>\n<p class=\"muted\">Dated amounts in the window; currencies and stages are never added together.</p>\n<table>\n");
            for (way, stage, total) in totals {
                let _ = writeln!(
                    s,
                    "<tr><td>{way}</td><td>{}</td><td class=\"num\">{}</td></tr>",
                    stage.label(),
                    esc(&total)
                );
            }
            s.push_str("</table>\n");
        }
    }
    s.push_str("</section>\n");

    section(&mut s, 4);
    if d.timeline.is_empty() {
        s.push_str("<p class=\"muted\">Nothing dated in this view.</p>\n");
    } else {
        s.push_str("<table>\n<tr><th>When</th><th>What</th><th>Who</th></tr>\n");
        for item in &d.timeline {
            let _ = writeln!(
                s,
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&item.when(g)),
                esc(&item.what(g)),
                esc(&item.who(g))
            );
        }
        s.push_str("</table>\n");
    }
    s.push_str("</section>\n");

    section(&mut s, 5);
    if d.sources.is_empty() {
        s.push_str("<p class=\"muted\">No source given.</p>\n");
    } else {
        s.push_str("<ul>\n");
        for &id in &d.sources {
            let src = g.source(id);
            let title = [&*src.outlet, &*src.title]
                .into_iter()
                .filter(|t| !t.is_empty())
                .collect::<Vec<_>>()
                .join(" — ");
            let title = if title.is_empty() {
                src.id.to_string()
            } else {
                title
            };
            let date = src.published.map(|p| format!(" ({p})")).unwrap_or_default();
            let body = match &src.url {
                Some(url) => link(url, &title),
                None => esc(&title),
            };
            // A source without an address names the file it was read from.
            let file = if src.url.is_none() && !src.file.is_empty() {
                format!(" <span class=\"muted\">file {}</span>", esc(&src.file))
            } else {
                String::new()
            };
            let _ = writeln!(
                s,
                "<li><code>{}</code> {body}{date}{file}</li>",
                esc(&src.id)
            );
        }
        s.push_str("</ul>\n");
    }
    s.push_str("</section>\n");

    section(&mut s, 6);
    match picture::svg(g, d.node, &d.sub) {
        Ok(svg) => {
            let _ = writeln!(s, "<div class=\"picture\">\n{svg}\n</div>");
        }
        Err(why) => {
            let _ = writeln!(
                s,
                "<p class=\"muted\">The picture could not be drawn: {}.</p>",
                esc(&why)
            );
        }
    }
    s.push_str("</section>\n</body>\n</html>\n");
    s
}
