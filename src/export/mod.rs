//! Exporting a view: every format renders the same [`Subgraph`], and files are
//! written atomically and never overwritten without consent.

pub mod csv;
mod dot;
mod ftm;
mod gexf;
mod graphml;
mod json;
mod mermaid;
mod records;

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::graph::{EdgeIx, Graph};
use crate::model::date_span;
use crate::view::Subgraph;

pub use csv::{to_csv, write_csv};
pub use dot::to_dot;
pub use ftm::{NoteEntity, to_ftm, to_ftm_with_notes};
pub use gexf::to_gexf;
pub use graphml::to_graphml;
pub use json::{to_json, to_json_focused};
pub use mermaid::to_mermaid;
pub use records::{records_to_ron, to_records, to_ron};

/// Formats `ties export` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// The JSON shape of the foundation issue: nodes, edges, sources.
    Json,
    /// The graph file format: loads back with `--data`.
    Ron,
    /// Graphviz: render with `dot -Tsvg`.
    Dot,
    /// A Mermaid flowchart, for Markdown pages that render Mermaid.
    Mermaid,
    /// GraphML with typed node and edge attributes, for Gephi, networkx, yEd.
    Graphml,
    /// A FollowTheMoney entity stream (one JSON entity per line) for Aleph and
    /// the `followthemoney` tools; loads back with `--data FILE.ftm.json`.
    Ftm,
    /// GEXF 1.2 for Gephi, dates as dynamics (its timeline plays them).
    Gexf,
    /// Node and relationship tables in the Neo4j import layout (see
    /// [`write_csv`] for the two files; `render` puts one after the other).
    Csv,
}

impl Format {
    /// Every format, in the order menus list them.
    pub const ALL: [Format; 8] = [
        Format::Json,
        Format::Ron,
        Format::Dot,
        Format::Mermaid,
        Format::Graphml,
        Format::Ftm,
        Format::Gexf,
        Format::Csv,
    ];

    /// The format's name, as `--format` takes it.
    pub fn name(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Ron => "ron",
            Format::Dot => "dot",
            Format::Mermaid => "mermaid",
            Format::Graphml => "graphml",
            Format::Ftm => "ftm",
            Format::Gexf => "gexf",
            Format::Csv => "csv",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Ron => "ron",
            Format::Dot => "dot",
            Format::Mermaid => "mmd",
            Format::Graphml => "graphml",
            Format::Ftm => "ftm.json",
            Format::Gexf => "gexf",
            Format::Csv => "csv",
        }
    }

    /// The format a file name's extension names (`view.dot`, `u.ftm.json`), the
    /// longest matching extension first; `None` for another extension. CSV is
    /// never chosen so: it is written to a folder, whatever its name.
    pub fn from_file_name(name: &str) -> Option<Format> {
        let name = name.trim().to_lowercase();
        let mut all: Vec<Format> = Format::ALL
            .into_iter()
            .filter(|f| *f != Format::Csv)
            .collect();
        all.sort_by_key(|f| std::cmp::Reverse(f.extension().len()));
        all.into_iter()
            .find(|f| name.ends_with(&format!(".{}", f.extension())))
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Format {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Format::ALL
            .into_iter()
            .find(|f| f.name().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| {
                let names: Vec<&str> = Format::ALL.iter().map(|f| f.name()).collect();
                format!("unknown format `{s}`; formats: {}", names.join(", "))
            })
    }
}

/// Renders a view in a format.
pub fn render(graph: &Graph, sub: &Subgraph, format: Format) -> String {
    match format {
        Format::Json => to_json(graph, sub),
        Format::Ron => to_ron(graph, sub),
        Format::Dot => to_dot(graph, sub),
        Format::Mermaid => to_mermaid(graph, sub),
        Format::Graphml => to_graphml(graph, sub),
        Format::Ftm => to_ftm(graph, sub),
        Format::Gexf => to_gexf(graph, sub),
        Format::Csv => to_csv(graph, sub),
    }
}

/// The lines of an entity's label in drawn formats: its name, then its kind with its
/// date and amount when known (`agreement, 2024-11-23, €10,000,000`).
pub(crate) fn entity_label_lines(graph: &Graph, node: crate::graph::NodeIx) -> Vec<String> {
    let e = graph.entity(node);
    let mut detail = vec![graph.entity_kind_label(e.kind).to_string()];
    detail.extend(date_span(e.date, e.until));
    detail.extend(e.amount.map(|a| a.to_string()));
    vec![e.name.to_string(), detail.join(", ")]
}

/// The lines of a relation's label in drawn formats: its kind as a phrase (with the
/// role, if any), then its date, then its amount, each only when known.
pub(crate) fn relation_label_lines(graph: &Graph, edge: EdgeIx) -> Vec<String> {
    let r = graph.relation(edge);
    let mut phrase = graph.relation_phrase(r.kind);
    if let Some(role) = r.role {
        phrase = format!("{phrase} ({})", graph.sym(role));
    }
    let mut lines = vec![phrase];
    lines.extend(date_span(r.date, r.until));
    lines.extend(r.amount.map(|a| a.to_string()));
    lines
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
    write_atomic_with(path, force, |w| w.write_all(bytes))
}

/// Like [`write_atomic`], but streams: `fill` writes the contents to a buffered
/// writer on the temporary file.
pub fn write_atomic_with(
    path: &Path,
    force: bool,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), WriteError> {
    // Temporary-file errors name the temporary path; the user only knows theirs.
    let io = |source: std::io::Error| WriteError::Io {
        path: path.to_path_buf(),
        source: match source.to_string().split_once(" at path ") {
            Some((msg, _)) => std::io::Error::new(source.kind(), msg.to_string()),
            None => source,
        },
    };
    if !force && path.exists() {
        return Err(WriteError::Exists(path.to_path_buf()));
    }
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let tmp = tempfile::Builder::new()
        .prefix(".ties-export-")
        .tempfile_in(dir)
        .map_err(io)?;
    let mut w = std::io::BufWriter::with_capacity(1 << 20, tmp);
    fill(&mut w).map_err(io)?;
    let tmp = w.into_inner().map_err(|e| io(e.into_error()))?;
    // Temporary files are private (0600); an export is an ordinary file.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))
            .map_err(io)?;
    }
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
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&p).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o644);
        }
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
