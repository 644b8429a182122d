//! Domain types: dates, money, kinds, and the records a graph file is made of.

pub mod amount;
pub mod date;
pub mod kinds;
pub mod record;

pub use amount::{Amount, AmountRecord, Currency};

/// `s` trimmed as [`str::trim`] trims it, quickly when it starts and ends
/// with a printable ASCII character (as ids and most values do): a reader of
/// millions of rows trims each id several times.
#[inline]
pub(crate) fn trim(s: &str) -> &str {
    let plain = |b: Option<&u8>| b.is_some_and(|&b| b > b' ' && b < 0x7f);
    if plain(s.as_bytes().first()) && plain(s.as_bytes().last()) {
        s
    } else {
        s.trim()
    }
}
pub use date::{DateWindow, PartialDate, Precision, date_span};
pub use kinds::{EntityKind, RelationKind, Sym};
pub use record::{EntityRecord, GraphFile, RelationRecord, SourceRecord};

/// `1 relation`, `2 relations`, `1 entity`, `3 entities`: a count with its noun
/// in the number it needs.
pub fn count(n: usize, singular: &str) -> String {
    if n == 1 {
        format!("1 {singular}")
    } else if let Some(stem) = singular.strip_suffix('y') {
        format!("{n} {stem}ies")
    } else {
        format!("{n} {singular}s")
    }
}
