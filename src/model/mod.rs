//! Domain types: dates, money, kinds, and the records a graph file is made of.

pub mod amount;
pub mod date;
pub mod kinds;
pub mod record;

pub use amount::{Amount, AmountRecord, Currency};
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
