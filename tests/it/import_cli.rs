//! Imported formats through the binary: recognised by content and name, read
//! with `--input-format`, snapshotted like RON, exported as CSV tables and GEXF.

use std::path::{Path, PathBuf};

use crate::common;

use common::ties;

fn les_miserables() -> PathBuf {
    common::data("gexf/LesMiserables.gexf")
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/import")
        .join(name)
}

#[test]
fn les_miserables_checks_and_reads_the_same_from_both_ends() {
    let gexf = les_miserables();
    let (code, out, err) = ties().arg("--data").arg(&gexf).arg("check").run();
    assert_eq!(code, 0, "{err}");
    assert!(
        out.starts_with("valid: 77 entities, 254 relations"),
        "{out}"
    );
    // An undirected edge (Myriel–Napoleon) reads `—related to—` from each end.
    for (who, other) in [("Myriel", "Napoleon"), ("Napoleon", "Myriel")] {
        let (code, out, err) = ties().arg("--data").arg(&gexf).args(["show", who]).run();
        assert_eq!(code, 0, "{err}");
        let line = out
            .lines()
            .find(|l| l.contains(&format!("—related to— {other}")))
            .unwrap_or_else(|| panic!("{who}: no undirected line to {other}:\n{out}"));
        assert!(!line.contains('→') && !line.contains('←'), "{line}");
        // The data has no sources: said once, above the relations (issue 30).
        assert!(!line.contains("no source given"), "{line}");
        assert_eq!(out.matches("no source given").count(), 1, "{out}");
    }
    // Without sources, it survives a RON export and loads back; only a strict
    // check asks for them.
    let dir = tempfile::tempdir().unwrap();
    let ron = dir.path().join("les.ron");
    let (code, _, err) = ties()
        .arg("--data")
        .arg(&gexf)
        .args(["export", "--format", "ron", "-o"])
        .arg(&ron)
        .run();
    assert_eq!(code, 0, "{err}");
    let (code, back, err) = ties().arg("--data").arg(&ron).arg("check").run();
    assert_eq!(code, 0, "{err}");
    assert_eq!(back, out_of(&gexf));
    let (code, _, err) = ties()
        .arg("--data")
        .arg(&ron)
        .args(["check", "--strict"])
        .run();
    assert_eq!(code, 2);
    assert!(err.contains("254 relations without a source"), "{err}");
    assert!(err.contains("… and 234 more"), "{err}");
}

/// What `ties check` prints for the data at `path`.
fn out_of(path: &Path) -> String {
    ties().arg("--data").arg(path).arg("check").run().1
}

#[test]
fn every_format_is_recognised_and_can_be_named() {
    let dir = tempfile::tempdir().unwrap();
    let gexf = dir.path().join("g.gexf");
    let graphml = dir.path().join("g.graphml");
    for (format, path) in [("gexf", &gexf), ("graphml", &graphml)] {
        let (code, _, err) = ties()
            .args(["export", "--format", format, "-o"])
            .arg(path)
            .run();
        assert_eq!(code, 0, "{err}");
    }
    let (_, builtin, _) = ties().arg("check").run();
    let first_line = |s: &str| s.lines().next().unwrap_or("").to_string();
    // Under a name that says nothing, the content tells.
    let anon = dir.path().join("graph.data");
    for data in [gexf.clone(), graphml.clone(), fixture("neo4j")] {
        std::fs::copy(&data, &anon).ok();
        let path = if data.is_dir() {
            data.clone()
        } else {
            anon.clone()
        };
        let (code, out, err) = ties().arg("--data").arg(&path).arg("check").run();
        assert_eq!(code, 0, "{}: {err}", data.display());
        if !data.is_dir() {
            assert_eq!(first_line(&out), first_line(&builtin), "{}", data.display());
        }
    }
    // Named: a GraphML file read as GEXF is an error naming the place.
    let (code, _, err) = ties()
        .args(["--input-format", "gexf", "--data"])
        .arg(&graphml)
        .arg("check")
        .run();
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("g.graphml"), "{err}");
    let (code, out, err) = ties()
        .args(["--input-format", "csv", "--data"])
        .arg(fixture("plain/nodes.csv"))
        .arg("check")
        .run();
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("valid: 3 entities, 0 relations"), "{out}");
}

#[test]
fn csv_export_writes_two_tables_to_a_folder_and_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("tables");
    let (code, _, err) = ties()
        .args(["export", "--format", "csv", "-o"])
        .arg(&out)
        .run();
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("nodes.csv") && err.contains("relationships.csv"),
        "{err}"
    );
    let nodes = std::fs::read_to_string(out.join("nodes.csv")).unwrap();
    assert!(nodes.starts_with("id:ID,name,:LABEL"), "{nodes}");
    // The folder loads back as the same graph.
    let (_, builtin, _) = ties().arg("check").run();
    let (code, back, err) = ties().arg("--data").arg(&out).arg("check").run();
    assert_eq!(code, 0, "{err}");
    assert_eq!(back, builtin);
    // Again: refused, nothing touched; --force replaces.
    let (code, _, err) = ties()
        .args(["export", "--format", "csv", "--focus", "palianytsia", "-o"])
        .arg(&out)
        .run();
    assert_eq!(code, 1);
    assert!(err.contains("nodes.csv exists"), "{err}");
    assert_eq!(
        std::fs::read_to_string(out.join("nodes.csv")).unwrap(),
        nodes
    );
    let (code, _, err) = ties()
        .args([
            "export",
            "--format",
            "csv",
            "--focus",
            "palianytsia",
            "--force",
            "-o",
        ])
        .arg(&out)
        .run();
    assert_eq!(code, 0, "{err}");
    assert_ne!(
        std::fs::read_to_string(out.join("nodes.csv")).unwrap(),
        nodes
    );
}

#[test]
fn a_csv_folder_is_snapshotted_by_its_tables_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    let cache = tmp.path().join("cache");
    let data = tmp.path().join("tables");
    std::fs::create_dir(&data).unwrap();
    for f in ["people.csv", "orgs.csv", "edges.csv"] {
        std::fs::copy(fixture("neo4j").join(f), data.join(f)).unwrap();
    }
    let check = || {
        ties()
            .args(["check", "--data"])
            .arg(&data)
            .env("TIES_CACHE_DIR", &cache)
            .env("TIES_SNAPSHOT_MIN", "0")
            .env("TIES_LOAD_STATS", "1")
            .run()
    };
    let (code, first, err) = check();
    assert_eq!(code, 0, "{err}");
    assert!(!err.contains("read the snapshot"), "{err}");
    let (code, second, err) = check();
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("read the snapshot"), "{err}");
    assert_eq!(first, second);
    // A changed table is read again.
    let edges = data.join("edges.csv");
    let text = std::fs::read_to_string(&edges).unwrap();
    std::fs::write(
        &edges,
        text.lines().take(2).collect::<Vec<_>>().join("\n") + "\n",
    )
    .unwrap();
    let (code, third, err) = check();
    assert_eq!(code, 0, "{err}");
    assert!(!err.contains("read the snapshot"), "{err}");
    assert_ne!(third, first);
}

#[test]
fn an_imported_source_given_by_its_address_is_shown_with_it() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("nodes.csv"),
        "id,name,kind,sources\na,Ann,person,https://example.org/story\nb,Bob,person,\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("edges.csv"),
        "source,target,kind\na,b,met\n",
    )
    .unwrap();
    let (code, out, err) = ties()
        .arg("--data")
        .arg(dir.path())
        .args(["show", "a"])
        .run();
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("  source https://example.org/story\n"),
        "{out}"
    );
    // No relation has a source: said once, not on each line (issue 30).
    assert!(
        out.contains("no source given for any relation below"),
        "{out}"
    );
    assert!(out.contains("  —met→ Bob\n"), "{out}");
    let (_, out, _) = ties()
        .arg("--data")
        .arg(dir.path())
        .args(["show", "b"])
        .run();
    assert!(
        out.contains("Bob  (person, id b)\n  no source given, for it or any relation below\n"),
        "{out}"
    );
    // The RON export keeps the address as the source's url.
    let ron = dir.path().join("g.ron");
    let (code, _, err) = ties()
        .arg("--data")
        .arg(dir.path())
        .args(["export", "--format", "ron", "-o"])
        .arg(&ron)
        .run();
    assert_eq!(code, 0, "{err}");
    let text = std::fs::read_to_string(&ron).unwrap();
    assert!(
        text.contains("url: \"https://example.org/story\""),
        "{text}"
    );
}

#[test]
fn csv_columns_of_other_names_are_read_as_fields_when_mapped() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("people.csv"),
        "person_id,full_name,type\np1,Ann Example,person\np2,Bob Example,person\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("links.csv"),
        "from_id,to_id,link_type,when\np1,p2,advises,2024-11\n",
    )
    .unwrap();
    // Unmapped, the tables name no id column: the message says how to map one.
    let (code, _, err) = ties().arg("--data").arg(dir.path()).arg("check").run();
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("people.csv:1:1") && err.contains("--csv-columns id=COLUMN"),
        "{err}"
    );
    let map =
        "id=person_id,name=full_name,kind=type,from=from_id,to=to_id,kind=link_type,date=when";
    let (code, out, err) = ties()
        .arg("--data")
        .arg(dir.path())
        .args(["--csv-columns", map, "show", "p1"])
        .run();
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("Ann Example  (person, id p1)"), "{out}");
    assert!(out.contains("—advises→ Bob Example  (2024-11)"), "{out}");
    // A field ties does not know, or a pair without `=`, is a usage error.
    for bad in ["colour=paint", "id"] {
        let (code, _, err) = ties()
            .arg("--data")
            .arg(dir.path())
            .args(["--csv-columns", bad, "check"])
            .run();
        assert_eq!(code, 2, "{bad}: {err}");
        assert!(err.contains("--csv-columns"), "{bad}: {err}");
    }
}
