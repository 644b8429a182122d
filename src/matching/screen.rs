//! Screening: rows (a name; optionally a schema, birth date, country and
//! identifier) against the loaded data, each with its best matches.

use rayon::prelude::*;

use super::name::Name;
use super::record::{Class, Record, Records, clean_date, clean_id};
use super::score::{Scored, score_with};
use super::xref::{Index, keys};
use crate::graph::NodeIx;

/// One row to screen.
#[derive(Debug, Clone, Default)]
pub struct Query {
    pub name: String,
    /// `Person`, `Company`, `Organization`…: only records that can be one.
    pub schema: Option<String>,
    pub birth_date: Option<String>,
    pub country: Option<String>,
    pub identifier: Option<String>,
}

/// A match of a row: a record (index into [`Records::records`]) and its score.
#[derive(Debug, Clone)]
pub struct Hit {
    pub record: usize,
    pub scored: Scored,
}

fn class_for(schema: &str) -> Option<Class> {
    match schema.trim().to_ascii_lowercase().as_str() {
        "person" => Some(Class::Person),
        "company" | "organization" | "organisation" | "publicbody" | "legalentity" => {
            Some(Class::Organisation)
        }
        _ => None,
    }
}

impl Query {
    fn record(&self) -> Record {
        Record {
            node: NodeIx::end(),
            class: self
                .schema
                .as_deref()
                .and_then(class_for)
                .unwrap_or(Class::Person),
            names: vec![Name::new(&self.name)],
            births: self
                .birth_date
                .iter()
                .map(|d| clean_date(d))
                .filter(|d| d.len() >= 4)
                .collect(),
            countries: self
                .country
                .iter()
                .map(|c| c.trim().to_ascii_lowercase())
                .collect(),
            // Compared with every identifier property (the first is `idNumber`).
            ids: self
                .identifier
                .iter()
                .map(|i| (0u8, clean_id(i)))
                .filter(|(_, i)| i.len() >= 2)
                .collect(),
            addresses: Vec::new(),
            dataset: 0,
        }
    }
}

/// A screening index over the loaded records.
pub struct Screener<'r> {
    records: &'r Records,
    index: Index,
    max_block: usize,
}

impl<'r> Screener<'r> {
    pub fn new(records: &'r Records) -> Self {
        let keys: Vec<Vec<u64>> = records.records.par_iter().map(keys).collect();
        Screener {
            records,
            index: Index::new(&keys),
            max_block: 5000,
        }
    }

    /// The `limit` best matches of each row scoring at least `min_score`.
    pub fn screen(&self, rows: &[Query], limit: usize, min_score: f64) -> Vec<Vec<Hit>> {
        rows.par_iter()
            .map(|q| {
                let mut r = q.record();
                let class = q.schema.as_deref().and_then(class_for);
                // Identifiers match whatever property holds them.
                let mut met: Vec<u32> = Vec::new();
                for k in keys(&r) {
                    let block = self.index.block(k);
                    if block.len() <= self.max_block {
                        met.extend(block.iter().map(|e| e.1));
                    }
                }
                met.sort_unstable();
                met.dedup();
                let mut hits: Vec<Hit> = met
                    .into_iter()
                    .filter_map(|j| {
                        let o = &self.records.records[j as usize];
                        if class.is_some_and(|c| c != o.class) {
                            return None;
                        }
                        if let Some((_, id)) = r.ids.first() {
                            // Compare with the record's identifiers in any property.
                            r.ids = vec![
                                o.ids
                                    .iter()
                                    .find(|(_, v)| v == id)
                                    .map_or((0, id.clone()), |(p, _)| (*p, id.clone())),
                            ];
                        }
                        let s = score_with(&r.names, &r, o);
                        (s.score >= min_score).then_some(Hit {
                            record: j as usize,
                            scored: s,
                        })
                    })
                    .collect();
                hits.sort_by(|a, b| {
                    b.scored
                        .score
                        .total_cmp(&a.scored.score)
                        .then(a.record.cmp(&b.record))
                });
                hits.truncate(limit);
                hits
            })
            .collect()
    }
}
