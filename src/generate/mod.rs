//! Deterministic synthetic graphs shaped like the real data, for benchmarks and
//! load tests: `ties gen --entities N`.
//!
//! Names come from Lithuanian, Ukrainian, Nordic, Polish, German and English pools,
//! with the aliases people actually meet: the name without diacritics, an initial,
//! another transliteration, the Cyrillic spelling. About 40% of names and aliases
//! hold non-ASCII characters. A few hubs (ministries, NATO, the EU, the two
//! countries) collect tens of thousands of relations on a million-entity graph;
//! dates spread over 2014–2025 with year, month or day precision; amounts come in
//! several currencies; every relation cites one to three sources.
//!
//! Every record is a pure function of the seed and its position, computed with a
//! self-contained SplitMix64, so the same options give the same bytes on every
//! platform, and records can be streamed without holding the graph in memory.

use std::io::{self, Write};
use std::path::Path;

use crate::export::WriteError;
use crate::model::GraphFile;

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GenOptions {
    /// Number of entities.
    pub entities: usize,
    /// Average relations per entity (relations = entities × this).
    pub relations_per_entity: usize,
    pub seed: u64,
}

impl Default for GenOptions {
    fn default() -> Self {
        GenOptions {
            entities: 1000,
            relations_per_entity: 2,
            seed: 1,
        }
    }
}

/// SplitMix64: tiny, fast, and the same everywhere.
#[derive(Debug, Clone)]
struct Rng(u64);

fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

impl Rng {
    /// The generator for item `i` of `stream`.
    fn at(seed: u64, stream: u64, i: u64) -> Rng {
        Rng(mix(
            seed ^ mix(stream.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ mix(i))
        ))
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        mix(self.0)
    }

    /// Uniform in `0..n` (0 when `n` is 0).
    fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next()) * n as u128) >> 64) as usize
    }

    /// True `per_mille` times in a thousand.
    fn chance(&mut self, per_mille: usize) -> bool {
        self.below(1000) < per_mille
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

const STREAM_SOURCE: u64 = 1;
const STREAM_ENTITY: u64 = 2;
const STREAM_RELATION: u64 = 3;

mod names;
mod pools;
mod records;

pub use records::{entity, relation, relation_count, source, source_count};

/// The whole graph as records, in memory.
pub fn records(opts: &GenOptions) -> GraphFile {
    GraphFile {
        sources: (0..source_count(opts)).map(|i| source(opts, i)).collect(),
        entities: (0..opts.entities).map(|i| entity(opts, i)).collect(),
        relations: (0..relation_count(opts))
            .map(|j| relation(opts, j))
            .collect(),
    }
}

/// The generated graph, loaded (and so validated).
pub fn graph(opts: &GenOptions) -> Result<crate::Graph, crate::load::LoadError> {
    crate::load::load_records("<generated>", records(opts))
}

/// Writes the graph as a RON graph file, record by record.
pub fn write_ron(opts: &GenOptions, out: &mut impl Write) -> io::Result<()> {
    write_ron_prefixed(opts, "", out)
}

/// As [`write_ron`], every id (entities, relation ends, sources) after
/// `prefix`: two files made with different prefixes share no id, so opened
/// together (`--data a.ron --data b.ron`) they are two graphs side by side.
pub fn write_ron_prefixed(opts: &GenOptions, prefix: &str, out: &mut impl Write) -> io::Result<()> {
    let id = |s: String| {
        if prefix.is_empty() {
            s
        } else {
            format!("{prefix}{s}")
        }
    };
    let pretty = ron::ser::PrettyConfig::new()
        .struct_names(true)
        .compact_structs(true)
        .compact_arrays(true);
    let options = crate::load::ron_options();
    let mut buf = String::new();
    let mut record = |out: &mut dyn Write, value: &dyn erased::Record| -> io::Result<()> {
        buf.clear();
        value
            .write(&options, &mut buf, pretty.clone())
            .map_err(io::Error::other)?;
        writeln!(out, "        {buf},")
    };
    writeln!(
        out,
        "#![enable(implicit_some)]\n// Synthetic graph: ties gen --entities {} --relations-per-entity {} --seed {}{}",
        opts.entities,
        opts.relations_per_entity,
        opts.seed,
        if prefix.is_empty() {
            String::new()
        } else {
            format!(" --id-prefix {prefix}")
        }
    )?;
    writeln!(out, "Graph(\n    sources: [")?;
    for i in 0..source_count(opts) {
        let mut s = source(opts, i);
        s.id = id(s.id);
        record(out, &s)?;
    }
    writeln!(out, "    ],\n    entities: [")?;
    for i in 0..opts.entities {
        let mut e = entity(opts, i);
        e.id = id(e.id);
        e.sources = e.sources.into_iter().map(id).collect();
        record(out, &e)?;
    }
    writeln!(out, "    ],\n    relations: [")?;
    for j in 0..relation_count(opts) {
        let mut r = relation(opts, j);
        r.from = id(r.from);
        r.to = id(r.to);
        r.sources = r.sources.into_iter().map(id).collect();
        record(out, &r)?;
    }
    writeln!(out, "    ],\n)")?;
    Ok(())
}

mod erased {
    //! One serialisation path for the three record types.
    pub trait Record {
        fn write(
            &self,
            options: &ron::Options,
            out: &mut String,
            pretty: ron::ser::PrettyConfig,
        ) -> ron::Result<()>;
    }

    impl<T: serde::Serialize> Record for T {
        fn write(
            &self,
            options: &ron::Options,
            out: &mut String,
            pretty: ron::ser::PrettyConfig,
        ) -> ron::Result<()> {
            options.to_writer_pretty(out, self, pretty)
        }
    }
}

/// Writes the graph to `path` through a temporary file renamed into place, so a
/// reader never sees half a file; refuses to replace a file unless `force`.
/// `prefix` goes before every id ([`write_ron_prefixed`]).
pub fn write_file(
    opts: &GenOptions,
    prefix: &str,
    path: &Path,
    force: bool,
) -> Result<(), WriteError> {
    crate::export::write_atomic_with(path, force, |mut w| {
        write_ron_prefixed(opts, prefix, &mut w)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(n: usize) -> GenOptions {
        GenOptions {
            entities: n,
            relations_per_entity: 3,
            seed: 7,
        }
    }

    #[test]
    fn same_seed_same_bytes_other_seed_other_bytes() {
        let write = |o: &GenOptions| {
            let mut v = Vec::new();
            write_ron(o, &mut v).unwrap();
            v
        };
        let a = write(&opts(300));
        assert_eq!(a, write(&opts(300)));
        let mut other = opts(300);
        other.seed = 8;
        assert_ne!(a, write(&other));
    }

    #[test]
    fn the_file_loads_back_as_the_same_graph() {
        let o = opts(400);
        let mut v = Vec::new();
        write_ron(&o, &mut v).unwrap();
        let text = String::from_utf8(v).unwrap();
        let parsed = crate::load::parse_text(&text).unwrap();
        assert_eq!(parsed, records(&o));
        let g = crate::load::load_texts(vec![("gen.ron".into(), text)]).unwrap();
        assert_eq!(g.node_count(), 400);
        assert_eq!(g.edge_count(), 1200);
    }

    #[test]
    fn shaped_like_real_data() {
        let o = GenOptions {
            entities: 20_000,
            relations_per_entity: 2,
            seed: 1,
        };
        let file = records(&o);
        let texts: Vec<&str> = file
            .entities
            .iter()
            .flat_map(|e| {
                std::iter::once(&e.name)
                    .chain(&e.aliases)
                    .chain(&e.weak_aliases)
            })
            .map(|s| s.as_str())
            .collect();
        let non_ascii = texts.iter().filter(|t| !t.is_ascii()).count() as f64 / texts.len() as f64;
        assert!(
            (0.3..=0.5).contains(&non_ascii),
            "{non_ascii:.2} of names are non-ASCII"
        );
        let g = crate::load::load_records("gen", file).unwrap();
        // Hubs: the busiest entity holds far more relations than the average (2×2).
        let max = g.node_indices().map(|n| g.degree(n)).max().unwrap();
        assert!(max > 200, "busiest entity has {max} relations");
        // Mixed date precision, several currencies, every relation sourced.
        let mut precisions = std::collections::BTreeSet::new();
        let mut currencies = std::collections::BTreeSet::new();
        for e in g.edge_indices() {
            let r = g.relation(e);
            assert!(!g.source_list(r.sources).is_empty());
            if let Some(d) = r.date {
                precisions.insert(format!("{:?}", d.precision()));
            }
            if let Some(a) = r.amount {
                currencies.insert(a.currency.code());
            }
        }
        assert_eq!(precisions.len(), 3, "{precisions:?}");
        assert!(currencies.len() >= 5, "{currencies:?}");
    }

    #[test]
    fn tiny_graphs_are_valid() {
        for n in 0..6 {
            let g = graph(&opts(n)).unwrap();
            assert_eq!(g.node_count(), n);
        }
    }

    #[test]
    fn refuses_to_overwrite_without_force() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("g.ron");
        write_file(&opts(10), "", &p, false).unwrap();
        let before = std::fs::read(&p).unwrap();
        assert!(matches!(
            write_file(&opts(20), "", &p, false),
            Err(WriteError::Exists(_))
        ));
        assert_eq!(std::fs::read(&p).unwrap(), before);
        write_file(&opts(20), "", &p, true).unwrap();
        assert_ne!(std::fs::read(&p).unwrap(), before);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_prefix_gives_a_second_graph_sharing_no_id() {
        let o = opts(300);
        let text = |prefix: &str| {
            let mut v = Vec::new();
            write_ron_prefixed(&o, prefix, &mut v).unwrap();
            String::from_utf8(v).unwrap()
        };
        let (plain, b) = (text(""), text("b:"));
        let g = crate::load::load_texts(vec![("b.ron".into(), b.clone())]).unwrap();
        assert_eq!((g.node_count(), g.edge_count()), (300, 900));
        assert!(g.node_indices().all(|n| g.entity(n).id.starts_with("b:")));
        // The same records otherwise: only the ids moved.
        let unprefixed = crate::load::parse_text(&b.replace("\"b:", "\"")).unwrap();
        assert_eq!(unprefixed, crate::load::parse_text(&plain).unwrap());
        // Opened together, the two are side by side, nothing merged.
        let both =
            crate::load::load_texts(vec![("a.ron".into(), plain), ("b.ron".into(), b)]).unwrap();
        assert_eq!((both.node_count(), both.edge_count()), (600, 1800));
    }
}
