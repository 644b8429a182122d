//! Snapshots: a second open of unchanged data reads the snapshot; a one-byte
//! change, or a damaged snapshot, sends the open back to RON (with a note for
//! the damage), and the result is always the graph the RON says.

use std::path::{Path, PathBuf};

use ties::export::{Format, render};
use ties::generate::{GenOptions, write_ron};
use ties::open::{IndexWhen, InputFormat, OpenOptions, Opened, Origin, Snapshots, Source};
use ties::view::{Filter, Reach, subgraph};

use crate::common;

use common::ties;

/// A generated graph written as RON into `dir`.
fn data_file(dir: &Path) -> PathBuf {
    let path = dir.join("graph.ron");
    let mut f = std::fs::File::create(&path).unwrap();
    let opts = GenOptions {
        entities: 1500,
        relations_per_entity: 3,
        seed: 7,
    };
    write_ron(&opts, &mut f).unwrap();
    path
}

/// Opens the RON at `data` with snapshots in `cache` for data of at least `min`
/// bytes.
fn open_ron_in(data: &Path, cache: &Path, min: u64) -> Opened {
    let opts = OpenOptions {
        snapshots: Some(Snapshots {
            dir: cache.to_path_buf(),
            min_bytes: min,
        }),
        ..OpenOptions::default()
    };
    ties::open::open(Source::Path(data.to_path_buf()), &opts, &mut ()).unwrap()
}

/// Opens `data` with snapshots in `cache` and the search index, waiting for
/// the snapshot to be saved.
fn open(data: &Path, cache: &Path) -> Opened {
    let mut o = open_ron_in(data, cache, 0);
    o.build_index(IndexWhen::Now);
    o.finish_saving();
    o
}

/// The whole graph as JSON: equal JSON, equal graphs.
fn json(o: &Opened) -> String {
    let whole = subgraph(&o.graph, None, 1, Reach::Both, &Filter::default());
    render(&o.graph, &whole, Format::Json)
}

fn snapshots(cache: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(cache)
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    v.retain(|p| p.extension().is_some_and(|x| x == "snap"));
    v.sort();
    v
}

#[test]
fn a_second_open_reads_the_snapshot_and_gets_the_same_graph_and_index() {
    let tmp = tempfile::tempdir().unwrap();
    let cache = tmp.path().join("cache");
    let data = data_file(tmp.path());
    let first = open(&data, &cache);
    assert_eq!(first.origin, Origin::Parsed(InputFormat::Ron));
    assert!(first.notes.is_empty(), "{:?}", first.notes);
    let snaps = snapshots(&cache);
    assert_eq!(snaps.len(), 1);
    let second = open(&data, &cache);
    assert_eq!(second.origin, Origin::Snapshot(snaps[0].clone()));
    assert_eq!(json(&first), json(&second));
    // The index came with it and answers as the one built from RON.
    let (a, b) = (first.index.unwrap(), second.index.unwrap());
    for q in ["kas", "min def", "'gmbh", "zzzzzz"] {
        let ha = a.search(&first.graph, q, 20, &|_| true);
        let hb = b.search(&second.graph, q, 20, &|_| true);
        assert_eq!(ha, hb, "{q}");
    }
    // Ids still resolve (the id index is rebuilt on reading).
    let id = second.graph.entity(petgraph::graph::NodeIndex::new(700)).id;
    assert_eq!(second.graph.find(id).map(|n| n.index()), Some(700));
}

#[test]
fn a_one_byte_change_in_the_data_is_never_served_from_the_old_snapshot() {
    let tmp = tempfile::tempdir().unwrap();
    let cache = tmp.path().join("cache");
    let data = data_file(tmp.path());
    let before = open(&data, &cache);
    assert_eq!(
        open(&data, &cache).origin.clone(),
        Origin::Snapshot(snapshots(&cache)[0].clone())
    );
    // Change one letter of the first entity's name: same length, same layout.
    let mut bytes = std::fs::read(&data).unwrap();
    let at = find(&bytes, b"name: \"") + 7;
    bytes[at] = if bytes[at] == b'Q' { b'X' } else { b'Q' };
    std::fs::write(&data, &bytes).unwrap();
    let after = open(&data, &cache);
    assert_eq!(
        after.origin,
        Origin::Parsed(InputFormat::Ron),
        "the changed file must be parsed again"
    );
    assert_ne!(json(&before), json(&after));
    let first = after.graph.entity(petgraph::graph::NodeIndex::new(0));
    assert!(first.name.starts_with(bytes[at] as char), "{}", first.name);
    // The new bytes get their own snapshot, which the next open uses.
    assert_eq!(snapshots(&cache).len(), 2);
    let again = open(&data, &cache);
    assert!(matches!(again.origin, Origin::Snapshot(_)));
    assert_eq!(json(&again), json(&after));
}

fn find(hay: &[u8], needle: &[u8]) -> usize {
    hay.windows(needle.len())
        .position(|w| w == needle)
        .expect("needle present")
}

/// Damages the only snapshot in `cache` with `damage`, then checks that opening
/// refuses it with a note containing `why`, reads RON, and leaves a good one.
fn damaged(damage: impl Fn(&mut Vec<u8>), why: &str) {
    let tmp = tempfile::tempdir().unwrap();
    let cache = tmp.path().join("cache");
    let data = data_file(tmp.path());
    let good = open(&data, &cache);
    let snap = snapshots(&cache).pop().unwrap();
    let mut bytes = std::fs::read(&snap).unwrap();
    damage(&mut bytes);
    std::fs::write(&snap, &bytes).unwrap();
    let o = open(&data, &cache);
    assert_eq!(o.origin, Origin::Parsed(InputFormat::Ron));
    assert_eq!(o.notes.len(), 1, "{:?}", o.notes);
    assert!(
        o.notes[0].contains("not using the snapshot"),
        "{}",
        o.notes[0]
    );
    assert!(o.notes[0].contains(why), "{} should say {why}", o.notes[0]);
    assert_eq!(json(&o), json(&good));
    // It was written again, whole.
    let again = open(&data, &cache);
    assert_eq!(again.origin, Origin::Snapshot(snap));
    assert!(again.notes.is_empty());
}

#[test]
fn a_flipped_byte_in_the_snapshot_is_caught_by_its_checksum() {
    damaged(
        |b| {
            let mid = b.len() / 2;
            b[mid] ^= 0x40;
        },
        "checksum",
    );
}

#[test]
fn a_cut_snapshot_is_refused() {
    damaged(|b| b.truncate(b.len() / 3), "corrupt");
}

#[test]
fn a_file_that_is_no_snapshot_is_refused() {
    damaged(|b| *b = b"hello".repeat(100), "not a ties snapshot");
}

#[test]
fn lying_lengths_do_not_allocate_or_panic() {
    // After the 32-byte header: the first section's length, then its first
    // table's length.
    damaged(
        |b| b[32..40].copy_from_slice(&u64::MAX.to_le_bytes()),
        "longer than the file",
    );
    damaged(
        |b| b[40..48].copy_from_slice(&(u64::MAX / 2).to_le_bytes()),
        "longer than the file",
    );
    damaged(
        |b| b[40..48].copy_from_slice(&1u64.to_le_bytes()),
        "corrupt",
    );
}

#[test]
fn small_data_is_not_snapshotted() {
    let tmp = tempfile::tempdir().unwrap();
    let cache = tmp.path().join("cache");
    let data = data_file(tmp.path());
    let size = std::fs::metadata(&data).unwrap().len();
    let mut o = open_ron_in(&data, &cache, size + 1);
    assert!(o.saving.is_none());
    o.finish_saving();
    assert_eq!(o.origin, Origin::Parsed(InputFormat::Ron));
    assert!(snapshots(&cache).is_empty());
}

#[test]
fn the_binary_tells_the_user_about_a_corrupt_snapshot_and_carries_on() {
    let tmp = tempfile::tempdir().unwrap();
    let cache = tmp.path().join("cache");
    let data = data_file(tmp.path());
    let check = || {
        ties()
            .args(["check", "--data"])
            .arg(&data)
            .env("TIES_CACHE_DIR", &cache)
            .env("TIES_SNAPSHOT_MIN", "0")
            .output()
    };
    let first = check();
    assert!(first.status.success());
    let snap = snapshots(&cache).pop().expect("a snapshot was saved");
    let mut bytes = std::fs::read(&snap).unwrap();
    let at = bytes.len() - 100;
    bytes[at] ^= 1;
    std::fs::write(&snap, &bytes).unwrap();
    let second = check();
    assert!(second.status.success());
    assert_eq!(first.stdout, second.stdout);
    let err = String::from_utf8_lossy(&second.stderr);
    assert!(
        err.contains("not using the snapshot") && err.contains("reading"),
        "{err}"
    );
    let third = check();
    assert!(third.status.success());
    assert!(
        third.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&third.stderr)
    );
    // --no-cache neither reads nor writes snapshots.
    std::fs::remove_dir_all(&cache).unwrap();
    let o = ties()
        .args(["check", "--no-cache", "--data"])
        .arg(&data)
        .env("TIES_CACHE_DIR", &cache)
        .env("TIES_SNAPSHOT_MIN", "0")
        .output();
    assert!(o.status.success());
    assert!(snapshots(&cache).is_empty());
}

#[test]
fn search_reads_only_names_from_the_snapshot_and_answers_the_same() {
    let tmp = tempfile::tempdir().unwrap();
    let cache = tmp.path().join("cache");
    let data = data_file(tmp.path());
    let search = |extra: &[&str]| {
        let o = ties()
            .args(["search", "--limit", "15", "--data"])
            .arg(&data)
            .args(extra)
            .arg("kas")
            .env("TIES_CACHE_DIR", &cache)
            .env("TIES_SNAPSHOT_MIN", "0")
            .output();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        (
            String::from_utf8(o.stdout).unwrap(),
            String::from_utf8(o.stderr).unwrap(),
        )
    };
    let (from_ron, _) = search(&["--no-cache"]);
    assert!(snapshots(&cache).is_empty());
    assert_eq!(from_ron.lines().count(), 15, "{from_ron}");
    let (first, _) = search(&[]);
    assert_eq!(snapshots(&cache).len(), 1);
    let (from_snapshot, err) = search(&[]);
    assert!(err.is_empty(), "{err}");
    assert_eq!(from_ron, first);
    assert_eq!(from_ron, from_snapshot);
    let json = |extra: &[&str]| search(&[&["--json"], extra].concat()).0;
    assert_eq!(json(&["--no-cache"]), json(&[]));
    // A damaged snapshot: the search still answers, says why, and mends it.
    let snap = snapshots(&cache).pop().unwrap();
    let mut bytes = std::fs::read(&snap).unwrap();
    let at = bytes.len() - 10;
    bytes[at] ^= 0x10;
    std::fs::write(&snap, &bytes).unwrap();
    let (after, err) = search(&[]);
    assert_eq!(after, from_ron);
    assert!(err.contains("not using the snapshot"), "{err}");
    let (_, err) = search(&[]);
    assert!(err.is_empty(), "{err}");
}

/// Where each section's body is in a snapshot's bytes: `(start, end)`; the
/// section's hash follows its end.
fn section_spans(b: &[u8]) -> Vec<(usize, usize)> {
    let mut at = 32;
    let mut spans = Vec::new();
    while at < b.len() {
        let len = u64::from_le_bytes(b[at..at + 8].try_into().unwrap()) as usize;
        spans.push((at + 8, at + 8 + len));
        at += 8 + len + 8;
    }
    spans
}

/// Changes the `u32` at `offset` of section `section`'s body to `value`, then
/// writes the section's hash again, so that only the row checks can tell.
fn lie(section: usize, offset: usize, value: u32) -> impl Fn(&mut Vec<u8>) {
    move |b| {
        let (start, end) = section_spans(b)[section];
        let at = start + offset;
        b[at..at + 4].copy_from_slice(&value.to_le_bytes());
        let digest = xxhash_rust::xxh3::xxh3_64(&b[start..end]);
        b[end..end + 8].copy_from_slice(&digest.to_le_bytes());
    }
}

#[test]
fn lying_rows_with_good_checksums_are_refused_on_the_mapped_path() {
    // The entities' table comes first in section 0: its length (8 bytes), then
    // rows whose first field is the id's offset in the text, then its length.
    damaged(lie(0, 8, u32::MAX - 1), "an entity points outside");
    damaged(lie(0, 12, 1 << 30), "an entity points outside");
    // Section 1 starts with the first relation out and in of each node: one
    // that does not exist.
    damaged(lie(1, 8, 1 << 30), "lists do not fit");
    // Its third table links each relation to an older one; a link to itself
    // (a list without end) is refused. Table 2 (ends) has as many rows of 8
    // bytes as table 3.
    let cycle = |b: &mut Vec<u8>| {
        let (start, _) = section_spans(b)[1];
        let n_first = u64::from_le_bytes(b[start..start + 8].try_into().unwrap()) as usize;
        let ends = start + 8 + n_first * 8;
        let n_ends = u64::from_le_bytes(b[ends..ends + 8].try_into().unwrap()) as usize;
        let next = ends + 8 + n_ends * 8;
        // The fifth relation's next relation out: itself.
        let offset = next + 8 + 4 * 8 - start;
        lie(1, offset, 4)(b);
    };
    damaged(cycle, "lists do not fit");
}

#[test]
fn a_command_that_needs_no_index_saves_the_snapshot_without_one_and_a_later_start_adds_it() {
    let tmp = tempfile::tempdir().unwrap();
    let cache = tmp.path().join("cache");
    let data = data_file(tmp.path());
    // As `ties check` opens: no index asked for; the save builds none.
    let mut first = open_ron_in(&data, &cache, 0);
    assert!(first.saving.as_ref().is_some_and(|s| !s.is_indexing()));
    first.finish_saving();
    assert!(first.index.is_none(), "no index was built");
    assert!(first.notes.is_empty(), "{:?}", first.notes);
    let snap = snapshots(&cache).pop().expect("a snapshot was saved");
    let small = std::fs::metadata(&snap).unwrap().len();
    // The next start reads it (no index in it), builds the index when asked,
    // and saves the snapshot again with the index.
    let mut second = open_ron_in(&data, &cache, 0);
    assert_eq!(second.origin, Origin::Snapshot(snap.clone()));
    assert!(second.index.is_none());
    second.build_index(IndexWhen::Now);
    second.finish_saving();
    assert!(second.notes.is_empty(), "{:?}", second.notes);
    assert!(std::fs::metadata(&snap).unwrap().len() > small);
    let third = open_ron_in(&data, &cache, 0);
    assert_eq!(third.origin, Origin::Snapshot(snap));
    let a = second.index.clone().unwrap();
    let b = third.index.clone().expect("read with the snapshot");
    assert_eq!(
        a.search(&second.graph, "kas", 20, &|_| true),
        b.search(&third.graph, "kas", 20, &|_| true)
    );
    assert_eq!(json(&first), json(&third));
}

/// `TIES_LOAD_STATS` on a search says what the index holds: with the graph
/// read whole, also all in; from a snapshot (names and index only), the index
/// alone, the same bytes per entity.
#[test]
fn a_search_with_load_stats_says_what_the_index_holds_and_all_in() {
    let tmp = tempfile::tempdir().unwrap();
    let data = data_file(tmp.path());
    let cache = tmp.path().join("cache");
    let search = || {
        ties()
            .arg("--data")
            .arg(&data)
            .args(["search", "kasciunas"])
            .env("TIES_CACHE_DIR", &cache)
            .env("TIES_SNAPSHOT_MIN", "0")
            .env("TIES_LOAD_STATS", "1")
            .run()
    };
    let line = |err: &str| {
        err.lines()
            .find(|l| l.contains("the search index holds"))
            .map(|l| l.to_string())
            .unwrap_or_else(|| panic!("no index line in {err}"))
    };
    let per_entity = |l: &str, after: &str| -> usize {
        let rest = &l[l.find(after).unwrap_or_else(|| panic!("{l}")) + after.len()..];
        let bytes = rest.split(" bytes per entity").next().unwrap();
        bytes.rsplit(' ').next().unwrap().parse().unwrap()
    };
    let (code, _, err) = search();
    assert_eq!(code, 0, "{err}");
    let whole = line(&err);
    let graph_line = err
        .lines()
        .find(|l| l.contains("the graph holds"))
        .unwrap_or_else(|| panic!("{err}"));
    let graph = per_entity(graph_line, "MB,");
    let index = per_entity(&whole, "MB,");
    let all = per_entity(&whole, "all in with the graph");
    assert!(index > 0, "{whole}");
    // Each figure is rounded on its own.
    assert!(all.abs_diff(graph + index) <= 1, "{graph_line}\n{whole}");
    let (code, _, err) = search();
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("read the names and their index"), "{err}");
    let names = line(&err);
    assert!(!names.contains("all in"), "{names}");
    assert_eq!(per_entity(&names, "MB,"), index, "{names}");
}

/// Collects the lines `TIES_LOAD_STATS` would print.
#[derive(Default)]
struct Said(Vec<String>);

impl ties::open::Progress for Said {
    fn stat(&mut self, line: String) {
        self.0.push(line);
    }
}

/// New RON data is hashed while it is read, not in a pass before; its key is
/// the one hashing the file gives, so the next open (which hashes the file
/// first: the record of the key was made too shortly after the file was
/// written to be trusted) finds the snapshot the first one saved.
#[test]
fn new_ron_data_is_hashed_while_it_is_read_and_its_snapshot_is_found_next_time() {
    let tmp = tempfile::tempdir().unwrap();
    let cache = tmp.path().join("cache");
    let data = data_file(tmp.path());
    let opts = OpenOptions {
        snapshots: Some(Snapshots {
            dir: cache.clone(),
            min_bytes: 0,
        }),
        stats: true,
        ..OpenOptions::default()
    };
    let starts = |said: &Said, line: &str| said.0.iter().any(|l| l.starts_with(line));
    let mut said = Said::default();
    let mut first = ties::open::open(Source::Path(data.clone()), &opts, &mut said).unwrap();
    first.finish_saving();
    assert_eq!(first.origin, Origin::Parsed(InputFormat::Ron));
    assert!(
        starts(&said, "hashed the data while reading it"),
        "{:?}",
        said.0
    );
    assert!(!starts(&said, "hashed the data in"), "{:?}", said.0);
    let mut said = Said::default();
    let second = ties::open::open(Source::Path(data), &opts, &mut said).unwrap();
    assert_eq!(
        second.origin,
        Origin::Snapshot(snapshots(&cache)[0].clone())
    );
    assert!(starts(&said, "hashed the data in"), "{:?}", said.0);
    assert_eq!(json(&first), json(&second));
}

#[test]
fn relation_ids_made_again_survive_the_snapshot() {
    let tmp = tempfile::tempdir().unwrap();
    let cache = tmp.path().join("cache");
    // A generated graph exported as FtM: its relations' ids are made by the
    // export, and made again when read back instead of being kept.
    let ron = open_ron_in(
        &data_file(tmp.path()),
        &tmp.path().join("ron-cache"),
        u64::MAX,
    );
    let whole = subgraph(&ron.graph, None, 1, Reach::Both, &Filter::default());
    let ftm = tmp.path().join("graph.ftm.json");
    std::fs::write(&ftm, render(&ron.graph, &whole, Format::Ftm)).unwrap();
    let first = open(&ftm, &cache);
    assert_eq!(first.origin, Origin::Parsed(InputFormat::Ftm));
    let g = &first.graph;
    let made = g
        .edge_indices()
        .filter(|&e| g.relation(e).id_is_made())
        .count();
    assert!(made > g.edge_count() / 2, "{made} of {}", g.edge_count());
    let second = open(&ftm, &cache);
    assert!(
        matches!(second.origin, Origin::Snapshot(_)),
        "{:?}",
        second.origin
    );
    assert_eq!(json(&first), json(&second));
    let ftm_of = |o: &Opened| {
        let whole = subgraph(&o.graph, None, 1, Reach::Both, &Filter::default());
        render(&o.graph, &whole, Format::Ftm)
    };
    assert_eq!(ftm_of(&first), ftm_of(&second));
    let g = &second.graph;
    let again = g
        .edge_indices()
        .filter(|&e| g.relation(e).id_is_made())
        .count();
    assert_eq!(again, made);
}
