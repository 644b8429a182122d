//! Display names the way `followthemoney` captions an entity: the first of the
//! schema's caption properties that has a value; among several names, the most
//! plausible one (Latin script first, then the one most like the others).

use std::collections::HashMap;

use super::super::schema::SchemaDef;
use super::Values;

/// A caption [`library_caption`] found: a value as written (its place
/// among the values), or a name picked among several.
pub(super) enum Caption {
    At(usize),
    Picked(String),
}

/// The library's caption of a record with these (cleaned) properties
/// (`values`, in `runs` of one property each: `(name, type, start, end)`),
/// or `None` when no caption property has a value (the library then shows
/// the schema's label; `ties` shows the id).
pub(super) fn library_caption<T>(
    def: &SchemaDef,
    values: Values<'_>,
    runs: &[(&str, T, usize, usize)],
) -> Option<Caption> {
    for prop in def.caption {
        let Some(&(_, _, start, end)) = runs.iter().find(|r| r.0 == *prop && r.3 > r.2) else {
            continue;
        };
        if end - start > 1 && def.type_name(prop) == Some("name") {
            let mut sorted: Vec<String> =
                (start..end).map(|i| values.value(i).to_string()).collect();
            sorted.sort();
            if let Some(name) = pick_name(&sorted) {
                return Some(Caption::Picked(name));
            }
        } else {
            return Some(Caption::At(start));
        }
    }
    None
}

/// The script of a letter, as far as picking a name needs it: Latin, Cyrillic,
/// Greek, or another script named by its Unicode block.
fn script(c: char) -> u32 {
    match c as u32 {
        0x41..=0x5A
        | 0x61..=0x7A
        | 0xC0..=0x24F
        | 0x1E00..=0x1EFF
        | 0x2C60..=0x2C7F
        | 0xA720..=0xA7FF => 0,
        0x400..=0x52F => 1,
        0x370..=0x3FF | 0x1F00..=0x1FFF => 2,
        n => 3 + (n >> 7),
    }
}

/// How readable `s` is to someone used to the Latin alphabet (0 to 1): Latin
/// letters count fully, Cyrillic and Greek ones a little.
fn latin_share(s: &str) -> f64 {
    let (mut letters, mut latin) = (0usize, 0.0);
    for c in s.chars().filter(|c| c.is_alphabetic()) {
        letters += 1;
        latin += match script(c) {
            0 => 1.0,
            1 | 2 => 0.3,
            _ => 0.0,
        };
    }
    if letters == 0 {
        0.0
    } else {
        latin / letters as f64
    }
}

/// Cyrillic and Greek lower-case letters in ASCII, as `rigour`'s
/// transliteration writes them (read from the library, letter by letter).
const TRANSLIT: &[(char, &str)] = &[
    ('а', "a"),
    ('б', "b"),
    ('в', "v"),
    ('г', "g"),
    ('д', "d"),
    ('е', "e"),
    ('ж', "zh"),
    ('з', "z"),
    ('и', "i"),
    ('й', "i"),
    ('к', "k"),
    ('л', "l"),
    ('м', "m"),
    ('н', "n"),
    ('о', "o"),
    ('п', "p"),
    ('р', "r"),
    ('с', "s"),
    ('т', "t"),
    ('у', "u"),
    ('ф', "f"),
    ('х', "h"),
    ('ц', "ts"),
    ('ч', "ch"),
    ('ш', "sh"),
    ('щ', "shch"),
    ('ъ', ""),
    ('ы', "y"),
    ('ь', ""),
    ('э', "e"),
    ('ю', "yu"),
    ('я', "ya"),
    ('ѐ', "e"),
    ('ё', "yo"),
    ('ђ', "dj"),
    ('ѓ', "gj"),
    ('є', "e"),
    ('ѕ', "z"),
    ('і', "i"),
    ('ї', "i"),
    ('ј', "j"),
    ('љ', "lj"),
    ('њ', "nj"),
    ('ћ', "c"),
    ('ќ', "k"),
    ('ѝ', "i"),
    ('ў', "u"),
    ('џ', "dz"),
    ('ґ', "g"),
    ('α', "a"),
    ('β', "v"),
    ('γ', "g"),
    ('δ', "d"),
    ('ε', "e"),
    ('ζ', "z"),
    ('η', "i"),
    ('θ', "th"),
    ('ι', "i"),
    ('κ', "k"),
    ('λ', "l"),
    ('μ', "m"),
    ('ν', "n"),
    ('ξ', "x"),
    ('ο', "o"),
    ('π', "p"),
    ('ρ', "r"),
    ('ς', "s"),
    ('σ', "s"),
    ('τ', "t"),
    ('υ', "u"),
    ('φ', "f"),
    ('χ', "ch"),
    ('ψ', "ps"),
    ('ω', "o"),
];

/// A lower-cased name in ASCII letters (`татьяна` → `tatyana`, `виталий` →
/// `vitaly`): Cyrillic and Greek by [`TRANSLIT`], other scripts by `any_ascii`.
fn ascii_form(form: &str) -> String {
    let chars: Vec<char> = form.chars().collect();
    let mut out = String::with_capacity(form.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let word_end = |j: usize| chars.get(j).is_none_or(|c| !c.is_alphabetic());
        if c == 'и' && chars.get(i + 1) == Some(&'й') && word_end(i + 2) {
            out.push('y');
            i += 2;
            continue;
        }
        if c.is_ascii() {
            out.push(c);
        } else if let Some((_, t)) = TRANSLIT.iter().find(|(k, _)| *k == c) {
            out.push_str(t);
        } else {
            out.push_str(any_ascii::any_ascii_char(c));
        }
        i += 1;
    }
    out
}

/// How badly a name is cased, per character (lower is better): every
/// character costs 1, a word starting in lower case 2 more, a capital inside
/// a word 1 more.
fn case_errors(s: &str) -> f64 {
    let (mut errors, mut total, mut word_start) = (0.0, 0.0, true);
    for c in s.chars() {
        total += 1.0;
        errors += 1.0;
        if !c.is_alphabetic() {
            word_start = true;
        } else if word_start {
            if !c.is_uppercase() {
                errors += 2.0;
            }
            word_start = false;
        } else if c.is_uppercase() {
            errors += 1.0;
        }
    }
    if total == 0.0 { 0.0 } else { errors / total }
}

/// Edit similarity of two strings (1 for equal, 0 for nothing in common).
fn similarity(a: &str, b: &str) -> f64 {
    let longest = a.chars().count().max(b.chars().count()).max(1);
    1.0 - strsim::levenshtein(a, b) as f64 / longest as f64
}

/// From several names of one entity, the one to show, as `rigour`'s
/// `pick_name` (which `followthemoney` captions with) chooses it: the only
/// mostly-Latin name if there is exactly one; else the lower-cased form most
/// like the others (each form weighted by how Latin its names are, and names
/// in other scripts voting for their ASCII transliteration), and within that
/// form the most Latin, best-cased, shortest name.
pub fn pick_name(names: &[String]) -> Option<String> {
    let mut sorted: Vec<&String> = names.iter().collect();
    sorted.sort();
    let mut scripts: Vec<u32> = names
        .iter()
        .flat_map(|n| n.chars().filter(|c| c.is_alphabetic()).map(script))
        .collect();
    scripts.sort_unstable();
    scripts.dedup();
    let cross_script = scripts.len() > 1;
    let mut forms: Vec<String> = Vec::new();
    let mut weights: HashMap<String, f64> = HashMap::new();
    let mut candidates: HashMap<String, Vec<String>> = HashMap::new();
    let mut latin = Vec::new();
    for name in sorted {
        let form = name.trim().to_lowercase();
        if form.is_empty() {
            continue;
        }
        let share = latin_share(name);
        if share > 0.85 {
            latin.push(name.clone());
        }
        let mut add = |key: &str, push: bool| {
            if !weights.contains_key(key) {
                forms.push(key.to_string());
            }
            *weights.entry(key.to_string()).or_default() += 1.0 + share;
            let list = candidates.entry(key.to_string()).or_default();
            if push && !list.contains(name) {
                list.push(name.clone());
            }
        };
        add(&form, true);
        if cross_script {
            let ascii = ascii_form(&form);
            if ascii.chars().count() > 2 {
                add(&ascii, ascii != form);
            }
        }
    }
    if latin.len() == 1 {
        return latin.pop();
    }
    // Forms by how central they are, most central first.
    let mut scores = vec![0.0; forms.len()];
    for i in 0..forms.len() {
        for j in i + 1..forms.len() {
            let sim = similarity(&forms[i], &forms[j]);
            scores[i] += sim * weights[&forms[i]];
            scores[j] += sim * weights[&forms[j]];
        }
    }
    let mut ranked: Vec<usize> = (0..forms.len()).collect();
    ranked.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
    ranked.into_iter().find_map(|i| {
        candidates
            .get(&forms[i])?
            .iter()
            .min_by(|a, b| {
                latin_share(b)
                    .total_cmp(&latin_share(a))
                    .then(case_errors(a).total_cmp(&case_errors(b)))
                    .then(a.chars().count().cmp(&b.chars().count()))
                    .then(a.cmp(b))
            })
            .cloned()
    })
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
        assert_eq!(
            pick(&["Ivan Petrov", "Иван Петров"]).unwrap(),
            "Ivan Petrov"
        );
        assert_eq!(pick(&["Foo", "Bar", "Bary"]).unwrap(), "Bar");
        let putin = [
            "Влади́мир Пу́тин",
            "Vladimir Putin",
            "Wladimir Putin",
            "Vladimir Poutine",
        ];
        assert_eq!(pick(&putin).unwrap(), "Vladimir Putin");
        assert_eq!(pick(&["ab", "AB"]).unwrap(), "AB");
        let (a, b, c) = (
            "Tatiana Vladimirovna ZJURAVLEVA",
            "Tatyana Vladimirovna ZHURAVLEVA",
            "Татьяна Владимировна ЖУРАВЛЕВА",
        );
        assert_eq!(
            super::ascii_form(&c.to_lowercase()),
            "tatyana vladimirovna zhuravleva"
        );
        assert_eq!(pick(&[a, b]).unwrap(), a);
        assert_eq!(pick(&[a, b, c]).unwrap(), b);
        assert_eq!(pick(&[]), None);
    }
}
