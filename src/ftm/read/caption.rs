//! Display names the way `followthemoney` captions an entity: the first of the
//! schema's caption properties that has a value; among several names, the most
//! plausible one (Latin script first, then the one most like the others).

use std::collections::{BTreeMap, HashMap};

use super::super::schema::SchemaDef;

/// The library's caption of a record with these (cleaned) properties, or
/// `None` when no caption property has a value (the library then shows the
/// schema's label; `ties` shows the id).
pub(super) fn library_caption(
    def: &SchemaDef,
    props: &BTreeMap<String, Vec<String>>,
) -> Option<String> {
    for prop in def.caption {
        let Some(values) = props.get(*prop).filter(|v| !v.is_empty()) else {
            continue;
        };
        if def.type_name(prop) == Some("name") && values.len() > 1 {
            let mut sorted = values.clone();
            sorted.sort();
            if let Some(name) = pick_name(&sorted) {
                return Some(name);
            }
        } else {
            return Some(values[0].clone());
        }
    }
    None
}

/// How much of `s`'s letters are Latin script (0 to 1).
fn latin_share(s: &str) -> f64 {
    let (mut letters, mut latin) = (0usize, 0usize);
    for c in s.chars().filter(|c| c.is_alphabetic()) {
        letters += 1;
        if c.is_ascii_alphabetic()
            || matches!(c as u32, 0x00C0..=0x024F | 0x1E00..=0x1EFF | 0x2C60..=0x2C7F)
        {
            latin += 1;
        }
    }
    if letters == 0 {
        0.0
    } else {
        latin as f64 / letters as f64
    }
}

/// `ivan PETROV` → `Ivan Petrov`.
fn title_case(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut start = true;
    for c in s.chars() {
        if c.is_alphabetic() {
            if start {
                out.extend(c.to_uppercase());
            } else {
                out.extend(c.to_lowercase());
            }
            start = false;
        } else {
            out.push(c);
            start = true;
        }
    }
    out
}

/// The candidates ordered by how central they are: the weighted sum of their
/// similarity to every candidate, highest first (ties keep the given order).
fn by_centrality(names: &[String], weights: &HashMap<String, f64>) -> Vec<String> {
    let mut scored: Vec<(f64, usize)> = names
        .iter()
        .enumerate()
        .map(|(i, left)| {
            let score: f64 = names
                .iter()
                .map(|right| {
                    strsim::normalized_levenshtein(left, right)
                        * weights.get(right).copied().unwrap_or(1.0)
                })
                .sum();
            (score, i)
        })
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    scored.into_iter().map(|(_, i)| names[i].clone()).collect()
}

/// From several names of one entity, the most plausible one to show: the only
/// Latin-script name if there is exactly one, else the name most like the
/// others, Latin names weighing more (the approach of `rigour`'s `pick_name`).
pub fn pick_name(names: &[String]) -> Option<String> {
    let mut forms: Vec<String> = Vec::new();
    let mut weights: HashMap<String, f64> = HashMap::new();
    let mut surfaces: HashMap<String, Vec<String>> = HashMap::new();
    let mut latin = Vec::new();
    let mut sorted: Vec<&String> = names.iter().collect();
    sorted.sort();
    for name in sorted {
        let form = name.trim().to_lowercase();
        if form.is_empty() {
            continue;
        }
        let share = latin_share(name);
        if share > 0.9 {
            latin.push(name.clone());
        }
        let weight = 1.0 + share;
        let mut add = |form: String, surface: Vec<String>| {
            if !weights.contains_key(&form) {
                forms.push(form.clone());
            }
            *weights.entry(form.clone()).or_default() += weight;
            surfaces.entry(form).or_default().extend(surface);
        };
        add(form.clone(), vec![name.clone(), title_case(name)]);
        let ascii = deunicode::deunicode(&form);
        if !ascii.trim().is_empty() && ascii != form {
            add(ascii, vec![name.clone()]);
        }
    }
    if latin.len() == 1 {
        return latin.pop();
    }
    for form in by_centrality(&forms, &weights) {
        let list = surfaces.get(&form).cloned().unwrap_or_default();
        for surface in by_centrality(&list, &HashMap::new()) {
            if names.contains(&surface) {
                return Some(surface);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::pick_name;

    fn pick(names: &[&str]) -> Option<String> {
        pick_name(&names.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn picks_like_the_library() {
        // Each expectation is what rigour.names.pick_name returned.
        assert_eq!(pick(&["Abc Def", "abc def", "ABC DEF"]).unwrap(), "Abc Def");
        assert_eq!(pick(&["Ivan Petrov", "Иван Петров"]).unwrap(), "Ivan Petrov");
        assert_eq!(pick(&["Foo", "Bar", "Bary"]).unwrap(), "Bar");
        let putin = [
            "Влади́мир Пу́тин",
            "Vladimir Putin",
            "Wladimir Putin",
            "Vladimir Poutine",
        ];
        assert_eq!(pick(&putin).unwrap(), "Vladimir Putin");
        assert_eq!(pick(&[]), None);
    }
}
