//! The explorer on `--db`, in a real terminal (tmux) on a real FalkorDB server
//! (see `common::falkor`): it fetches as the user moves, searches through the
//! server, filters by date, draws the map's two rings, and survives the server
//! going away.

use crate::common::falkor::Server;
use crate::common::ties;
use crate::common::tmux::{Tmux, require_tmux};

/// A chain c0 → c1 → … → c9, longer than the two rings the explorer fetches
/// first, so that walking along it must fetch. c6 → c7 is dated 2025, c7 → c8
/// 2023; the rest are undated. c7's name holds quotes and Cypher.
const CHAIN: &str = r#"Graph(
    entities: [
        Entity(id: "c0", kind: place, name: "Quay Zero"),
        Entity(id: "c1", kind: place, name: "Quay One"),
        Entity(id: "c2", kind: place, name: "Quay Two"),
        Entity(id: "c3", kind: place, name: "Quay Three"),
        Entity(id: "c4", kind: place, name: "Quay Four"),
        Entity(id: "c5", kind: place, name: "Quay Five"),
        Entity(id: "c6", kind: place, name: "Quay Six"),
        Entity(id: "c7", kind: place, name: "Lighthouse \"Seven\") RETURN 1 //"),
        Entity(id: "c8", kind: place, name: "Quay Eight"),
        Entity(id: "c9", kind: place, name: "Quay Nine"),
    ],
    relations: [
        Relation(from: "c0", to: "c1", kind: related_to),
        Relation(from: "c1", to: "c2", kind: related_to),
        Relation(from: "c2", to: "c3", kind: related_to),
        Relation(from: "c3", to: "c4", kind: related_to),
        Relation(from: "c4", to: "c5", kind: related_to),
        Relation(from: "c5", to: "c6", kind: related_to),
        Relation(from: "c6", to: "c7", kind: related_to, date: "2025-03"),
        Relation(from: "c7", to: "c8", kind: related_to, date: "2023"),
        Relation(from: "c8", to: "c9", kind: related_to),
    ],
)"#;

/// A server holding the chain, and its URL.
fn chain_server(dir: &tempfile::TempDir) -> (Server, String) {
    let server = Server::start();
    let url = server.url("chain").to_string();
    let data = dir.path().join("chain.ron");
    std::fs::write(&data, CHAIN).unwrap();
    let (code, _, err) = ties()
        .args(["push", "--db", &url, "--data"])
        .arg(&data)
        .run();
    assert_eq!(code, 0, "push failed: {err}");
    (server, url)
}

fn explore(t: &Tmux, url: &str, focus: &str) {
    t.type_text(&format!(
        "{} --db '{url}' --focus {focus}; echo exit-code-$?",
        env!("CARGO_BIN_EXE_ties")
    ));
    t.keys(&["Enter"]);
}

#[test]
#[ignore = "needs tmux and FalkorDB (bash .ci/setup-tools.sh, .ci/setup-falkordb.sh)"]
fn the_explorer_fetches_as_it_moves_searches_the_server_and_maps_two_rings() {
    require_tmux();
    let dir = tempfile::tempdir().unwrap();
    let (_server, url) = chain_server(&dir);
    let t = Tmux::start("db-walk");
    explore(&t, &url, "c0");
    let s = t.wait_for("place · c0");
    assert!(s.contains("Quay One"), "{s}");
    // c1 was in the first two rings; c2 too, but not c2's own neighbour c3:
    // moving to c2 fetches it.
    t.keys(&["Enter"]);
    t.wait_for("place · c1");
    t.keys(&["Enter"]);
    t.wait_for("place · c2");
    let s = t.wait_for("Quay Three");
    assert!(s.contains("Quay One"), "{s}");
    assert!(!s.contains("fetching"), "the loading mark stays:\n{s}");
    // Back: to c1, from the cache.
    t.keys(&["Left"]);
    let s = t.wait_for("place · c1");
    assert!(s.contains("Quay Zero") && s.contains("Quay Two"), "{s}");
    // Jump: the server's full-text index finds a name with quotes and Cypher
    // in it, searched as text.
    t.type_text("/lighthouse \"seven\") return");
    let s = t.wait_until("the hit", |s| {
        s.contains("found") && s.contains("Lighthouse \"Seven\"")
    });
    assert!(!s.contains("nothing matches"), "{s}");
    t.keys(&["Enter"]);
    t.wait_for("place · c7");
    let s = t.wait_for("Quay Eight");
    assert!(s.contains("Quay Six"), "{s}");
    // A date filter: 2025 keeps c6 → c7 (March 2025) and drops c7 → c8 (2023).
    t.type_text("d2025");
    t.keys(&["Enter"]);
    let s = t.wait_for("dates: 2025");
    assert!(s.contains("Quay Six"), "{s}");
    assert!(
        !s.contains("Quay Eight"),
        "a 2023 relation shown in 2025:\n{s}"
    );
    // The map's two rings: c5, two relations away and never fetched, appears.
    assert!(!s.contains("Quay Five"), "{s}");
    t.type_text("m");
    t.type_text("+");
    let s = t.wait_for("Quay Five");
    assert!(
        !s.contains("Quay Eight"),
        "the map ignores the date filter:\n{s}"
    );
    t.type_text("m");
    t.type_text("q");
    let s = t.wait_for("exit-code-0");
    assert!(!s.contains("panicked"), "{s}");
    t.assert_shell_usable();
}

#[test]
#[ignore = "needs tmux and FalkorDB (bash .ci/setup-tools.sh, .ci/setup-falkordb.sh)"]
fn the_server_going_away_mid_session_is_said_and_the_explorer_goes_on() {
    require_tmux();
    let dir = tempfile::tempdir().unwrap();
    let (mut server, url) = chain_server(&dir);
    let t = Tmux::start("db-gone");
    explore(&t, &url, "c0");
    t.wait_for("place · c0");
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    // c1 is known already; c2's neighbours are not, and cannot be fetched.
    t.keys(&["Enter"]);
    t.wait_for("place · c1");
    t.keys(&["Enter"]);
    t.wait_for("place · c2");
    let s = t.wait_for("database unreachable");
    assert!(
        s.contains("Quay One"),
        "what was fetched is still shown:\n{s}"
    );
    assert!(!s.contains("fetching"), "the loading mark stays:\n{s}");
    // Keys still work, on what was fetched.
    t.keys(&["Left"]);
    let s = t.wait_for("place · c1");
    assert!(s.contains("Quay Zero"), "{s}");
    // Esc clears the message; a search says so again, and Esc closes it.
    t.keys(&["Escape"]);
    let s = t.wait_until("the message cleared", |s| !s.contains("unreachable"));
    assert!(s.contains("place · c1"), "{s}");
    t.type_text("/quay");
    t.wait_for("database unreachable");
    t.keys(&["Escape"]);
    t.wait_until("the search closed", |s| !s.contains("> quay"));
    t.type_text("q");
    let s = t.wait_for("exit-code-0");
    assert!(!s.contains("panicked"), "{s}");
    t.assert_shell_usable();
}
