//! The notebook on a small graph: saving and reading back, history, tags,
//! two notebooks, bad lines, targets gone from the data, search.

use super::*;
use crate::load::load_texts;

pub(crate) fn fixture() -> Graph {
    let text = r#"Graph(
        sources: [Source(id: "s", outlet: "o", title: "t", file: "f", url: "https://example.org/a")],
        entities: [
            Entity(id: "umerov", kind: person, name: "Rustem Umerov"),
            Entity(id: "mod", kind: ministry, name: "Ministry of Defence"),
            Entity(id: "fund", kind: fund, name: "Fund"),
        ],
        relations: [
            Relation(from: "umerov", to: "mod", kind: holds_office, date: "2023-09", sources: ["s"]),
            Relation(from: "mod", to: "fund", kind: finances, date: "2024-11", amount: (value: 10, currency: "EUR"), sources: ["s"]),
            Relation(from: "fund", to: "mod", kind: pledged, amount: (value: 5, currency: "EUR"), sources: ["s"]),
        ],
    )"#;
    load_texts(vec![("f.ron".into(), text.into())]).unwrap()
}

fn entity(id: &str) -> Target {
    Target::Entity(id.into())
}

#[test]
fn a_note_and_a_tag_survive_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("n.jsonl");
    let mut notes = Notes::open(std::slice::from_ref(&path)).unwrap();
    assert!(notes.is_empty());
    let id = notes
        .add(
            entity("umerov"),
            "Met the minister\nsecond line",
            &["Follow up".into()],
            "ana",
        )
        .unwrap();
    notes
        .tag(entity("umerov"), &["#mod".into()], "ana")
        .unwrap();
    let again = Notes::open(std::slice::from_ref(&path)).unwrap();
    let n = again.note(&id).unwrap();
    assert_eq!(n.text, "Met the minister\nsecond line");
    assert_eq!(n.author, "ana");
    assert!(n.time.ends_with('Z') && n.time.len() == 20, "{}", n.time);
    assert_eq!(again.tags_of(&entity("umerov")), ["follow-up", "mod"]);
    assert!(again.problems().is_empty());
    // One line per save, each a JSON object.
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(text.lines().count(), 2);
    assert!(
        text.lines()
            .all(|l| serde_json::from_str::<serde_json::Value>(l).is_ok())
    );
}

#[test]
fn edits_and_deletes_append_and_keep_the_history() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("n.jsonl");
    let mut notes = Notes::open(std::slice::from_ref(&path)).unwrap();
    let id = notes.add(entity("umerov"), "first", &[], "ana").unwrap();
    let before = std::fs::read_to_string(&path).unwrap();
    notes.edit(&id, "second", "bob").unwrap();
    let after = std::fs::read_to_string(&path).unwrap();
    assert!(after.starts_with(&before), "the file is only appended to");
    assert!(after.contains("\"first\"") && after.contains("\"second\""));
    let again = Notes::open(std::slice::from_ref(&path)).unwrap();
    assert_eq!(again.note(&id).unwrap().text, "second");
    assert!(again.note(&id).unwrap().edited.is_some());
    notes.delete(&id, "ana").unwrap();
    let again = Notes::open(std::slice::from_ref(&path)).unwrap();
    assert!(again.note(&id).is_none());
    assert_eq!(again.records(), 3);
    assert!(matches!(
        notes.edit("nope", "x", "a"),
        Err(NotesError::NoSuchNote(_))
    ));
    notes
        .tag(entity("umerov"), &["a".into(), "b".into()], "ana")
        .unwrap();
    notes.untag(entity("umerov"), &["A".into()], "ana").unwrap();
    let again = Notes::open(&[path]).unwrap();
    assert_eq!(again.tags_of(&entity("umerov")), ["b"]);
}

#[test]
fn two_notebooks_are_read_together_and_saves_go_to_the_first() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("ana.jsonl");
    let b = dir.path().join("bob.jsonl");
    Notes::open(std::slice::from_ref(&a))
        .unwrap()
        .add(entity("umerov"), "from ana", &[], "ana")
        .unwrap();
    Notes::open(std::slice::from_ref(&b))
        .unwrap()
        .add(entity("umerov"), "from bob", &["x".into()], "bob")
        .unwrap();
    let mut both = Notes::open(&[a.clone(), b.clone()]).unwrap();
    let on: Vec<(&str, &str, usize)> = both
        .notes_on(&entity("umerov"))
        .map(|n| (n.text.as_str(), n.author.as_str(), n.file))
        .collect();
    assert_eq!(on, [("from ana", "ana", 0), ("from bob", "bob", 1)]);
    // Ana edits Bob's note: the edit is in her file, read before his.
    let bobs = both.notes_on(&entity("umerov")).nth(1).unwrap().id.clone();
    both.edit(&bobs, "from bob, corrected by ana", "ana")
        .unwrap();
    let again = Notes::open(&[a.clone(), b.clone()]).unwrap();
    assert_eq!(
        again.note(&bobs).unwrap().text,
        "from bob, corrected by ana"
    );
    assert_eq!(std::fs::read_to_string(&b).unwrap().lines().count(), 1);
    let mut both = again;
    both.add(entity("mod"), "third", &[], "ana").unwrap();
    assert_eq!(std::fs::read_to_string(&a).unwrap().lines().count(), 3);
    assert_eq!(std::fs::read_to_string(&b).unwrap().lines().count(), 1);
}

#[test]
fn a_bad_line_is_named_and_read_around() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("n.jsonl");
    let mut notes = Notes::open(std::slice::from_ref(&path)).unwrap();
    notes.add(entity("umerov"), "one", &[], "ana").unwrap();
    // A crash mid-write leaves a line cut short, without its newline.
    let mut text = std::fs::read_to_string(&path).unwrap();
    text.push_str("{\"op\":\"add\",\"no");
    std::fs::write(&path, &text).unwrap();
    notes.add(entity("umerov"), "three", &[], "ana").unwrap();
    let again = Notes::open(std::slice::from_ref(&path)).unwrap();
    let texts: Vec<&str> = again.notes().iter().map(|n| n.text.as_str()).collect();
    assert_eq!(texts, ["one", "three"]);
    assert_eq!(again.problems().len(), 1);
    let p = &again.problems()[0];
    assert_eq!(p.line, 2);
    assert!(p.to_string().contains("n.jsonl:2:"), "{p}");
    std::fs::write(
        &path,
        "{\"op\":\"tag\",\"on\":\"entity\",\"author\":\"a\",\"time\":\"t\",\"tags\":[\"x\"]}\n",
    )
    .unwrap();
    let again = Notes::open(&[path]).unwrap();
    assert!(
        again.problems()[0].message.contains("target"),
        "{:?}",
        again.problems()
    );
}

#[test]
fn notes_on_relations_and_on_ids_gone_from_the_data() {
    let g = fixture();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("n.jsonl");
    let mut notes = Notes::open(std::slice::from_ref(&path)).unwrap();
    let edge = g
        .ties_dir(g.find("umerov").unwrap(), petgraph::Direction::Outgoing)
        .next()
        .unwrap()
        .edge;
    let rel = Target::of_relation(&g, edge);
    notes.add(rel.clone(), "appointed", &[], "ana").unwrap();
    notes
        .add(entity("gone"), "was here", &["old".into()], "ana")
        .unwrap();
    let again = Notes::open(&[path]).unwrap();
    assert_eq!(again.relation_notes(&g, edge).len(), 1);
    assert_eq!(rel.relation_in(&g), Some(edge));
    let missing: Vec<&str> = again.missing(&g).map(|n| n.text.as_str()).collect();
    assert_eq!(missing, ["was here"]);
    let listing = report::list_text(&again, &g, &|_| true);
    assert!(
        listing.contains("gone (gone)  — not in the data"),
        "{listing}"
    );
    assert!(
        listing.contains("Rustem Umerov —holds_office→ Ministry of Defence"),
        "{listing}"
    );
}

#[test]
fn tags_and_note_words_find_entities() {
    let g = fixture();
    let dir = tempfile::tempdir().unwrap();
    let mut notes = Notes::open(&[dir.path().join("n.jsonl")]).unwrap();
    assert!(
        notes.search(&g, "#x umerov").allowed.is_none(),
        "no notes: nothing changes"
    );
    notes
        .add(
            entity("umerov"),
            "Kasčiūnas called him",
            &["suspect".into()],
            "ana",
        )
        .unwrap();
    notes
        .tag(entity("fund"), &["suspect".into(), "money".into()], "ana")
        .unwrap();
    let hits = notes.search(&g, "#suspect");
    let mut want = vec![g.find("umerov").unwrap(), g.find("fund").unwrap()];
    want.sort();
    assert_eq!(hits.allowed, Some(want));
    assert_eq!(
        notes.search(&g, "#SUSPECT #money").allowed,
        Some(vec![g.find("fund").unwrap()])
    );
    assert_eq!(
        notes.search(&g, "kasciunas").by_note,
        [g.find("umerov").unwrap()]
    );
    assert!(notes.search(&g, "kasciunas nobody").by_note.is_empty());
    assert_eq!(
        split_query("#a  rustem #"),
        TagQuery {
            tags: vec!["a".into()],
            words: vec!["rustem".into(), "#".into()]
        }
    );
}

#[test]
fn json_exports_carry_notes_and_tags() {
    let g = fixture();
    let dir = tempfile::tempdir().unwrap();
    let mut notes = Notes::open(&[dir.path().join("n.jsonl")]).unwrap();
    notes
        .add(entity("umerov"), "a note", &["t1".into()], "ana")
        .unwrap();
    let sub = crate::view::subgraph(&g, None, 1, crate::view::Reach::Both, &Default::default());
    let json = report::render(&notes, &g, &sub, crate::export::Format::Json);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let node = v["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["id"] == "umerov")
        .unwrap();
    assert_eq!(node["tags"], serde_json::json!(["t1"]));
    assert_eq!(node["notes"][0]["text"], "a note");
    assert_eq!(node["notes"][0]["author"], "ana");
    // RON: attributes, and the file loads back with them.
    let ron = report::render(&notes, &g, &sub, crate::export::Format::Ron);
    let again = crate::load::load_texts(vec![("x.ron".into(), ron)]).unwrap();
    let attrs: Vec<(String, String)> = again
        .entity(again.find("umerov").unwrap())
        .attrs
        .iter()
        .map(|(k, v)| (again.sym(k).to_string(), v.to_string()))
        .collect();
    assert!(attrs.contains(&("tag".into(), "t1".into())), "{attrs:?}");
    assert!(
        attrs.iter().any(|(k, v)| k == "investigator note"
            && v.starts_with("ana, ")
            && v.ends_with(": a note")),
        "{attrs:?}"
    );
    let ftm = report::render(&notes, &g, &sub, crate::export::Format::Ftm);
    let note: serde_json::Value = ftm
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|v| v["schema"] == "Note")
        .unwrap();
    assert_eq!(note["properties"]["entity"], serde_json::json!(["umerov"]));
    assert_eq!(
        note["properties"]["description"],
        serde_json::json!(["a note"])
    );
}
