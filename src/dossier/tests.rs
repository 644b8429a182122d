//! Dossiers of a small graph: every section, money by stage, sources with
//! links, notes, the picture; filters apply.

use super::*;
use crate::load::load_texts;
use crate::model::{DateWindow, PartialDate};

fn fixture() -> Graph {
    let text = r#"Graph(
        sources: [
            Source(id: "s1", outlet: "LRT", title: "Minister <visits>", file: "lrt.md", url: "https://example.org/a?x=1&y=2"),
            Source(id: "s2", outlet: "BNS", title: "Fund", file: "bns.md"),
        ],
        entities: [
            Entity(id: "umerov", kind: person, name: "Rustem Umerov", aliases: ["Рустем Умєров"]),
            Entity(id: "mod", kind: ministry, name: "Ministry of Defence"),
            Entity(id: "fund", kind: fund, name: "Fund & Co"),
        ],
        relations: [
            Relation(from: "umerov", to: "mod", kind: holds_office, role: "minister", date: "2023-09", sources: ["s1"]),
            Relation(from: "umerov", to: "fund", kind: finances, date: "2024-11", amount: (value: 10, currency: "EUR"), sources: ["s2"]),
            Relation(from: "umerov", to: "fund", kind: pledged, date: "2025-02", amount: (value: 5, currency: "EUR"), sources: ["s2"]),
        ],
    )"#;
    load_texts(vec![("f.ron".into(), text.into())]).unwrap()
}

fn with_note(g: &Graph, dir: &std::path::Path) -> Notes {
    let mut notes = Notes::open(&[dir.join("n.jsonl")]).unwrap();
    let n = g.find("umerov").unwrap();
    notes
        .add(
            Target::of_entity(g, n),
            "Check <the> tender",
            &["follow-up".into()],
            "ana",
        )
        .unwrap();
    notes
}

#[test]
fn html_holds_every_section_escaped_with_an_svg() {
    let g = fixture();
    let dir = tempfile::tempdir().unwrap();
    let notes = with_note(&g, dir.path());
    let n = g.find("umerov").unwrap();
    let html = dossier(&g, n, &Filter::default(), &notes, DossierFormat::Html);
    for s in SECTIONS {
        assert!(html.contains(&format!("<h2>{s}</h2>")), "{s} missing");
    }
    assert!(html.contains("Рустем Умєров"));
    assert!(html.contains("Check &lt;the&gt; tender"));
    assert!(html.contains("#follow-up"));
    assert!(html.contains("<a href=\"https://example.org/a?x=1&amp;y=2\">"));
    assert!(html.contains("Minister &lt;visits&gt;"));
    assert!(
        html.contains("€10,000,000") || html.contains("€10"),
        "money lines"
    );
    assert!(html.contains("<td>transferred</td>") && html.contains("<td>promised</td>"));
    assert!(html.contains("<svg") && html.contains("</svg>"));
    assert!(html.contains("Fund &amp; Co"));
    assert!(!html.contains("<script"), "no script");
    assert!(!html.contains("src=\"http"), "no external asset");
    assert!(html.contains("@media print"));
}

#[test]
fn markdown_has_a_mermaid_block_and_the_money_totals() {
    let g = fixture();
    let dir = tempfile::tempdir().unwrap();
    let notes = with_note(&g, dir.path());
    let n = g.find("umerov").unwrap();
    let md = dossier(&g, n, &Filter::default(), &notes, DossierFormat::Markdown);
    for s in SECTIONS {
        assert!(md.contains(&format!("## {s}\n")), "{s} missing");
    }
    let block = md.split("```mermaid\n").nth(1).unwrap();
    assert!(block.starts_with("flowchart"), "{block}");
    assert!(block.contains("```"));
    assert!(md.contains("- out, transferred: "));
    assert!(md.contains("- out, promised: "));
    assert!(md.contains("[LRT — Minister <visits>](https://example.org/a?x=1&y=2)"));
    assert!(md.contains("ana ("));
}

#[test]
fn the_date_filter_applies() {
    let g = fixture();
    let dir = tempfile::tempdir().unwrap();
    let notes = with_note(&g, dir.path());
    let n = g.find("umerov").unwrap();
    let filter = Filter {
        window: DateWindow::new(Some("2025".parse::<PartialDate>().unwrap()), None).unwrap(),
        hide_undated: true,
        ..Filter::default()
    };
    let md = dossier(&g, n, &filter, &notes, DossierFormat::Markdown);
    assert!(md.contains("pledged"), "{md}");
    assert!(!md.contains("| 2024-11 |"), "{md}");
    assert!(md.contains("more outside this view"));
    assert!(md.contains("_View: dates"));
}

#[test]
fn the_format_comes_from_the_file_name() {
    assert_eq!(
        DossierFormat::from_file_name("u.HTML"),
        Some(DossierFormat::Html)
    );
    assert_eq!(
        DossierFormat::from_file_name("u.md"),
        Some(DossierFormat::Markdown)
    );
    assert_eq!(DossierFormat::from_file_name("u.pdf"), None);
}
