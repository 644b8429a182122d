//! End-to-end runs of the real binary in a real terminal (tmux), as a user would:
//! keys typed, the screen read back, the shell checked afterwards.
//!
//! Needs tmux: `#[ignore]`d under a plain `cargo test`; run (`bash .ci/run`,
//! which installs tmux, or `--include-ignored`), they fail without it.

use crate::common;

use std::process::Command;
use std::thread::sleep;
use std::time::{Duration, Instant};

use crate::common::tmux::{Tmux, require_tmux};

fn ties_cmd() -> String {
    env!("CARGO_BIN_EXE_ties").to_string()
}

#[test]
#[ignore = "needs tmux (bash .ci/setup-tools.sh)"]
fn jump_filter_and_quit_leave_a_clean_shell() {
    require_tmux();
    let t = Tmux::start("walk");
    t.type_text(&ties_cmd());
    t.keys(&["Enter"]);
    t.wait_for("dates: all dates");
    // Fuzzy jump by a transliterated alias.
    t.type_text("/umierov");
    t.wait_for("alias Umierov");
    t.keys(&["Enter"]);
    let s = t.wait_for("person · rustem-umerov");
    assert!(s.contains("Rustem Umerov"));
    assert!(
        s.contains("Memorandum"),
        "his memoranda are shown before filtering:\n{s}"
    );
    // Filter to 2025: the Vilnius memorandum (23 November 2024) goes; the Kyiv
    // memorandum, whose signing day no report gives, stays as undated.
    t.type_text("d2025");
    t.keys(&["Enter"]);
    let s = t.wait_for("dates: 2025");
    assert!(
        !s.contains("Memorandum of under"),
        "the 2024 memorandum still shown:\n{s}"
    );
    assert!(s.contains("Memorandum on Coop"), "{s}");
    t.type_text("/lithuania");
    t.wait_for("> lithuania");
    t.keys(&["Enter"]);
    let s = t.wait_for("country · lithuania");
    assert!(
        s.contains("Radarom!"),
        "Radarom! campaign not shown in 2025:\n{s}"
    );
    assert!(
        !s.contains("Memorandum of under"),
        "the 2024 memorandum shown in 2025:\n{s}"
    );
    assert!(s.contains("dates: 2025"));
    t.type_text("q");
    t.assert_shell_usable();
}

#[test]
#[ignore = "needs tmux (bash .ci/setup-tools.sh)"]
fn sigterm_restores_the_terminal() {
    require_tmux();
    let t = Tmux::start("sigterm");
    t.type_text(&ties_cmd());
    t.keys(&["Enter"]);
    t.wait_for("dates: all dates");
    let pid = t.ties_pid().expect("ties is running");
    let st = Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .unwrap();
    assert!(st.success());
    // Wait for it to exit, so the keys below reach the shell, not ties.
    let start = Instant::now();
    while std::path::Path::new(&format!("/proc/{pid}")).exists() {
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "ties ignored SIGTERM"
        );
        sleep(Duration::from_millis(20));
    }
    t.assert_shell_usable();
}

#[test]
#[ignore = "needs tmux (bash .ci/setup-tools.sh)"]
fn resizing_to_one_cell_and_back_does_not_panic() {
    require_tmux();
    let t = Tmux::start("resize");
    t.type_text(&format!("{}; echo exit-code-$?", ties_cmd()));
    t.keys(&["Enter"]);
    t.wait_for("dates: all dates");
    for (w, h) in [("1", "1"), ("20", "5"), ("10", "3"), ("120", "40")] {
        let st = t
            .cmd()
            .args(["resize-window", "-t", &t.session, "-x", w, "-y", h])
            .status()
            .unwrap();
        assert!(st.success());
        sleep(Duration::from_millis(300));
    }
    t.wait_for("dates: all dates");
    t.type_text("q");
    t.wait_for("exit-code-0");
    t.assert_shell_usable();
}

#[test]
#[ignore = "needs tmux (bash .ci/setup-tools.sh)"]
fn a_terminal_that_hangs_up_ends_ties() {
    require_tmux();
    let t = Tmux::start("hangup");
    t.type_text(&ties_cmd());
    t.keys(&["Enter"]);
    t.wait_for("dates: all dates");
    let pid = t.ties_pid().expect("ties is running");
    // Closing the session closes the pseudo-terminal: ties gets SIGHUP and its
    // input reads fail. It must exit rather than linger or spin.
    let st = t
        .cmd()
        .args(["kill-session", "-t", &t.session])
        .status()
        .unwrap();
    assert!(st.success());
    let start = Instant::now();
    while std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|s| !s.contains(") Z ")) {
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "ties still running 5 s after its terminal hung up"
        );
        sleep(Duration::from_millis(50));
    }
}

#[test]
#[ignore = "needs tmux (bash .ci/setup-tools.sh)"]
fn a_window_counts_undated_relations_and_enter_in_money_closes_it() {
    require_tmux();
    let t = Tmux::start("money");
    t.type_text(&format!("{} --focus lithuania", ties_cmd()));
    t.keys(&["Enter"]);
    t.wait_for("country · lithuania");
    t.type_text("d2025");
    t.keys(&["Enter"]);
    let s = t.wait_for("undated relations included");
    assert!(s.contains("dates: 2025"), "{s}");
    // Money in 2025: undated amounts apart, not in the window's total.
    t.type_text("$");
    let s = t.wait_for("money of Lithuania");
    assert!(s.contains("undated, not in the window's total"), "{s}");
    // Enter goes to the first amount's counterparty and closes the list.
    t.keys(&["Enter"]);
    sleep(Duration::from_millis(300));
    let s = t.wait_for("dates: 2025");
    assert!(!s.contains("money of Lithuania"), "{s}");
    assert!(
        !s.contains("country · lithuania"),
        "focus did not move:\n{s}"
    );
    t.type_text("q");
    t.assert_shell_usable();
}

/// `ties diff` of two windows as (relations appeared, relations ended).
fn diff_counts(from: &str, to: &str) -> (usize, usize) {
    let o = Command::new(ties_cmd())
        .args(["--no-cache", "diff", "--from", from, "--to", to, "--json"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let n = |k: &str| v[k].as_array().map_or(0, Vec::len);
    (n("appeared"), n("ended"))
}

#[test]
#[ignore = "needs tmux (bash .ci/setup-tools.sh)"]
fn brackets_step_the_date_window_with_marks_and_counts() {
    require_tmux();
    let (appeared, ended) = diff_counts("2024", "2025");
    assert!(appeared > 0 && ended > 0);
    let t = Tmux::start("step");
    t.type_text(&format!("{} --focus lithuania", ties_cmd()));
    t.keys(&["Enter"]);
    t.wait_for("country · lithuania");
    t.type_text("d2024");
    t.keys(&["Enter"]);
    let s = t.wait_for("dates: 2024");
    assert!(
        !s.contains("+ Third Radarom!"),
        "no marks before a step:\n{s}"
    );
    t.type_text("]");
    let s = t.wait_for(&format!("2025 · {appeared} appeared, {ended} ended"));
    assert!(s.contains("dates: 2025"), "{s}");
    // The 2025 campaign appeared; relations of November 2024 ended.
    // (The name is cut before the relation kind is.)
    assert!(s.contains("+ Third Radarom! fundrais"), "{s}");
    assert!(s.contains("│− "), "no ended relation marked:\n{s}");
    t.type_text("[");
    let s = t.wait_for(&format!("2024 · {ended} appeared, {appeared} ended"));
    assert!(s.contains("dates: 2024"), "{s}");
    assert!(s.contains("− Third Radarom! fundrais"), "{s}");
    // The map marks it too.
    t.type_text("]m");
    let s = t.wait_for("map · ");
    assert!(s.contains("+Third Radarom!"), "{s}");
    t.type_text("mq");
    t.assert_shell_usable();
}

#[test]
#[ignore = "needs tmux and FalkorDB (bash .ci/setup-tools.sh, .ci/setup-falkordb.sh)"]
fn the_explorer_opens_on_a_focus_fetched_from_the_database() {
    require_tmux();
    let server = common::falkor::Server::start();
    let url = server.url("shipped").to_string();
    let (code, _, err) = common::ties().args(["push", "--db", &url]).run();
    assert_eq!(code, 0, "{err}");
    let t = Tmux::start("db");
    t.type_text(&format!("{} --db '{url}' --focus kasciunas", ties_cmd()));
    t.keys(&["Enter"]);
    let s = t.wait_for("dates: all dates");
    assert!(s.contains("Kasčiūnas"), "the focus is on screen:\n{s}");
    // A date filter works on the fetched neighbourhood as on a loaded graph.
    t.type_text("d2025");
    t.keys(&["Enter"]);
    t.wait_for("dates: 2025");
    t.type_text("q");
    t.assert_shell_usable();
    // Nothing panicked on the way out.
    assert!(!t.screen().contains("panicked"));
}
