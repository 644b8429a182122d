//! A real terminal for end-to-end tests: a tmux session running a shell, keys
//! typed into it, the screen read back.
//!
//! Needs tmux: the tests using this are `#[ignore = "needs tmux …"]` and fail
//! when it is missing.

use std::process::Command;
use std::thread::sleep;
use std::time::{Duration, Instant};

/// One session on its own tmux server (`-L`, a socket named after the
/// session): tests run in parallel, and a shared default server exits when its
/// last session closes, so a `new-session` racing that exit fails with "server
/// exited unexpectedly".
pub struct Tmux {
    pub session: String,
    /// The server's socket file, removed when the test ends.
    socket: Option<String>,
}

/// Fails the test unless tmux runs.
pub fn require_tmux() {
    let ok = Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        super::missing_tool("tmux");
    }
}

impl Tmux {
    pub fn start(name: &str) -> Tmux {
        let session = format!("ties-e2e-{name}-{}", std::process::id());
        let st = Command::new("tmux")
            .args(["-L", &session, "-f", "/dev/null"])
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
        assert!(st.success(), "tmux new-session {session} failed");
        let mut t = Tmux {
            session,
            socket: None,
        };
        t.socket = t
            .cmd()
            .args(["display-message", "-p", "#{socket_path}"])
            .output()
            .ok()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
            .filter(|p| !p.is_empty());
        t
    }

    /// A `tmux` command talking to this session's own server.
    pub fn cmd(&self) -> Command {
        let mut c = Command::new("tmux");
        c.args(["-L", &self.session]);
        c
    }

    pub fn keys(&self, keys: &[&str]) {
        let st = self
            .cmd()
            .args(["send-keys", "-t", &self.session])
            .args(keys)
            .status()
            .unwrap();
        assert!(st.success());
    }

    /// Types text literally.
    pub fn type_text(&self, text: &str) {
        let st = self
            .cmd()
            .args(["send-keys", "-l", "-t", &self.session, text])
            .status()
            .unwrap();
        assert!(st.success());
    }

    pub fn screen(&self) -> String {
        let o = self
            .cmd()
            .args(["capture-pane", "-p", "-t", &self.session])
            .output()
            .unwrap();
        String::from_utf8_lossy(&o.stdout).into_owned()
    }

    /// Waits until the screen shows `text` (up to 30 s: a loaded CI machine) and has stopped
    /// changing (a capture can catch a frame half written); returns it.
    pub fn wait_for(&self, text: &str) -> String {
        self.wait_until(text, |s| s.contains(text))
    }

    /// Waits until `ok` holds for the screen (up to 30 s, `what` names it).
    pub fn wait_until(&self, what: &str, ok: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if ok(&s) {
                sleep(Duration::from_millis(80));
                if self.screen() == s {
                    return s;
                }
                continue;
            }
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "timed out waiting for `{what}`; screen:\n{s}"
            );
            sleep(Duration::from_millis(50));
        }
    }

    /// Checks the shell is usable and the tty back in cooked mode with echo on.
    ///
    /// Waits first for `ties` to have exited: text typed while it still runs (a
    /// `q` not yet read, say) would be read by ties, not by the shell.
    pub fn assert_shell_usable(&self) {
        let start = Instant::now();
        while self.ties_pid().is_some() {
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "ties still running 30 s after it was told to quit; screen:\n{}",
                self.screen()
            );
            sleep(Duration::from_millis(50));
        }
        self.type_text("clear; stty -a | tr ' ' '\\n' | grep -E '^-?(icanon|echo)$' | tr '\\n' ' '; echo; echo shell-ok-$((20+22))");
        self.keys(&["Enter"]);
        let s = self.wait_for("shell-ok-42");
        assert!(s.contains("icanon echo"), "terminal left in raw mode:\n{s}");
        assert!(!s.contains("-icanon") && !s.contains("-echo "), "{s}");
    }

    /// The pid of the `ties` the pane's shell is running, if any.
    pub fn ties_pid(&self) -> Option<u32> {
        let o = self
            .cmd()
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
        let _ = self.cmd().arg("kill-server").status();
        if let Some(socket) = &self.socket {
            let _ = std::fs::remove_file(socket);
        }
    }
}
