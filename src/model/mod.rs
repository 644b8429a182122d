//! Domain types: dates, money, kinds, and the records a graph file is made of.

pub mod amount;
pub mod date;
pub mod kinds;
pub mod record;

pub use amount::{Amount, AmountRecord, Currency};
pub use date::{DateWindow, PartialDate, Precision};
pub use kinds::{EntityKind, RelationKind, Sym};
pub use record::{EntityRecord, GraphFile, RelationRecord, SourceRecord};
