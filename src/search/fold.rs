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

/// Appends the folded form of `text` to `out`. With `map`, also appends, for each
/// folded byte, the index of the original character it came from.
pub(crate) fn fold_into(text: &str, out: &mut Vec<u8>, mut map: Option<&mut Vec<u32>>) {
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
        if let Some(s) = deunicode_char(ch) {
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

/// Which bit of a character-presence mask a folded byte sets. Letters and digits
/// have a bit each; other bytes share the remaining bits, so a mask is a
/// necessary (not sufficient) condition for a byte to be present.
#[inline]
pub(crate) fn mask_bit(b: u8) -> u64 {
    let bit = match b {
        b'a'..=b'z' => b - b'a',
        b'0'..=b'9' => 26 + (b - b'0'),
        _ => 36 + (b % 28),
    };
    1u64 << bit
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
    }
}
