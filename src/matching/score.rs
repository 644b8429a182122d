//! How likely two records are one thing: a sum of log-odds from what FtM data
//! holds (names, birth dates, identifiers, addresses, countries), squashed into
//! [0, 1], with each feature's part kept as the explanation.
//!
//! The weights are set by hand, then tuned on FEBRL4 (BENCHMARKS.md, "Who is
//! who"): a name alone, however exact, gives 0.88; a birth date or an address
//! that agrees takes it past 0.95; a birth date that differs, or an address
//! quite unlike, pulls it below 0.5.

use serde::Serialize;

use super::name::{Name, best_similarity};
use super::record::{ID_PROPS, Record, compatible};

/// Log-odds before any evidence: two records picked by blocking are usually
/// not one thing.
pub const PRIOR: f64 = -2.0;

/// One piece of evidence and what it adds to the log-odds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Feature {
    pub feature: &'static str,
    /// Log-odds it adds (negative: against).
    pub weight: f64,
    /// What was compared, briefly: `0.93`, `1956-04-09 = 1956-04-09`.
    pub detail: String,
}

/// A score in [0, 1] and the features it came from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scored {
    pub score: f64,
    pub features: Vec<Feature>,
}

impl Scored {
    /// The features as one line: `name 0.93 (+2.6), birth date exact (+3.0)`.
    pub fn explain(&self) -> String {
        self.features
            .iter()
            .map(|f| format!("{} {} ({:+.1})", f.feature, f.detail, f.weight))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn logistic(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// Log-odds of a name similarity: 0.8 is neutral, an exact match +4, a name
/// unlike the other against (a name alone, however exact, stays below even
/// odds: many people share one).
fn name_weight(s: f64) -> f64 {
    if s >= 0.999 {
        4.0
    } else {
        (12.0 * (s - 0.8)).clamp(-2.5, 3.0)
    }
}

/// Are two digit strings one typo apart (one digit changed, or two neighbours
/// swapped)?
fn digit_off(a: &str, b: &str) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let diff: Vec<usize> = a
        .bytes()
        .zip(b.bytes())
        .enumerate()
        .filter(|(_, (x, y))| x != y)
        .map(|(i, _)| i)
        .collect();
    match diff[..] {
        [_] => true,
        [i, j] if j == i + 1 => {
            a.as_bytes()[i] == b.as_bytes()[j] && a.as_bytes()[j] == b.as_bytes()[i]
        }
        _ => false,
    }
}

fn show_date(d: &str) -> String {
    match d.len() {
        8 => format!("{}-{}-{}", &d[..4], &d[4..6], &d[6..]),
        6 => format!("{}-{}", &d[..4], &d[4..]),
        _ => d.to_string(),
    }
}

/// Birth dates: exact, a digit off, the same year, or different.
fn birth(a: &[String], b: &[String]) -> Option<Feature> {
    if a.is_empty() || b.is_empty() {
        return None;
    }
    let mut best: Option<Feature> = None;
    for x in a {
        for y in b {
            let (short, long) = if x.len() <= y.len() { (x, y) } else { (y, x) };
            let (weight, what) = if x == y {
                (if x.len() >= 8 { 4.5 } else { 1.5 }, "exact")
            } else if long.starts_with(short.as_str()) {
                (1.0, "within")
            } else if digit_off(x, y) {
                (2.5, "a digit off")
            } else if x.len() >= 4 && y.len() >= 4 && x[..4] == y[..4] {
                (0.0, "same year")
            } else {
                (-2.5, "different")
            };
            if best.as_ref().is_none_or(|b| weight > b.weight) {
                best = Some(Feature {
                    feature: "birth date",
                    weight,
                    detail: format!("{what} {} ~ {}", show_date(x), show_date(y)),
                });
            }
        }
    }
    best
}

/// Identifiers: an equal value in any identifier property strongly for; a
/// value one typo off for; only different values in the same property
/// strongly against.
fn identifiers(a: &[(u8, String)], b: &[(u8, String)]) -> Option<Feature> {
    if a.is_empty() || b.is_empty() {
        return None;
    }
    if let Some((p, v)) = a.iter().find(|(_, v)| b.iter().any(|(_, w)| w == v)) {
        return Some(Feature {
            feature: "identifier",
            weight: 6.0,
            detail: format!("{} {v} equal", ID_PROPS[*p as usize]),
        });
    }
    for (p, v) in a {
        for (q, w) in b {
            if p == q && (digit_off(v, w) || strsim::levenshtein(v, w) <= 1) {
                return Some(Feature {
                    feature: "identifier",
                    weight: 1.5,
                    detail: format!("{} {v} ~ {w}, one typo", ID_PROPS[*p as usize]),
                });
            }
        }
    }
    let shared = a.iter().find(|(p, _)| b.iter().any(|(q, _)| p == q));
    shared.map(|(p, v)| {
        let w = b
            .iter()
            .find(|(q, _)| q == p)
            .map_or("", |(_, w)| w.as_str());
        Feature {
            feature: "identifier",
            weight: -2.5,
            detail: format!("{} {v} ≠ {w}", ID_PROPS[*p as usize]),
        }
    })
}

/// Addresses: as word sets, or letter by letter (typos run words together:
/// `stanleykstreet`), whichever is closer; 0.7 is neutral.
fn addresses(a: &[Name], b: &[Name]) -> Option<Feature> {
    if a.is_empty() || b.is_empty() {
        return None;
    }
    let letters = |n: &Name| n.tokens.iter().map(|t| t.text.as_str()).collect::<String>();
    let mut s = best_similarity(a, b);
    for x in a {
        for y in b {
            s = s.max(strsim::normalized_levenshtein(&letters(x), &letters(y)));
        }
    }
    let weight = (8.0 * (s - 0.7)).clamp(-2.5, 2.5);
    Some(Feature {
        feature: "address",
        weight,
        detail: format!("{s:.2}"),
    })
}

fn countries(a: &[String], b: &[String]) -> Option<Feature> {
    if a.is_empty() || b.is_empty() {
        return None;
    }
    let same = a.iter().any(|x| b.contains(x));
    Some(Feature {
        feature: "country",
        weight: if same { 0.5 } else { -1.5 },
        detail: if same {
            "shared".into()
        } else {
            format!("{} ≠ {}", a.join("/"), b.join("/"))
        },
    })
}

/// Scores a pair; `None` when their schemata cannot be one thing.
pub fn score(a: &Record, b: &Record) -> Option<Scored> {
    if !compatible(a.class, b.class) {
        return None;
    }
    Some(score_with(&a.names, a, b))
}

/// Scores `b` against names and the other properties of `a` (screening gives
/// names of its own).
pub fn score_with(names: &[Name], a: &Record, b: &Record) -> Scored {
    let s = best_similarity(names, &b.names);
    let mut features = vec![Feature {
        feature: "name",
        weight: name_weight(s),
        detail: format!("{s:.2}"),
    }];
    features.extend(birth(&a.births, &b.births));
    features.extend(identifiers(&a.ids, &b.ids));
    features.extend(addresses(&a.addresses, &b.addresses));
    features.extend(countries(&a.countries, &b.countries));
    let total: f64 = PRIOR + features.iter().map(|f| f.weight).sum::<f64>();
    Scored {
        score: logistic(total),
        features,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::NodeIx;
    use crate::matching::record::Class;

    fn person(name: &str, birth: &str, id: &str) -> Record {
        Record {
            node: NodeIx::new(0),
            class: Class::Person,
            names: vec![Name::new(name)],
            births: (!birth.is_empty())
                .then(|| birth.replace('-', ""))
                .into_iter()
                .collect(),
            countries: vec![],
            ids: (!id.is_empty())
                .then(|| (0u8, id.to_string()))
                .into_iter()
                .collect(),
            addresses: vec![],
            dataset: 0,
        }
    }

    #[test]
    fn birth_dates_exact_a_digit_off_same_year_different() {
        let s = |a, b| {
            score(&person("Ann Lee", a, ""), &person("Ann Lee", b, ""))
                .unwrap()
                .score
        };
        let exact = s("1956-04-09", "1956-04-09");
        let off = s("1956-04-09", "1956-04-08");
        let swapped = s("1956-04-09", "1956-04-90");
        let year = s("1956-04-09", "1956-11-23");
        let other = s("1956-04-09", "1971-02-13");
        assert!(
            exact > off && off == swapped && off > year && year > other,
            "{exact} {off} {year} {other}"
        );
        assert!(other < 0.5 && exact > 0.9);
    }

    #[test]
    fn identifiers_equal_for_different_against() {
        let same = score(
            &person("Ann Lee", "", "AB123"),
            &person("Anna Lee", "", "AB123"),
        )
        .unwrap();
        let diff = score(
            &person("Ann Lee", "", "AB123"),
            &person("Ann Lee", "", "ZZ999"),
        )
        .unwrap();
        assert!(same.score > 0.9, "{}", same.explain());
        assert!(diff.score < 0.5, "{}", diff.explain());
        assert!(diff.explain().contains("idNumber AB123 ≠ ZZ999"));
    }

    #[test]
    fn a_person_is_never_a_company() {
        let mut c = person("Ann Lee", "", "");
        c.class = Class::Organisation;
        assert!(score(&person("Ann Lee", "", ""), &c).is_none());
    }

    #[test]
    fn scores_stay_in_the_unit_interval() {
        let s = score(
            &person("Ann Lee", "1956", "X1"),
            &person("Ann Lee", "1956", "X1"),
        )
        .unwrap();
        assert!(s.score <= 1.0 && s.score > 0.99);
        let s = score(
            &person("Ann Lee", "1956", "X1"),
            &person("Bob Marsh", "1999", "Y2"),
        )
        .unwrap();
        assert!(s.score >= 0.0 && s.score < 0.01);
    }
}
