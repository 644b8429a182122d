//! Views saved to small RON files and opened with `ties --view FILE`.
//!
//! ```ron
//! View(
//!     focus: "kyrylo-budanov",
//!     depth: 2,
//!     direction: both,
//!     from: "2024-11",
//!     to: "2025",
//!     kinds: [person, agreement, other("topic")],
//!     hide_undated: true,
//!     marks: {'a': "palianytsia"},
//! )
//! ```
//!
//! Every field may be left out: no focus (the whole graph), depth 1, both
//! directions, all dates, every kind, undated relations shown, no marks. Unknown
//! fields are refused, so a typo is reported rather than silently ignored.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::export::{WriteError, write_atomic};
use crate::graph::{Graph, NodeIx};
use crate::load::{Location, ron_options};
use crate::model::date::WindowError;
use crate::model::{DateWindow, EntityKind, PartialDate, Sym};
use crate::view::{Filter, Reach};

/// A saved view: what to centre on, how far to look, and what to show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename = "View", default, deny_unknown_fields)]
pub struct ViewSpec {
    /// The entity id the view is centred on; none for the whole graph.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub focus: Option<String>,
    /// How many hops from the focus to include.
    pub depth: usize,
    /// Which relations to follow from the focus.
    pub direction: Reach,
    /// Only things dated on or after this date (its whole period counts).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<PartialDate>,
    /// Only things dated on or before this date (its whole period counts).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<PartialDate>,
    /// Entity kinds shown; empty for every kind.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub kinds: Vec<EntityKind>,
    /// Leave out relations that have no date.
    pub hide_undated: bool,
    /// Datasets shown; empty for every dataset.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub datasets: Vec<String>,
    /// Marked entities: a key and the entity id it jumps to.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub marks: BTreeMap<char, String>,
}

impl Default for ViewSpec {
    fn default() -> Self {
        ViewSpec {
            focus: None,
            depth: 1,
            direction: Reach::Both,
            from: None,
            to: None,
            kinds: Vec::new(),
            hide_undated: false,
            datasets: Vec::new(),
            marks: BTreeMap::new(),
        }
    }
}

/// Why a view file could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum ViewFileError {
    #[error("cannot read view file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    /// Bad RON, an unknown field, a bad date: where, and what.
    #[error("{location}: {message}")]
    Syntax { location: Location, message: String },
    /// Parsed, but inconsistent (a window that ends before it starts).
    #[error("{file}: {message}")]
    Invalid { file: String, message: String },
    #[error(transparent)]
    Write(#[from] WriteError),
}

/// Why a view does not fit a graph.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ViewError {
    #[error("the view's focus `{0}` is not an entity id in this graph")]
    UnknownFocus(String),
    #[error("unknown entity kind `{kind}`{hint}; kinds in this graph: {known}")]
    UnknownKind {
        kind: String,
        /// ` (did you mean `person`?)` for a kind a letter or two away.
        hint: String,
        known: String,
    },
    #[error("{0}")]
    Window(#[from] WindowError),
    #[error("unknown dataset `{name}`; datasets in this graph: {known}")]
    UnknownDataset { name: String, known: String },
}

/// A view resolved against a graph, ready for [`crate::view::subgraph`].
#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedView {
    /// The entity in the middle; the whole graph when `None`.
    pub focus: Option<NodeIx>,
    pub filter: Filter,
    /// Hops from the focus.
    pub depth: usize,
    /// Which relations the hops follow.
    pub reach: Reach,
}

impl ViewSpec {
    /// Reads a view file. Errors name the file, and the line and column for syntax.
    pub fn load(path: &Path) -> Result<ViewSpec, ViewFileError> {
        let text = std::fs::read_to_string(path).map_err(|source| ViewFileError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Self::parse(&path.display().to_string(), &text)
    }

    /// Parses a view file's text; `name` is how the file is named in errors.
    pub fn parse(name: &str, text: &str) -> Result<ViewSpec, ViewFileError> {
        let body = text.strip_prefix('\u{feff}').unwrap_or(text);
        let spec: ViewSpec = ron_options().from_str(body).map_err(|e| {
            let pos = e.span.start;
            ViewFileError::Syntax {
                location: Location {
                    file: name.to_string(),
                    line_col: Some((pos.line, pos.col)),
                },
                message: e.code.to_string(),
            }
        })?;
        DateWindow::new(spec.from, spec.to).map_err(|e| ViewFileError::Invalid {
            file: name.to_string(),
            message: e.to_string(),
        })?;
        Ok(spec)
    }

    /// The view as RON text, as [`ViewSpec::save`] writes it.
    pub fn to_ron(&self) -> String {
        let pretty = ron::ser::PrettyConfig::new()
            .indentor("    ".to_string())
            .struct_names(true);
        let body = ron_options()
            .to_string_pretty(self, pretty)
            .expect("a view always serializes");
        format!("#![enable(implicit_some)]\n{body}\n")
    }

    /// Writes the view to `path` atomically; an existing file is replaced only
    /// with `force`.
    pub fn save(&self, path: &Path, force: bool) -> Result<(), ViewFileError> {
        Ok(write_atomic(path, self.to_ron().as_bytes(), force)?)
    }

    /// The spec of a view on screen, to save it. The filter's relation kinds are
    /// not part of a view file and are dropped; marks start empty.
    pub fn from_view(
        graph: &Graph,
        focus: Option<NodeIx>,
        filter: &Filter,
        depth: usize,
        reach: Reach,
    ) -> ViewSpec {
        ViewSpec {
            focus: focus.map(|n| graph.entity(n).id.to_string()),
            depth,
            direction: reach,
            from: filter.window.from,
            to: filter.window.to,
            kinds: filter
                .entity_kinds
                .iter()
                .map(|k| k.map_other(|s| graph.sym(s).to_string()))
                .collect(),
            hide_undated: filter.hide_undated,
            datasets: filter
                .datasets
                .iter()
                .map(|d| graph.dataset_name(*d).to_string())
                .collect(),
            marks: BTreeMap::new(),
        }
    }

    /// The focus entity, if any; an id the graph does not hold is an error.
    pub fn focus_node(&self, graph: &Graph) -> Result<Option<NodeIx>, ViewError> {
        self.focus
            .as_deref()
            .map(|id| {
                graph
                    .find(id)
                    .ok_or_else(|| ViewError::UnknownFocus(id.to_string()))
            })
            .transpose()
    }

    /// The filter the view asks for: its date window, kinds and undated setting.
    pub fn filter(&self, graph: &Graph) -> Result<Filter, ViewError> {
        let window = DateWindow::new(self.from, self.to)?;
        let entity_kinds = self
            .kinds
            .iter()
            .map(|k| resolve_kind(graph, k.label()))
            .collect::<Result<_, _>>()?;
        let datasets = self
            .datasets
            .iter()
            .map(|name| {
                graph
                    .find_dataset(name)
                    .ok_or_else(|| ViewError::UnknownDataset {
                        name: name.clone(),
                        known: graph.dataset_names().join(", "),
                    })
            })
            .collect::<Result<_, _>>()?;
        Ok(Filter {
            window,
            hide_undated: self.hide_undated,
            entity_kinds,
            relation_kinds: Vec::new(),
            datasets,
            only: None,
            tags: Vec::new(),
        })
    }

    /// Focus, filter, depth and direction of the view in `graph`.
    pub fn resolve(&self, graph: &Graph) -> Result<ResolvedView, ViewError> {
        Ok(ResolvedView {
            focus: self.focus_node(graph)?,
            filter: self.filter(graph)?,
            depth: self.depth,
            reach: self.direction,
        })
    }
}

/// The entity kind named `label` in `graph`: a known kind (`person`, `fund`…), or
/// one of the graph's own `other(..)` kinds (`topic`).
pub fn resolve_kind(graph: &Graph, label: &str) -> Result<EntityKind<Sym>, ViewError> {
    if let Some(k) = EntityKind::<Sym>::from_label(label) {
        return Ok(k);
    }
    let mut others: Vec<&str> = Vec::new();
    for n in graph.node_indices() {
        if let EntityKind::Other(s) = graph.entity(n).kind {
            if graph.sym(s) == label {
                return Ok(EntityKind::Other(s));
            }
            others.push(graph.sym(s));
        }
    }
    others.sort_unstable();
    others.dedup();
    let known: Vec<&str> = EntityKind::<Sym>::KNOWN
        .iter()
        .filter_map(|k| k.known_label())
        .chain(others)
        .collect();
    let near = known
        .iter()
        .map(|k| (strsim::osa_distance(&label.to_lowercase(), k), *k))
        .filter(|&(d, k)| d <= 2.min(k.len() / 3).max(1))
        .min();
    Err(ViewError::UnknownKind {
        kind: label.to_string(),
        hint: near.map_or_else(String::new, |(_, k)| format!(" (did you mean `{k}`?)")),
        known: known.join(", "),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::load_texts;

    fn fixture() -> Graph {
        let text = r#"Graph(
            sources: [Source(id: "s", outlet: "o", title: "t", file: "f")],
            entities: [
                Entity(id: "a", kind: person, name: "A"),
                Entity(id: "t", kind: other("topic"), name: "T"),
            ],
            relations: [Relation(from: "a", to: "t", kind: concerns, sources: ["s"])],
        )"#;
        load_texts(vec![("f.ron".into(), text.into())]).unwrap()
    }

    #[test]
    fn every_field_is_optional() {
        let spec = ViewSpec::parse("v.ron", "View()").unwrap();
        assert_eq!(spec, ViewSpec::default());
        assert_eq!(spec.depth, 1);
        let spec = ViewSpec::parse("v.ron", "()").unwrap();
        assert_eq!(spec, ViewSpec::default());
    }

    #[test]
    fn saves_and_loads_back() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("v.ron");
        let spec = ViewSpec {
            focus: Some("a".into()),
            depth: 3,
            direction: Reach::Out,
            from: "2024-11".parse().ok(),
            to: "2025".parse().ok(),
            kinds: vec![EntityKind::Person, EntityKind::Other("topic".into())],
            hide_undated: true,
            datasets: vec!["kek".into()],
            marks: [('a', "a".to_string()), ('b', "t".to_string())].into(),
        };
        spec.save(&p, false).unwrap();
        assert_eq!(ViewSpec::load(&p).unwrap(), spec);
        // Never overwrites without force.
        assert!(matches!(
            ViewSpec::default().save(&p, false),
            Err(ViewFileError::Write(WriteError::Exists(_)))
        ));
        ViewSpec::default().save(&p, true).unwrap();
        assert_eq!(ViewSpec::load(&p).unwrap(), ViewSpec::default());
    }

    #[test]
    fn errors_name_file_line_and_column() {
        let text = "View(\n    depth: 2,\n    dpeth: 3,\n)";
        let err = ViewSpec::parse("v.ron", text).unwrap_err().to_string();
        assert!(err.starts_with("v.ron:3:"), "{err}");
        assert!(err.contains("dpeth"), "{err}");
        let err = ViewSpec::parse("v.ron", "View(from: \"2024-13\")")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("v.ron:1:"), "{err}");
        assert!(err.contains("no month 13"), "{err}");
        let err = ViewSpec::parse("v.ron", "View(from: \"2025\", to: \"2024\")")
            .unwrap_err()
            .to_string();
        assert_eq!(err, "v.ron: the window ends (2024) before it starts (2025)");
        let missing = ViewSpec::load(Path::new("/no/such/view.ron")).unwrap_err();
        assert!(missing.to_string().contains("/no/such/view.ron"));
    }

    #[test]
    fn resolves_against_a_graph() {
        let g = fixture();
        let spec = ViewSpec::parse(
            "v.ron",
            r#"View(focus: "a", depth: 2, direction: out, kinds: [person, other("topic")], to: "2024")"#,
        )
        .unwrap();
        let ResolvedView {
            focus,
            filter,
            depth,
            reach,
        } = spec.resolve(&g).unwrap();
        assert_eq!(focus, g.find("a"));
        assert_eq!((depth, reach), (2, Reach::Out));
        assert_eq!(filter.entity_kinds.len(), 2);
        assert!(filter.entity_visible(&g, g.find("t").unwrap()));
        assert_eq!(filter.window.to, "2024".parse().ok());
        // And back again.
        assert_eq!(ViewSpec::from_view(&g, focus, &filter, depth, reach), spec);
    }

    #[test]
    fn unknown_focus_and_kinds_are_named() {
        let g = fixture();
        let spec = ViewSpec {
            focus: Some("nobody".into()),
            ..ViewSpec::default()
        };
        assert_eq!(
            spec.resolve(&g).unwrap_err().to_string(),
            "the view's focus `nobody` is not an entity id in this graph"
        );
        let spec = ViewSpec {
            kinds: vec![EntityKind::Other("planet".into())],
            ..ViewSpec::default()
        };
        let err = spec.resolve(&g).unwrap_err().to_string();
        assert!(err.starts_with("unknown entity kind `planet`"), "{err}");
        assert!(err.ends_with("equipment, topic"), "{err}");
    }
}
