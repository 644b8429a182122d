//! One name matcher for search, xref and screening: names folded and
//! transliterated as search folds them ([`crate::search::fold`]), compared as
//! sets of tokens (word order, initials, a missing middle name), with phonetic
//! keys (Double Metaphone, `rphonetic`) across spellings and scripts, and edit
//! similarity (Jaro–Winkler, `strsim`) for typos.

use std::sync::LazyLock;

use rphonetic::DoubleMetaphone;

use crate::search::fold;

static METAPHONE: LazyLock<DoubleMetaphone> = LazyLock::new(DoubleMetaphone::default);

/// One word of a name, in the forms it is compared in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// Folded: lower-case ASCII (`höfer` → `hofer`).
    pub text: String,
    /// The second spelling of umlauts and Nordic letters (`höfer` → `hoefer`),
    /// when there is one.
    pub alt: Option<String>,
    /// Double Metaphone, primary and alternate (empty for a single letter or digits).
    pub phonetic: [String; 2],
}

impl Token {
    fn new(text: String, alt: Option<String>) -> Self {
        let phonetic = if text.len() >= 2 && text.bytes().any(|b| b.is_ascii_alphabetic()) {
            let code = METAPHONE.double_metaphone(&text);
            [code.primary(), code.alternate()]
        } else {
            [String::new(), String::new()]
        };
        Token {
            text,
            alt,
            phonetic,
        }
    }

    /// The phonetic keys worth blocking on: those of three letters or more
    /// (shorter ones are shared by too many names).
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        let [p, a] = &self.phonetic;
        let alt = (a != p).then_some(a.as_str());
        std::iter::once(p.as_str())
            .chain(alt)
            .filter(|k| k.len() >= 3)
    }
}

/// A name as tokens.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Name {
    pub tokens: Vec<Token>,
}

/// Splits folded text into words (letters and digits).
fn words(folded: &str) -> impl Iterator<Item = &str> {
    folded
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
}

impl Name {
    pub fn new(text: &str) -> Self {
        let folded = fold(text);
        let alt = if crate::search::has_alternative(text) {
            let mut out = Vec::new();
            crate::search::fold_alternative_into(text, &mut out, None);
            Some(String::from_utf8(out).unwrap_or_default())
        } else {
            None
        };
        let alts: Vec<&str> = alt
            .as_deref()
            .map(|a| words(a).collect())
            .unwrap_or_default();
        let tokens: Vec<Token> = words(&folded)
            .enumerate()
            .map(|(i, w)| {
                let alt = alts.get(i).filter(|a| **a != w).map(|a| (*a).to_string());
                Token::new(w.to_string(), alt)
            })
            .collect();
        Name { tokens }
    }

    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }
}

/// How alike two words are, in [0, 1]: 1 when equal in either spelling; 0.9
/// for an initial and a word it begins; at least 0.88 when they sound alike;
/// else Jaro–Winkler, which forgives a typo or two in a long word.
pub fn token_similarity(a: &Token, b: &Token) -> f64 {
    fn spellings(t: &Token) -> impl Iterator<Item = &str> {
        std::iter::once(t.text.as_str()).chain(t.alt.as_deref())
    }
    if spellings(a).any(|x| spellings(b).any(|y| x == y)) {
        return 1.0;
    }
    let (short, long) = if a.text.len() <= b.text.len() {
        (a, b)
    } else {
        (b, a)
    };
    if short.text.len() == 1 {
        return if long.text.starts_with(&short.text) {
            0.9
        } else {
            0.0
        };
    }
    let mut best = 0.0f64;
    for x in spellings(a) {
        for y in spellings(b) {
            best = best.max(strsim::jaro_winkler(x, y));
        }
    }
    let sounds_alike = a
        .phonetic
        .iter()
        .filter(|k| k.len() >= 2)
        .any(|k| b.phonetic.iter().any(|l| l == k));
    if sounds_alike {
        best = best.max(0.88);
    }
    // Short words differ a lot with one letter; Jaro–Winkler overrates them.
    if short.text.len() <= 3 && best < 1.0 {
        best *= 0.85;
    }
    best
}

/// How alike two names are, in [0, 1], as sets of tokens: tokens are paired
/// best first (so word order does not matter), and what is left of the longer
/// name (a middle name one side lacks) costs less than a token that differs.
pub fn name_similarity(a: &Name, b: &Name) -> f64 {
    let (na, nb) = (a.tokens.len(), b.tokens.len());
    if na == 0 || nb == 0 {
        return 0.0;
    }
    let mut pairs: Vec<(f64, usize, usize)> = Vec::with_capacity(na * nb);
    for (i, x) in a.tokens.iter().enumerate() {
        for (j, y) in b.tokens.iter().enumerate() {
            pairs.push((token_similarity(x, y), i, j));
        }
    }
    pairs.sort_by(|p, q| q.0.total_cmp(&p.0));
    let (mut used_a, mut used_b) = (vec![false; na], vec![false; nb]);
    let mut sum = 0.0;
    let mut matched = 0;
    for (s, i, j) in pairs {
        if used_a[i] || used_b[j] {
            continue;
        }
        used_a[i] = true;
        used_b[j] = true;
        sum += s;
        matched += 1;
        if matched == na.min(nb) {
            break;
        }
    }
    let short = na.min(nb) as f64;
    let long = na.max(nb) as f64;
    0.75 * (sum / short) + 0.25 * (sum / long)
}

/// The best similarity between any name of one list and any of the other.
pub fn best_similarity(a: &[Name], b: &[Name]) -> f64 {
    let mut best = 0.0f64;
    for x in a {
        for y in b {
            best = best.max(name_similarity(x, y));
            if best >= 1.0 {
                return best;
            }
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sim(a: &str, b: &str) -> f64 {
        name_similarity(&Name::new(a), &Name::new(b))
    }

    #[test]
    fn spellings_and_scripts_sound_alike() {
        assert!(sim("Qasem Soleimani", "Qasim Suleimani") >= 0.88);
        assert!(sim("Dmytro Kuleba", "Dmitry Kuleba") >= 0.88);
        assert!(sim("Дмитрий Кулеба", "Dmitry Kuleba") >= 0.88);
        assert_eq!(sim("Nierstenhöfer", "Nierstenhoefer"), 1.0);
        assert!(sim("Qasem", "Karlsson") < 0.7);
    }

    #[test]
    fn word_order_initials_and_a_missing_middle_name() {
        assert_eq!(sim("Smith John", "John Smith"), 1.0);
        assert!(sim("J. Smith", "John Smith") >= 0.9);
        assert!(sim("John Smith", "John Robert Smith") >= 0.8);
        assert!(sim("John Smith", "John Robert Smith") < sim("John Smith", "Smith John"));
        assert!(sim("John Smith", "Peter Smith") < 0.85);
    }

    #[test]
    fn typos_score_close_to_one_and_strangers_far() {
        assert!(sim("Jonathan Smithers", "Jonathon Smitherz") > 0.9);
        assert!(sim("Anna Kowalski", "Bruno Hartmann") < 0.6);
    }

    #[test]
    fn phonetic_keys_are_shared_across_spellings() {
        let a = Name::new("Qasem");
        let b = Name::new("Qasim");
        let ka: Vec<&str> = a.tokens[0].keys().collect();
        assert!(b.tokens[0].keys().any(|k| ka.contains(&k)), "{ka:?}");
    }
}
