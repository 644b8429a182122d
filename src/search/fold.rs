//! Folding text to lower-case ASCII, the form every name and query is matched in.
//!
//! Each character is transliterated on its own with `deunicode` (`č` → `c`,
//! `Ł` → `l`, `ø` → `o`, `ß` → `ss`, `Ж` → `zh`) and lower-cased; characters with no
//! transliteration are dropped and control characters become spaces. Because the
//! folding is per character, a position in the folded text can always be mapped
//! back to the character of the original text it came from.

use deunicode::deunicode_char;

/// Folds `text` to lower-case ASCII: `Kasčiūnas` → `kasciunas`, `Pål` → `pal`.
pub fn fold(text: &str) -> String {
    let mut out = Vec::with_capacity(text.len());
    fold_into(text, &mut out, None);
    // Every byte pushed is ASCII.
    String::from_utf8(out).unwrap_or_default()
}

/// The second spelling of the letters that have two in common use: German
/// umlauts written with an `e` (`ö` → `oe`, where [`fold`] gives `o`), the
/// Nordic `å` → `aa` and `ø` → `oe`. `ß` → `ss` and `æ` → `ae` need no second
/// form: [`fold`] already gives them.
fn alternative(ch: char) -> Option<&'static str> {
    Some(match ch {
        'ä' | 'Ä' => "ae",
        'ö' | 'Ö' | 'ø' | 'Ø' | 'œ' | 'Œ' => "oe",
        'ü' | 'Ü' => "ue",
        'å' | 'Å' => "aa",
        _ => return None,
    })
}

/// U+0308, the diaeresis that follows its letter in decomposed text (`u` + `¨`).
const COMBINING_DIAERESIS: char = '\u{308}';
/// U+030A, the ring of a decomposed `å`.
const COMBINING_RING: char = '\u{30a}';

/// Whether `text` has a letter that [`fold_alternative_into`] spells otherwise.
pub(crate) fn has_alternative(text: &str) -> bool {
    !text.is_ascii()
        && text
            .chars()
            .any(|c| alternative(c).is_some() || c == COMBINING_DIAERESIS || c == COMBINING_RING)
}

/// Like [`fold_into`], with the second spelling of umlauts and Nordic letters:
/// `Nierstenhöfer` → `nierstenhoefer`, `Ålborg` → `aalborg`, `Søren` → `soeren`;
/// decomposed `u` + `¨` gives `ue` too.
pub(crate) fn fold_alternative_into(text: &str, out: &mut Vec<u8>, map: Option<&mut Vec<u32>>) {
    fold_with(text, out, map, true);
}

/// Appends the folded form of `text` to `out`. With `map`, also appends, for each
/// folded byte, the index of the original character it came from.
pub(crate) fn fold_into(text: &str, out: &mut Vec<u8>, map: Option<&mut Vec<u32>>) {
    fold_with(text, out, map, false);
}

fn fold_with(text: &str, out: &mut Vec<u8>, mut map: Option<&mut Vec<u32>>, alt: bool) {
    // Fast path: plain ASCII text needs no table look-ups.
    if text.is_ascii() && map.is_none() {
        out.extend(text.bytes().map(fold_ascii));
        return;
    }
    for (ci, ch) in text.chars().enumerate() {
        let ci = u32::try_from(ci).unwrap_or(u32::MAX);
        if ch.is_ascii() {
            out.push(fold_ascii(ch as u8));
            if let Some(m) = map.as_deref_mut() {
                m.push(ci);
            }
            continue;
        }
        let second = if !alt {
            None
        } else if ch == COMBINING_DIAERESIS || ch == COMBINING_RING {
            // The letter before was folded already: `u` + `¨` → `ue`, `a` + `˚` → `aa`.
            match (out.last(), ch) {
                (Some(b'a' | b'o' | b'u'), COMBINING_DIAERESIS) => Some("e"),
                (Some(b'a'), COMBINING_RING) => Some("a"),
                _ => None,
            }
        } else {
            alternative(ch)
        };
        if let Some(s) = second.or_else(|| deunicode_char(ch)) {
            for b in s.bytes() {
                out.push(fold_ascii(b));
                if let Some(m) = map.as_deref_mut() {
                    m.push(ci);
                }
            }
        }
    }
}

#[inline]
fn fold_ascii(b: u8) -> u8 {
    if b.is_ascii_control() {
        b' '
    } else {
        b.to_ascii_lowercase()
    }
}

/// Which bit of a character-presence mask a folded byte sets. Letters have a
/// bit each; digits share two bits (0–4, 5–9) and every other byte one, so a
/// mask is a necessary (not sufficient) condition for a byte to be present.
/// Masks use bits 0..=28 only ([`MASK_BITS`]): the index keeps a text's
/// character mask and word-start mask in one `u64`, with flags above.
#[inline]
pub(crate) fn mask_bit(b: u8) -> u64 {
    let bit = match b {
        b'a'..=b'z' => b - b'a',
        b'0'..=b'4' => 26,
        b'5'..=b'9' => 27,
        _ => 28,
    };
    1u64 << bit
}

/// Bits a mask from [`mask_bit`] may use.
pub(crate) const MASK_BITS: u32 = 29;

/// The mask of the bytes that start a word (follow a non-alphanumeric byte, or
/// open the text).
#[inline]
pub(crate) fn word_mask_of(text: &[u8]) -> u64 {
    let mut prev_word = false;
    let mut m = 0;
    for &b in text {
        let word = b.is_ascii_alphanumeric();
        if !prev_word {
            m |= mask_bit(b);
        }
        prev_word = word;
    }
    m
}

/// The presence mask of a folded text.
#[inline]
pub(crate) fn mask_of(text: &[u8]) -> u64 {
    text.iter().fold(0, |m, &b| m | mask_bit(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_lithuanian_ukrainian_nordic_and_polish() {
        assert_eq!(fold("Kasčiūnas"), "kasciunas");
        assert_eq!(fold("Šakalienė"), "sakaliene");
        assert_eq!(fold("Pål"), "pal");
        assert_eq!(fold("Łukasz"), "lukasz");
        assert_eq!(fold("Søren Ødegård"), "soren odegard");
        assert_eq!(fold("Strauß"), "strauss");
        assert_eq!(fold("Умєров"), "umierov");
        assert_eq!(fold("Dovilė\tŠakalienė"), "dovile sakaliene");
    }

    #[test]
    fn second_spellings_of_umlauts_and_nordic_letters() {
        let alt = |t: &str| {
            let mut out = Vec::new();
            fold_alternative_into(t, &mut out, None);
            String::from_utf8(out).unwrap()
        };
        assert_eq!(alt("Nierstenhöfer"), "nierstenhoefer");
        assert_eq!(fold("Nierstenhöfer"), "nierstenhofer");
        assert_eq!(alt("Württemberg"), "wuerttemberg");
        assert_eq!(alt("Süddeutscher Verlag"), "sueddeutscher verlag");
        assert_eq!(alt("Ärzte Straße"), "aerzte strasse");
        assert_eq!(alt("Ålborg Søren Æbelø"), "aalborg soeren aebeloe");
        // Decomposed: `u` then U+0308.
        assert_eq!(alt("Mu\u{308}ller"), "mueller");
        assert_eq!(fold("Mu\u{308}ller"), "muller");
        assert!(has_alternative("Müller"));
        assert!(has_alternative("Mu\u{308}ller"));
        assert!(!has_alternative("Kasčiūnas"));
        assert!(!has_alternative("Strauss"));
    }

    #[test]
    fn map_points_each_folded_byte_at_its_original_character() {
        let mut out = Vec::new();
        let mut map = Vec::new();
        fold_into("Straße Ł", &mut out, Some(&mut map));
        assert_eq!(out, b"strasse l");
        // s t r a s s e ␠ l  ←  S t r a ß ß e ␠ Ł
        assert_eq!(map, vec![0, 1, 2, 3, 4, 4, 5, 6, 7]);
    }

    #[test]
    fn mask_is_a_superset_of_every_byte_present() {
        let m = mask_of(b"kasciunas 42!");
        for &b in b"kasciunas 42!" {
            assert_eq!(m & mask_bit(b), mask_bit(b));
        }
        assert_eq!(m & mask_bit(b'z'), 0);
        assert_eq!(m & mask_bit(b'7'), 0);
        for b in 0..=255u8 {
            assert!(mask_bit(b) < 1 << MASK_BITS);
        }
    }

    #[test]
    fn word_mask_has_the_first_letter_of_each_word() {
        let m = word_mask_of(b"l.kasciunas-umerov");
        // A byte starts a word when it opens the text or follows a byte that
        // is not a letter or digit.
        let expect = [b'l', b'k', b'u'];
        for b in b"l.kasciunas-umerov" {
            assert_eq!(m & mask_bit(*b) != 0, expect.contains(b), "{}", *b as char);
        }
    }
}
