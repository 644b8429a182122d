//! People's names and the aliases people meet: without diacritics, with an
//! initial, in another transliteration, in Cyrillic.

use super::Rng;
use super::pools::*;

/// Removes diacritics but keeps case: `Kasčiūnas` → `Kasciunas`.
pub(super) fn ascii_form(s: &str) -> String {
    deunicode::deunicode(s)
}

/// A Russian-style transliteration of a Lithuanian name: `Laurynas Kasčiūnas` →
/// `Laurinas Kaschyunas`.
pub(super) fn slavic_form(s: &str) -> String {
    let mut out = s.to_string();
    for (from, to) in [
        ("iū", "yu"),
        ("y", "i"),
        ("č", "ch"),
        ("Č", "Ch"),
        ("š", "sh"),
        ("Š", "Sh"),
        ("ž", "zh"),
        ("Ž", "Zh"),
        ("ū", "u"),
        ("ė", "e"),
        ("ą", "a"),
        ("ę", "e"),
        ("į", "i"),
        ("ų", "u"),
    ] {
        out = out.replace(from, to);
    }
    out
}

/// Scandinavian spelling without special letters: `Pål Ødegaard` → `Paal Oedegaard`.
pub(super) fn nordic_form(s: &str) -> String {
    let mut out = s.to_string();
    for (from, to) in [
        ("å", "aa"),
        ("Å", "Aa"),
        ("ø", "oe"),
        ("Ø", "Oe"),
        ("ö", "oe"),
        ("ä", "ae"),
        ("æ", "ae"),
    ] {
        out = out.replace(from, to);
    }
    out
}

pub(super) fn initial(first: &str) -> String {
    first
        .chars()
        .next()
        .map_or(String::new(), |c| format!("{c}."))
}

pub(super) fn person(r: &mut Rng) -> (String, Vec<String>) {
    let mut aliases = Vec::new();
    let nation = r.below(100);
    let name;
    if nation < 35 {
        let (first, last) = if r.chance(550) {
            (*r.pick(LT_MALE), *r.pick(LT_MALE_SURNAMES))
        } else {
            (*r.pick(LT_FEMALE), *r.pick(LT_FEMALE_SURNAMES))
        };
        name = format!("{first} {last}");
        if name.is_ascii() {
            // Nothing to fold.
        } else if r.chance(450) {
            aliases.push(ascii_form(&name));
        }
        if r.chance(250) {
            aliases.push(format!("{} {last}", initial(first)));
        }
        if r.chance(100) {
            aliases.push(slavic_form(&name));
        }
    } else if nation < 70 {
        let (f, fc, falt) = *r.pick(UA_FIRST);
        let (l, lc, lalt) = *r.pick(UA_SURNAMES);
        name = format!("{f} {l}");
        if r.chance(450) && !fc.is_empty() && !lc.is_empty() {
            aliases.push(format!("{fc} {lc}"));
        }
        if !lalt.is_empty() && r.chance(500) {
            aliases.push(format!("{f} {}", r.pick(lalt)));
        } else if !falt.is_empty() && r.chance(300) {
            aliases.push(format!("{} {l}", r.pick(falt)));
        }
        if r.chance(150) {
            aliases.push(format!("{} {l}", initial(f)));
        }
    } else if nation < 85 {
        let first = *r.pick(NORDIC_FIRST);
        let last = *r.pick(NORDIC_SURNAMES);
        name = format!("{first} {last}");
        if !name.is_ascii() && r.chance(300) {
            aliases.push(ascii_form(&name));
        } else if !name.is_ascii() && r.chance(250) {
            aliases.push(nordic_form(&name));
        }
    } else if nation < 93 {
        name = format!("{} {}", r.pick(PL_FIRST), r.pick(PL_SURNAMES));
        if !name.is_ascii() && r.chance(400) {
            aliases.push(ascii_form(&name));
        }
    } else if nation < 97 {
        name = format!("{} {}", r.pick(DE_FIRST), r.pick(DE_SURNAMES));
    } else {
        name = format!("{} {}", r.pick(EN_FIRST), r.pick(EN_SURNAMES));
    }
    aliases.retain(|a| *a != name);
    aliases.dedup();
    (name, aliases)
}

pub(super) fn surname(r: &mut Rng) -> &'static str {
    let list: &[&'static str] = match r.below(4) {
        0 => LT_MALE_SURNAMES,
        1 => return r.pick(UA_SURNAMES).0,
        2 => NORDIC_SURNAMES,
        _ => PL_SURNAMES,
    };
    list[r.below(list.len())]
}
