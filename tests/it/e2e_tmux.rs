//! End-to-end runs of the real binary in a real terminal (tmux), as a user would:
//! keys typed, the screen read back, the shell checked afterwards.
//!
//! Needs tmux. Without it these tests fail when `TIES_REQUIRE_TOOLS=1` (as in
//! `.ci/run`, which installs tmux) and are skipped with a note otherwise.

use crate::common;

use std::process::Command;
use std::thread::sleep;
use std::time::{Duration, Instant};

struct Tmux {
    session: String,
}

fn have_tmux() -> bool {
    let ok = Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            std::env::var("TIES_REQUIRE_TOOLS").as_deref() != Ok("1"),
            "tmux is required (TIES_REQUIRE_TOOLS=1) but not installed"
        );
        eprintln!("tmux not installed: skipping end-to-end test");
    }
    ok
}

impl Tmux {
    fn start(name: &str) -> Tmux {
        let session = format!("ties-e2e-{name}-{}", std::process::id());
        let st = Command::new("tmux")
            .args(["new-session", "-d", "-s", &session, "-x", "120", "-y", "40"])
            .args([
                "env",
                "PS1=$ ",
                "TERM=xterm-256color",
                "bash",
                "--norc",
                "--noprofile",
            ])
            .status()
            .unwrap();
        assert!(st.success());
        Tmux { session }
    }

    fn keys(&self, keys: &[&str]) {
        let st = Command::new("tmux")
            .args(["send-keys", "-t", &self.session])
            .args(keys)
            .status()
            .unwrap();
        assert!(st.success());
    }

    /// Types text literally.
    fn type_text(&self, text: &str) {
        let st = Command::new("tmux")
            .args(["send-keys", "-l", "-t", &self.session, text])
            .status()
            .unwrap();
        assert!(st.success());
    }

    fn screen(&self) -> String {
        let o = Command::new("tmux")
            .args(["capture-pane", "-p", "-t", &self.session])
            .output()
            .unwrap();
        String::from_utf8_lossy(&o.stdout).into_owned()
    }

    /// Waits until the screen shows `text` (up to 10 s), returning the screen.
    /// Waits until the screen shows `text` and has stopped changing (a capture
    /// can catch a frame half written).
    fn wait_for(&self, text: &str) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if s.contains(text) {
                sleep(Duration::from_millis(80));
                if self.screen() == s {
                    return s;
                }
                continue;
            }
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "timed out waiting for `{text}`; screen:\n{s}"
            );
            sleep(Duration::from_millis(50));
        }
    }

    /// Checks the shell is usable and the tty back in cooked mode with echo on.
    fn assert_shell_usable(&self) {
        self.type_text("clear; stty -a | tr ' ' '\\n' | grep -E '^-?(icanon|echo)$' | tr '\\n' ' '; echo; echo shell-ok-$((20+22))");
        self.keys(&["Enter"]);
        let s = self.wait_for("shell-ok-42");
        assert!(s.contains("icanon echo"), "terminal left in raw mode:\n{s}");
        assert!(!s.contains("-icanon") && !s.contains("-echo "), "{s}");
    }

    fn ties_pid(&self) -> Option<u32> {
        let o = Command::new("tmux")
            .args(["list-panes", "-t", &self.session, "-F", "#{pane_pid}"])
            .output()
            .unwrap();
        let shell = String::from_utf8_lossy(&o.stdout).trim().to_string();
        let o = Command::new("pgrep")
            .args(["-P", &shell, "ties"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&o.stdout).trim().parse().ok()
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["kill-session", "-t", &self.session])
            .status();
    }
}

fn ties_cmd() -> String {
    env!("CARGO_BIN_EXE_ties").to_string()
}

#[test]
fn jump_filter_and_quit_leave_a_clean_shell() {
    if !have_tmux() {
        return;
    }
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
fn sigterm_restores_the_terminal() {
    if !have_tmux() {
        return;
    }
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
fn resizing_to_one_cell_and_back_does_not_panic() {
    if !have_tmux() {
        return;
    }
    let t = Tmux::start("resize");
    t.type_text(&format!("{}; echo exit-code-$?", ties_cmd()));
    t.keys(&["Enter"]);
    t.wait_for("dates: all dates");
    for (w, h) in [("1", "1"), ("20", "5"), ("10", "3"), ("120", "40")] {
        let st = Command::new("tmux")
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
fn a_terminal_that_hangs_up_ends_ties() {
    if !have_tmux() {
        return;
    }
    let t = Tmux::start("hangup");
    t.type_text(&ties_cmd());
    t.keys(&["Enter"]);
    t.wait_for("dates: all dates");
    let pid = t.ties_pid().expect("ties is running");
    // Closing the session closes the pseudo-terminal: ties gets SIGHUP and its
    // input reads fail. It must exit rather than linger or spin.
    let st = Command::new("tmux")
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
fn a_window_counts_undated_relations_and_enter_in_money_closes_it() {
    if !have_tmux() {
        return;
    }
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
fn brackets_step_the_date_window_with_marks_and_counts() {
    if !have_tmux() {
        return;
    }
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
fn the_explorer_opens_on_a_focus_fetched_from_the_database() {
    if !have_tmux() {
        return;
    }
    let Some(server) = common::falkor::Server::start() else {
        return;
    };
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
