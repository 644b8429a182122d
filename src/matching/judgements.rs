//! Judgements of who is who, in nomenklatura's resolver file format: one JSON
//! array a line, `[target, source, judgement, score, user, created_at]`, the
//! judgement `positive`, `negative`, `unsure` or `no_judgement` (which takes an
//! earlier one back). A later line for the same pair supersedes an earlier one,
//! as `nomenklatura load-resolver` reads it. The file is only ever appended to,
//! each line synced to disk before the call returns.
//!
//! Positive judgements are transitive: clusters are the connected components
//! of the positive edges (union–find), over ids that may not be in the data
//! (nomenklatura's `NK-…` canonical ids).

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::Value;

/// A judgement of whether two records are one thing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Judgement {
    Positive,
    Negative,
    Unsure,
    NoJudgement,
}

impl Judgement {
    pub fn as_str(self) -> &'static str {
        match self {
            Judgement::Positive => "positive",
            Judgement::Negative => "negative",
            Judgement::Unsure => "unsure",
            Judgement::NoJudgement => "no_judgement",
        }
    }

    pub fn parse(s: &str) -> Option<Judgement> {
        Some(match s {
            "positive" => Judgement::Positive,
            "negative" => Judgement::Negative,
            "unsure" => Judgement::Unsure,
            "no_judgement" => Judgement::NoJudgement,
            _ => return None,
        })
    }
}

/// One line of the file.
#[derive(Debug, Clone, PartialEq)]
pub struct Edge {
    pub target: String,
    pub source: String,
    pub judgement: Judgement,
    pub score: Option<f64>,
    pub user: Option<String>,
    pub created_at: Option<String>,
}

/// A line that is not a judgement.
#[derive(Debug, thiserror::Error)]
pub enum JudgementsError {
    #[error("{path}:{line}: {msg}")]
    Line {
        path: PathBuf,
        line: usize,
        msg: String,
    },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot judge {0} against itself")]
    SameId(String),
}

/// nomenklatura's weight of an id, which decides which end is the target:
/// its own canonical ids (`NK-…`) 2, Wikidata ids (`Q42`) 3, others 1.
fn weight(id: &str) -> u8 {
    if id.starts_with("NK-") {
        2
    } else if id.len() > 1
        && id.starts_with('Q')
        && id[1..].bytes().all(|b| b.is_ascii_digit())
        && !id[1..].starts_with('0')
    {
        3
    } else {
        1
    }
}

/// The pair as nomenklatura orders it: (target, source), the target the
/// greater by (weight, id).
pub fn pair(a: &str, b: &str) -> (String, String) {
    if (weight(a), a) >= (weight(b), b) {
        (a.to_string(), b.to_string())
    } else {
        (b.to_string(), a.to_string())
    }
}

impl Edge {
    pub fn new(a: &str, b: &str, judgement: Judgement, score: Option<f64>, user: &str) -> Edge {
        let (target, source) = pair(a, b);
        Edge {
            target,
            source,
            judgement,
            // nomenklatura keeps a score only on suggestions.
            score: if judgement == Judgement::NoJudgement {
                score
            } else {
                None
            },
            user: Some(user.to_string()),
            created_at: Some(now_utc()),
        }
    }

    pub fn to_line(&self) -> String {
        let row = serde_json::json!([
            self.target,
            self.source,
            self.judgement.as_str(),
            self.score,
            self.user,
            self.created_at
        ]);
        format!("{row}\n")
    }

    fn from_line(line: &str) -> Result<Edge, String> {
        let v: Value = serde_json::from_str(line).map_err(|e| format!("not JSON: {e}"))?;
        let a = v.as_array().ok_or("not a JSON array")?;
        if a.len() < 3 {
            return Err("a judgement needs at least target, source and judgement".into());
        }
        let text = |i: usize, what: &str| -> Result<String, String> {
            a[i].as_str()
                .map(str::to_string)
                .ok_or_else(|| format!("the {what} is not a string"))
        };
        let opt = |i: usize| a.get(i).and_then(Value::as_str).map(str::to_string);
        let j = text(2, "judgement")?;
        let judgement = Judgement::parse(&j).ok_or_else(|| {
            format!("unknown judgement {j:?} (positive, negative, unsure or no_judgement)")
        })?;
        let (target, source) = (text(0, "target")?, text(1, "source")?);
        if target == source {
            return Err(format!("{target} is judged against itself"));
        }
        Ok(Edge {
            target,
            source,
            judgement,
            score: a.get(3).and_then(Value::as_f64),
            user: opt(4),
            created_at: opt(5),
        })
    }
}

/// Now, as nomenklatura writes it (ISO 8601, UTC).
fn now_utc() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let secs = now.as_secs();
    let (days, rem) = (secs / 86_400, secs % 86_400);
    // Howard Hinnant's civil_from_days.
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:06}",
        rem / 3600,
        rem / 60 % 60,
        rem % 60,
        now.subsec_micros()
    )
}

/// Every pair's latest judgement, and the clusters they make.
#[derive(Debug, Clone, Default)]
pub struct Judgements {
    /// Latest line per (target, source), in the order first judged.
    edges: Vec<Edge>,
    by_pair: HashMap<(String, String), usize>,
}

impl Judgements {
    /// Reads a resolver file; a missing file is no judgements.
    pub fn read(path: &Path) -> Result<Judgements, JudgementsError> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Judgements::default()),
            Err(source) => {
                return Err(JudgementsError::Io {
                    path: path.into(),
                    source,
                });
            }
        };
        let mut j = Judgements::default();
        for (i, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            // A line cut off by a crash mid-write is the last one: skip it.
            let last = i + 1 == text.lines().count() && !text.ends_with('\n');
            match Edge::from_line(line) {
                Ok(e) => j.add(e),
                Err(_) if last => {}
                Err(msg) => {
                    return Err(JudgementsError::Line {
                        path: path.into(),
                        line: i + 1,
                        msg,
                    });
                }
            }
        }
        Ok(j)
    }

    /// Takes in one line (superseding the pair's earlier judgement).
    pub fn add(&mut self, e: Edge) {
        let key = (e.target.clone(), e.source.clone());
        match self.by_pair.get(&key) {
            Some(&i) => self.edges[i] = e,
            None => {
                self.by_pair.insert(key, self.edges.len());
                self.edges.push(e);
            }
        }
    }

    /// The judgement of a pair (either order), if any.
    pub fn get(&self, a: &str, b: &str) -> Option<Judgement> {
        let key = pair(a, b);
        let j = self.edges[*self.by_pair.get(&key)?].judgement;
        (j != Judgement::NoJudgement).then_some(j)
    }

    /// Judgements standing (not taken back), in the order first made.
    pub fn edges(&self) -> impl Iterator<Item = &Edge> {
        self.edges
            .iter()
            .filter(|e| e.judgement != Judgement::NoJudgement)
    }

    /// The clusters of ids judged one thing, transitively (only those of two or
    /// more), and the negative judgements inside one cluster (conflicts).
    pub fn clusters<'a>(&'a self) -> Clusters {
        let mut ids: HashMap<&'a str, usize> = HashMap::new();
        let mut names: Vec<&'a str> = Vec::new();
        let mut parent: Vec<usize> = Vec::new();
        fn find(parent: &mut [usize], mut x: usize) -> usize {
            while parent[x] != x {
                parent[x] = parent[parent[x]];
                x = parent[x];
            }
            x
        }
        for e in self.edges().filter(|e| e.judgement == Judgement::Positive) {
            let mut ix = |s: &'a str| -> usize {
                *ids.entry(s).or_insert_with(|| {
                    names.push(s);
                    parent.push(parent.len());
                    parent.len() - 1
                })
            };
            let (a, b) = (ix(e.target.as_str()), ix(e.source.as_str()));
            let (ra, rb) = (find(&mut parent, a), find(&mut parent, b));
            if ra != rb {
                parent[ra.max(rb)] = ra.min(rb);
            }
        }
        let mut root_cluster: HashMap<usize, usize> = HashMap::new();
        let mut c = Clusters::default();
        for (i, name) in names.iter().enumerate() {
            let r = find(&mut parent, i);
            let k = *root_cluster.entry(r).or_insert_with(|| {
                c.members.push(Vec::new());
                c.members.len() - 1
            });
            c.members[k].push(name.to_string());
            c.of.insert(name.to_string(), k);
        }
        for m in &mut c.members {
            m.sort();
        }
        for e in self.edges().filter(|e| e.judgement == Judgement::Negative) {
            if let (Some(a), Some(b)) = (c.of.get(&e.target), c.of.get(&e.source))
                && a == b
            {
                c.conflicts.push((*a, e.target.clone(), e.source.clone()));
            }
        }
        c
    }
}

/// Ids judged one thing.
#[derive(Debug, Clone, Default)]
pub struct Clusters {
    /// Each cluster's ids (two or more), sorted.
    pub members: Vec<Vec<String>>,
    /// For each id in a cluster, the cluster's index.
    pub of: HashMap<String, usize>,
    /// Negative judgements between ids of one cluster: (cluster, a, b).
    pub conflicts: Vec<(usize, String, String)>,
}

/// Appends one judgement to the file and syncs it to disk. A last line cut
/// off by a crash (never synced, so never reported as saved) is dropped first.
pub fn append(path: &Path, edge: &Edge) -> Result<(), JudgementsError> {
    use std::io::{Read, Seek, SeekFrom};
    let io = |source| JudgementsError::Io {
        path: path.into(),
        source,
    };
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .read(true)
        .append(true)
        .open(path)
        .map_err(io)?;
    let len = f.metadata().map_err(io)?.len();
    if len > 0 {
        let mut last = [0u8];
        f.seek(SeekFrom::Start(len - 1)).map_err(io)?;
        f.read_exact(&mut last).map_err(io)?;
        if last[0] != b'\n' {
            let mut text = Vec::new();
            f.seek(SeekFrom::Start(0)).map_err(io)?;
            f.read_to_end(&mut text).map_err(io)?;
            let keep = text.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
            f.set_len(keep as u64).map_err(io)?;
        }
    }
    f.write_all(edge.to_line().as_bytes()).map_err(io)?;
    f.sync_data().map_err(io)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn j(lines: &[(&str, &str, Judgement)]) -> Judgements {
        let mut j = Judgements::default();
        for (a, b, x) in lines {
            j.add(Edge::new(a, b, *x, None, "t"));
        }
        j
    }

    #[test]
    fn positives_cluster_transitively_and_a_negative_inside_is_a_conflict() {
        use Judgement::*;
        let c = j(&[
            ("a", "b", Positive),
            ("c", "b", Positive),
            ("d", "e", Unsure),
            ("a", "c", Negative),
        ])
        .clusters();
        assert_eq!(c.members, vec![vec!["a", "b", "c"]]);
        assert_eq!(c.conflicts.len(), 1);
        assert!(!c.of.contains_key("d"));
    }

    #[test]
    fn a_later_line_supersedes_and_no_judgement_takes_back() {
        use Judgement::*;
        let x = j(&[
            ("a", "b", Unsure),
            ("b", "a", NoJudgement),
            ("a", "b", Positive),
        ]);
        assert_eq!(x.get("b", "a"), Some(Positive));
        assert_eq!(x.edges().count(), 1);
        let y = j(&[("a", "b", Positive), ("a", "b", NoJudgement)]);
        assert_eq!(y.get("a", "b"), None);
        assert!(y.clusters().members.is_empty());
    }

    #[test]
    fn a_last_line_cut_off_by_a_crash_is_skipped_and_earlier_ones_kept() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("r");
        append(&p, &Edge::new("a", "b", Judgement::Positive, None, "me")).unwrap();
        let mut text = std::fs::read_to_string(&p).unwrap();
        text.push_str("[\"c\", \"d\", \"neg");
        std::fs::write(&p, &text).unwrap();
        let j = Judgements::read(&p).unwrap();
        assert_eq!(j.get("a", "b"), Some(Judgement::Positive));
        assert_eq!(j.edges().count(), 1);
        // The next judgement replaces the cut-off line.
        append(&p, &Edge::new("e", "f", Judgement::Negative, None, "me")).unwrap();
        let j = Judgements::read(&p).unwrap();
        assert_eq!(j.get("e", "f"), Some(Judgement::Negative));
        assert_eq!(std::fs::read_to_string(&p).unwrap().lines().count(), 2);
        // A bad line in the middle of the file is an error, named.
        let mut text = std::fs::read_to_string(&p).unwrap();
        text.insert_str(0, "[\"c\", \"d\", \"neg\n");
        std::fs::write(&p, &text).unwrap();
        assert!(
            Judgements::read(&p)
                .unwrap_err()
                .to_string()
                .contains(":1: not JSON")
        );
    }

    #[test]
    fn lines_are_nomenklaturas_and_read_back() {
        let e = Edge::new("a", "NK-x", Judgement::Positive, Some(0.7), "me");
        // The canonical id is the target; a judgement keeps no score.
        assert!(
            e.to_line()
                .starts_with(r#"["NK-x","a","positive",null,"me",""#),
            "{}",
            e.to_line()
        );
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("r.ijson");
        append(&p, &e).unwrap();
        append(
            &p,
            &Edge::new("Q42", "NK-x", Judgement::Negative, None, "me"),
        )
        .unwrap();
        let back = Judgements::read(&p).unwrap();
        assert_eq!(back.get("a", "NK-x"), Some(Judgement::Positive));
        assert_eq!(back.edges().nth(1).unwrap().target, "Q42");
        std::fs::write(&p, "[\"a\", \"b\", \"maybe\"]\n").unwrap();
        let err = Judgements::read(&p).unwrap_err().to_string();
        assert!(err.contains("r.ijson:1: unknown judgement"), "{err}");
    }
}
