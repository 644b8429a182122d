//! Exporting a view: every format renders the same [`Subgraph`], and files are
//! written atomically and never overwritten without consent.

mod ftm;
mod json;
mod records;

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::graph::Graph;
use crate::view::Subgraph;

pub use ftm::to_ftm;
pub use json::to_json;
pub use records::{to_records, to_ron};

/// Formats `ties export` writes.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, clap::ValueEnum,
)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// The JSON shape of the foundation issue: nodes, edges, sources.
    Json,
    /// The graph file format: loads back with `--data`.
    Ron,
    /// A FollowTheMoney entity stream (one JSON entity per line) for Aleph and
    /// the `followthemoney` tools; loads back with `--data FILE.ftm.json`.
    Ftm,
}

impl Format {
    pub fn extension(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Ron => "ron",
            Format::Ftm => "ftm.json",
        }
    }
}

/// Renders a view in a format.
pub fn render(graph: &Graph, sub: &Subgraph, format: Format) -> String {
    match format {
        Format::Json => to_json(graph, sub),
        Format::Ron => to_ron(graph, sub),
        Format::Ftm => to_ftm(graph, sub),
    }
}

/// Why an export was not written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("{0} exists; pass --force to overwrite it")]
    Exists(PathBuf),
    #[error("cannot write {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Writes `bytes` to `path` through a temporary file in the same folder renamed into
/// place, so a reader never sees half a file and a failure leaves nothing behind.
/// Refuses to replace an existing file unless `force`.
pub fn write_atomic(path: &Path, bytes: &[u8], force: bool) -> Result<(), WriteError> {
    let io = |source| WriteError::Io {
        path: path.to_path_buf(),
        source,
    };
    if !force && path.exists() {
        return Err(WriteError::Exists(path.to_path_buf()));
    }
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".ties-export-")
        .tempfile_in(dir)
        .map_err(io)?;
    tmp.write_all(bytes).map_err(io)?;
    tmp.as_file().sync_all().map_err(io)?;
    if force {
        tmp.persist(path).map_err(|e| io(e.error))?;
    } else {
        // persist_noclobber fails if the file appeared meanwhile.
        tmp.persist_noclobber(path).map_err(|e| {
            if e.error.kind() == std::io::ErrorKind::AlreadyExists {
                WriteError::Exists(path.to_path_buf())
            } else {
                io(e.error)
            }
        })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_overwrites_without_force() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.json");
        write_atomic(&p, b"one", false).unwrap();
        assert!(matches!(
            write_atomic(&p, b"two", false),
            Err(WriteError::Exists(_))
        ));
        assert_eq!(std::fs::read(&p).unwrap(), b"one");
        write_atomic(&p, b"two", true).unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        // No temporary files left behind.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn missing_folder_is_an_error_not_a_panic() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("no/such/dir/out.json");
        assert!(matches!(
            write_atomic(&p, b"x", false),
            Err(WriteError::Io { .. })
        ));
    }
}
