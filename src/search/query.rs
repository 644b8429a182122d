//! fzf's extended search syntax, parsed into terms over folded text.
//!
//! Space-separated terms must all match, in any order:
//!
//! | term      | matches a text that…                      |
//! |-----------|-------------------------------------------|
//! | `abc`     | contains `a`, `b`, `c` in order (fuzzy)   |
//! | `'abc`    | contains `abc` (exact substring)          |
//! | `^abc`    | starts with `abc`                         |
//! | `abc$`    | ends with `abc`                           |
//! | `^abc$`   | is `abc`                                  |
//! | `!abc`    | does not contain `abc` (also `!^abc`, `!abc$`) |
//!
//! A `#tag` term is not matched against names: the front ends keep only the
//! entities carrying the tag (`notes::split_query`). It is kept here so that a
//! query whose tags changed is never narrowed from the previous one's matches.
//!
//! An excluding term rules out the whole entity when any of its names or aliases
//! contains it. Terms are folded like names, so `Kasčiūnas` and `kasciunas` are the
//! same term; a term that folds to nothing is ignored.

use super::fold::{fold_into, mask_bit, mask_of};

/// How a term matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Fuzzy,
    Exact,
    Prefix,
    Suffix,
    Equal,
}

/// One term of a query, folded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Term {
    pub kind: Kind,
    pub text: Vec<u8>,
}

/// A parsed query.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Query {
    /// Terms a text must match.
    pub positive: Vec<Term>,
    /// Terms no name of the entity may match.
    pub negative: Vec<Term>,
    /// Bytes every matching text contains.
    pub mask: u64,
    /// Bytes that start a word in every text of the exact or word-start tier.
    pub word_mask: u64,
    /// When every positive term is fuzzy (or the query is one `^term$`): the text
    /// a name must equal to be an exact match.
    pub plain: Option<Vec<u8>>,
    /// `#tag` terms, as typed: the name search skips them.
    pub tags: Vec<String>,
}

impl Query {
    /// Parses `query` (any Unicode; never fails).
    pub fn parse(query: &str) -> Query {
        let mut q = Query::default();
        // The last word of a query that does not end in a space may still be
        // being typed (`min de` on the way to `min def`): it is taken as typed.
        let tokens: Vec<&str> = query.split_whitespace().collect();
        let typing = if query.ends_with(char::is_whitespace) {
            None
        } else {
            tokens.len().checked_sub(1)
        };
        let mut last_positive = None;
        for (i, &token) in tokens.iter().enumerate() {
            if token.len() > 1 && token.starts_with('#') {
                q.tags.push(token.to_string());
                continue;
            }
            let (negated, rest) = match token.strip_prefix('!') {
                Some(r) => (true, r),
                None => (false, token),
            };
            let (exact, rest) = match rest.strip_prefix('\'') {
                Some(r) => (true, r),
                None => (false, rest),
            };
            let (prefix, rest) = match rest.strip_prefix('^') {
                Some(r) => (true, r),
                None => (false, rest),
            };
            let (suffix, rest) = match rest.strip_suffix('$') {
                Some(r) => (true, r),
                None => (false, rest),
            };
            let mut text = Vec::with_capacity(rest.len());
            fold_into(rest, &mut text, None);
            // Spaces inside a folded term (from `北京` → `bei jing `) split nothing;
            // a term of only spaces would match almost anything, so trim them.
            let trimmed = trim_spaces(&text);
            if trimmed.is_empty() {
                continue;
            }
            let text = trimmed.to_vec();
            let kind = match (prefix, suffix) {
                (true, true) => Kind::Equal,
                (true, false) => Kind::Prefix,
                (false, true) => Kind::Suffix,
                // `!abc` is an exact (substring) exclusion, as in fzf.
                (false, false) if exact || negated => Kind::Exact,
                (false, false) => Kind::Fuzzy,
            };
            let term = Term { kind, text };
            if negated {
                q.negative.push(term);
            } else {
                if typing == Some(i) {
                    last_positive = Some(q.positive.len());
                }
                q.positive.push(term);
            }
        }
        // Small words (`of`, `the`, `von`…) as plain terms are never required:
        // dropped, unless they are all the query has or the last word is still
        // being typed. Written out, they still make an exact match (`plain`
        // below keeps them).
        let all_terms = q.positive.clone();
        let optional = |i: usize, t: &Term| is_small_word(t) && Some(i) != last_positive;
        if q.positive.iter().enumerate().any(|(i, t)| !optional(i, t)) {
            let mut i = 0;
            q.positive.retain(|t| {
                i += 1;
                !optional(i - 1, t)
            });
        }
        q.mask = q.positive.iter().fold(0, |m, t| m | mask_of(&t.text));
        q.word_mask = q
            .positive
            .iter()
            .fold(0, |m, t| m | t.text.first().map_or(0, |&b| mask_bit(b)));
        let all_fuzzy = all_terms.iter().all(|t| t.kind == Kind::Fuzzy);
        q.plain = if !q.positive.is_empty() && all_fuzzy {
            let mut plain = Vec::new();
            for (i, t) in all_terms.iter().enumerate() {
                if i > 0 {
                    plain.push(b' ');
                }
                plain.extend_from_slice(&t.text);
            }
            Some(plain)
        } else if let [t] = q.positive.as_slice()
            && t.kind == Kind::Equal
        {
            Some(t.text.clone())
        } else {
            None
        };
        q
    }

    /// Whether nothing is asked for (no term, or only exclusions).
    pub fn is_empty(&self) -> bool {
        self.positive.is_empty()
    }

    /// Whether every text matching `self` also matches `prev`: then only `prev`'s
    /// matches need to be looked at. True when each of `prev`'s terms has a
    /// stricter counterpart at the same place in `self` (typing more characters
    /// or adding terms), and the exclusions are the same.
    pub fn narrows(&self, prev: &Query) -> bool {
        prev.negative == self.negative
            && prev.tags == self.tags
            && prev.positive.len() <= self.positive.len()
            && prev
                .positive
                .iter()
                .zip(&self.positive)
                .all(|(p, n)| implies(n, p))
    }
}

/// Words a query never requires (when it has others): articles, prepositions
/// and conjunctions of the languages names in the data come in, and the
/// particles of names (`de`, `von`, `van`).
pub(crate) const SMALL_WORDS: &[&str] = &[
    "an", "and", "at", "by", "da", "das", "de", "del", "della", "den", "der", "des", "di", "die",
    "do", "dos", "du", "el", "for", "het", "in", "la", "las", "le", "les", "los", "of", "on", "or",
    "the", "to", "und", "van", "von", "with", "zu",
];

/// Whether `t` is a plain term that is a small word.
fn is_small_word(t: &Term) -> bool {
    t.kind == Kind::Fuzzy
        && std::str::from_utf8(&t.text).is_ok_and(|w| SMALL_WORDS.binary_search(&w).is_ok())
}

fn trim_spaces(t: &[u8]) -> &[u8] {
    let start = t.iter().position(|&b| b != b' ').unwrap_or(t.len());
    let end = t.iter().rposition(|&b| b != b' ').map_or(start, |e| e + 1);
    &t[start..end]
}

/// Whether a text matching `n` always matches `p`.
fn implies(n: &Term, p: &Term) -> bool {
    let (nt, pt) = (n.text.as_slice(), p.text.as_slice());
    match p.kind {
        // Anything that contains `n` (in any of its forms) in order contains `p`
        // in order when `p` is a subsequence of `n`.
        Kind::Fuzzy => is_subsequence(pt, nt),
        Kind::Exact => n.kind != Kind::Fuzzy && contains(nt, pt),
        Kind::Prefix => matches!(n.kind, Kind::Prefix | Kind::Equal) && nt.starts_with(pt),
        Kind::Suffix => matches!(n.kind, Kind::Suffix | Kind::Equal) && nt.ends_with(pt),
        Kind::Equal => n.kind == Kind::Equal && nt == pt,
    }
}

/// Whether `needle` occurs in `hay` in order, not necessarily together.
#[inline]
pub(crate) fn is_subsequence(needle: &[u8], hay: &[u8]) -> bool {
    let mut hay = hay.iter();
    'next: for &c in needle {
        for &h in hay.by_ref() {
            if h == c {
                continue 'next;
            }
        }
        return false;
    }
    true
}

/// Whether `needle` occurs in `hay` as one piece.
#[inline]
pub(crate) fn contains(hay: &[u8], needle: &[u8]) -> bool {
    find_from(hay, needle, 0).is_some()
}

/// The first position at or after `from` where `needle` occurs in `hay`.
#[inline]
pub(crate) fn find_from(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    let (&first, rest) = needle.split_first()?;
    if hay.len() < needle.len() {
        return None;
    }
    let last_start = hay.len() - needle.len();
    let mut i = from;
    while i <= last_start {
        match hay[i..=last_start].iter().position(|&b| b == first) {
            None => return None,
            Some(off) => {
                let at = i + off;
                if &hay[at + 1..at + needle.len()] == rest {
                    return Some(at);
                }
                i = at + 1;
            }
        }
    }
    None
}

impl Term {
    /// Whether the folded `text` matches this term.
    #[inline]
    pub fn matches(&self, text: &[u8]) -> bool {
        let t = self.text.as_slice();
        match self.kind {
            Kind::Fuzzy => is_subsequence(t, text),
            Kind::Exact => contains(text, t),
            Kind::Prefix => text.starts_with(t),
            Kind::Suffix => text.ends_with(t),
            Kind::Equal => text == t,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(q: &str) -> Vec<(Kind, String)> {
        Query::parse(q)
            .positive
            .iter()
            .map(|t| (t.kind, String::from_utf8(t.text.clone()).unwrap()))
            .collect()
    }

    #[test]
    fn small_words_are_dropped_unless_alone() {
        assert!(SMALL_WORDS.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(
            kinds("president of ukraine"),
            vec![
                (Kind::Fuzzy, "president".into()),
                (Kind::Fuzzy, "ukraine".into())
            ]
        );
        assert_eq!(
            Query::parse("bank of america").plain.as_deref(),
            Some(&b"bank of america"[..])
        );
        assert_eq!(
            kinds("of the "),
            vec![(Kind::Fuzzy, "of".into()), (Kind::Fuzzy, "the".into())]
        );
        assert_eq!(kinds("of the"), vec![(Kind::Fuzzy, "the".into())]);
        // Quoted, a small word is required.
        assert_eq!(kinds("bank 'of").len(), 2);
        // The last word, with no space after it, may be the start of another.
        assert_eq!(kinds("min de").len(), 2);
        assert_eq!(kinds("min de ").len(), 1);
        assert_eq!(kinds("the min"), vec![(Kind::Fuzzy, "min".into())]);
    }

    #[test]
    fn parses_each_operator() {
        assert_eq!(
            kinds("min 'def ^rep ukr$ ^lt$"),
            vec![
                (Kind::Fuzzy, "min".into()),
                (Kind::Exact, "def".into()),
                (Kind::Prefix, "rep".into()),
                (Kind::Suffix, "ukr".into()),
                (Kind::Equal, "lt".into()),
            ]
        );
        let q = Query::parse("umerov !rustem !^t. !ov$");
        assert_eq!(q.positive.len(), 1);
        let neg: Vec<_> = q.negative.iter().map(|t| t.kind).collect();
        assert_eq!(neg, vec![Kind::Exact, Kind::Prefix, Kind::Suffix]);
    }

    #[test]
    fn lone_operators_and_unfoldable_terms_are_ignored() {
        assert!(Query::parse("' ^ ! $ !' \u{301}").is_empty());
        assert!(Query::parse("   ").is_empty());
        // A `$` alone after `^` is an empty equal term: ignored.
        assert!(Query::parse("^$").is_empty());
    }

    #[test]
    fn terms_are_folded() {
        assert_eq!(kinds("Kasčiūnas"), vec![(Kind::Fuzzy, "kasciunas".into())]);
        assert_eq!(
            Query::parse("Rustem  UMEROV").plain.unwrap(),
            b"rustem umerov"
        );
    }

    #[test]
    fn typing_more_narrows_but_changing_exclusions_does_not() {
        let n = |a: &str, b: &str| Query::parse(b).narrows(&Query::parse(a));
        assert!(n("ka", "kas"));
        assert!(n("kas", "kas "));
        assert!(n("min", "min d"));
        assert!(n("min d", "min de"));
        // `de` is a small word: once typed out, dropped, so `min de ` is `min`,
        // wider than `min de`.
        assert!(!n("min de", "min de "));
        assert!(n("'de", "'def"));
        assert!(n("^de", "^def"));
        assert!(n("kas", "kas$"));
        assert!(
            n("ab", "'xab"),
            "a fuzzy `ab` follows from any term containing a…b"
        );
        assert!(n("'ab", "^xaby$"));
        assert!(!n("^ab", "'abc"), "containing is not starting with");
        assert!(!n("kas$", "kas$x"), "`kas$x` is a fuzzy term, not a suffix");
        assert!(
            !n("kas !ab", "kas !abc"),
            "a longer exclusion lets more through"
        );
        assert!(!n("kas", "ka"));
        assert!(!n("'def", "def"));
        assert!(n("", "x"));
    }

    #[test]
    fn substring_and_subsequence() {
        assert!(is_subsequence(b"ksn", b"kasciunas"));
        assert!(!is_subsequence(b"ksnx", b"kasciunas"));
        assert!(is_subsequence(b"", b""));
        assert_eq!(find_from(b"abcabc", b"bc", 0), Some(1));
        assert_eq!(find_from(b"abcabc", b"bc", 2), Some(4));
        assert_eq!(find_from(b"ab", b"abc", 0), None);
        assert_eq!(find_from(b"abc", b"", 0), None);
    }
}
