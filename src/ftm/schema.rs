//! The FollowTheMoney schema model, as far as `ties` needs it: which schemata
//! exist, which are relationships (edges), and what type each property has.
//!
//! The table in `schema/table.rs` is generated from the `followthemoney` Python
//! library: `scripts/ftm/gen_schema.sh` regenerates and formats it, and a test in
//! `tests/it/ftm.rs` fails when it is not current.

use std::collections::HashMap;
use std::sync::OnceLock;

mod table;

use self::table::{COUNTRIES, SCHEMATA, TOPICS};

/// One FtM schema.
#[derive(Debug)]
pub struct SchemaDef {
    pub name: &'static str,
    /// What the library calls the schema (`Public body`).
    pub label: &'static str,
    /// Abstract schemata (`Thing`, `Interval`…) may not be used for entities.
    pub is_abstract: bool,
    /// Every schema this one extends, itself included.
    pub ancestors: &'static [&'static str],
    /// Properties that name the entity, best first.
    pub caption: &'static [&'static str],
    /// For relationship schemata: the `(source, target)` properties.
    pub edge: Option<(&'static str, &'static str)>,
    /// Every property the schema accepts, sorted by name, with its FtM type name
    /// (`entity`, `date`, `country`…) and, for entity properties, the schema its
    /// values must be (or extend).
    pub props: &'static [(&'static str, &'static str, &'static str)],
    /// The label of each property in `props`, in the same order (`Birth date`).
    pub labels: &'static [&'static str],
}

/// What kind of value a property holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PropType {
    /// The id of another entity.
    Entity,
    /// An ISO date, possibly partial or with a time.
    Date,
    Number,
    /// Names, text, countries, URLs and the rest.
    Other,
}

impl PropType {
    /// The type of a property of FtM type `type_name`.
    fn of(type_name: &str) -> PropType {
        match type_name {
            "entity" => PropType::Entity,
            "date" => PropType::Date,
            "number" => PropType::Number,
            _ => PropType::Other,
        }
    }
}

impl SchemaDef {
    /// The type of property `name`, or `None` if the schema has no such property.
    pub fn prop(&self, name: &str) -> Option<PropType> {
        self.prop_at(name).map(|(_, t)| t)
    }

    /// Where property `name` is in `props`, and its type: looked up in a
    /// table of the schema's own (a reader asks this for every property of
    /// every record; a binary search over the names was a sixth of a load,
    /// a hash map of the names 5 % of the parser threads' instructions), the
    /// type kept in it (not told from its name each time).
    fn prop_at(&self, name: &str) -> Option<(usize, PropType)> {
        static INDEX: OnceLock<Vec<PropIndex>> = OnceLock::new();
        let all = INDEX.get_or_init(|| SCHEMATA.iter().map(PropIndex::of).collect());
        match self.index().and_then(|at| all.get(at)) {
            Some(m) => m.get(self, name),
            // Not one of the table's schemata (a test's own): search.
            _ => (self.props.binary_search_by(|(p, ..)| (*p).cmp(name)).ok())
                .map(|i| (i, PropType::of(self.props[i].1))),
        }
    }

    /// Where the schema is in the table of every schema ([`all`]), `None`
    /// for one that is not there (a test's own).
    pub fn index(&self) -> Option<usize> {
        let at = (self as *const SchemaDef as usize).wrapping_sub(SCHEMATA.as_ptr() as usize)
            / std::mem::size_of::<SchemaDef>();
        (SCHEMATA.get(at)).and_then(|s| std::ptr::eq(s, self).then_some(at))
    }

    /// The FtM type name of property `name` (`name`, `country`, `url`…).
    pub fn type_name(&self, name: &str) -> Option<&'static str> {
        Some(self.props[self.prop_at(name)?.0].1)
    }

    /// The schema an entity property's values must have.
    pub fn range(&self, name: &str) -> Option<&'static str> {
        let r = self.props[self.prop_at(name)?.0].2;
        (!r.is_empty()).then_some(r)
    }

    /// The schema's label for property `name` (`birthDate` → `Birth date`).
    pub fn label(&self, name: &str) -> Option<&'static str> {
        self.labels.get(self.prop_at(name)?.0).copied()
    }

    /// Does this schema extend `ancestor` (or is it `ancestor`)?
    pub fn is_a(&self, ancestor: &str) -> bool {
        self.ancestors.contains(&ancestor)
    }
}

/// A property name as its length and two words ([`crate::graph::end_words`]:
/// its first eight bytes and its last eight): equal for equal names, and
/// for names up to 16 bytes only for equal names.
#[derive(Clone, Copy, PartialEq, Eq)]
struct NameKey {
    head: u64,
    tail: u64,
    len: usize,
}

impl NameKey {
    /// No name has this length: an empty slot keyed so matches none.
    const NONE: NameKey = NameKey {
        head: 0,
        tail: 0,
        len: usize::MAX,
    };

    fn of(name: &[u8]) -> NameKey {
        let (head, tail) = crate::graph::end_words(name);
        NameKey {
            head,
            tail,
            len: name.len(),
        }
    }

    /// Its hash: the words mixed by one wide multiply, so that both the
    /// low bits and the top bits (which `hashbrown` looks at) vary.
    fn hash(self) -> u64 {
        let h = self.head ^ self.tail.rotate_left(29) ^ self.len as u64;
        let m = u128::from(h) * 0x9e37_79b9_7f4a_7c15;
        (m as u64) ^ (m >> 64) as u64
    }
}

/// The types [`SchemaDef::prop`] gave the properties of the records read
/// lately (a reader's own, reused from record to record), in a small table
/// by name and schema with one entry a slot: a file names few properties,
/// over and over, and one found there (its key compared, which for names
/// up to 16 bytes is the name) is not looked up in the schema's index.
pub struct PropMemo {
    /// Per slot: the schema (its address), the name's key and its type.
    slots: PropKept<Option<PropType>>,
    /// The schemata [`get`] gave for the names of the lines read lately,
    /// by the name's key: one per line, each a hash and a comparison of
    /// the name in [`get`]'s map.
    schemata: [(NameKey, Option<&'static SchemaDef>); Self::SCHEMATA],
}

impl Default for PropMemo {
    fn default() -> Self {
        PropMemo {
            slots: PropKept::default(),
            schemata: [(NameKey::NONE, None); Self::SCHEMATA],
        }
    }
}

impl PropMemo {
    /// (A file's schemata name a hundred or more properties between
    /// them: with 64 slots a fifth of the lookups missed.)
    const SLOTS: usize = 256;
    const SCHEMATA: usize = 16;

    /// [`get`]`(name)`.
    #[inline]
    pub fn schema(&mut self, name: &str) -> Option<&'static SchemaDef> {
        let key = NameKey::of(name.as_bytes());
        if key.len > 16 {
            return get(name);
        }
        let h = (key.head ^ key.tail.rotate_left(17) ^ key.len as u64)
            .wrapping_mul(0x9e37_79b9_7f4a_7c15);
        let slot = &mut self.schemata[(h >> 60) as usize];
        if slot.0 == key {
            return slot.1;
        }
        let def = get(name);
        *slot = (key, def);
        def
    }

    /// [`SchemaDef::prop`]`(name)` of `def`.
    #[inline]
    pub fn prop(&mut self, def: &SchemaDef, name: &str) -> Option<PropType> {
        self.slots.get(def, name, || def.prop(name))
    }
}

/// Something worked out once per property of a schema (a `T` made from
/// its name and type), kept for the names of the lines read lately as
/// [`PropMemo`] keeps their types (same slots, same keys): one lookup
/// instead of the type's and the working out again.
pub struct PropKept<T> {
    /// Per slot: the schema (its address), the name's key and its `T`.
    slots: [(usize, NameKey, T); PropMemo::SLOTS],
}

impl<T: Copy + Default> Default for PropKept<T> {
    fn default() -> Self {
        PropKept {
            slots: [(0, NameKey::NONE, T::default()); PropMemo::SLOTS],
        }
    }
}

impl<T: Copy> PropKept<T> {
    /// What `work` makes of property `name` of `def`, kept (names of
    /// more than 16 bytes worked out each time).
    #[inline]
    pub fn get(&mut self, def: &SchemaDef, name: &str, work: impl FnOnce() -> T) -> T {
        let key = NameKey::of(name.as_bytes());
        if key.len > 16 {
            return work();
        }
        let schema = def as *const SchemaDef as usize;
        let h = (key.head ^ key.tail.rotate_left(17) ^ (schema as u64 >> 4))
            .wrapping_mul(0x9e37_79b9_7f4a_7c15);
        // (Two slots a set, the one last used first: keyed by the
        // schema's address, which moves from build to build, one slot
        // each left two of a file's properties sharing it in one build
        // in two, each pushing the other out, line after line: ten times
        // the lookups in the schema's index.)
        let set = 2 * (h >> (64 - Self::SETS.trailing_zeros())) as usize;
        let [first, second] = &mut self.slots[set..set + 2] else {
            unreachable!("two slots a set")
        };
        if first.0 == schema && first.1 == key {
            return first.2;
        }
        if second.0 == schema && second.1 == key {
            std::mem::swap(first, second);
            return first.2;
        }
        let t = work();
        *second = std::mem::replace(first, (schema, key, t));
        t
    }

    /// Its sets of two slots (a power of two).
    const SETS: usize = {
        assert!((PropMemo::SLOTS / 2).is_power_of_two());
        PropMemo::SLOTS / 2
    };
}

/// One schema's properties by name, keyed by their [`NameKey`]s (no hash
/// of the whole name, and no comparison of it up to 16 bytes).
struct PropIndex {
    /// Each property's key, place in `props` and type.
    table: hashbrown::HashTable<(NameKey, u16, PropType)>,
}

impl PropIndex {
    fn of(s: &SchemaDef) -> PropIndex {
        let mut table = hashbrown::HashTable::with_capacity(s.props.len());
        for (i, p) in s.props.iter().enumerate() {
            let key = NameKey::of(p.0.as_bytes());
            table.insert_unique(key.hash(), (key, i as u16, PropType::of(p.1)), |e| {
                e.0.hash()
            });
        }
        PropIndex { table }
    }

    /// Property `name` of `s` (the schema this index is of).
    fn get(&self, s: &SchemaDef, name: &str) -> Option<(usize, PropType)> {
        let key = NameKey::of(name.as_bytes());
        // (A name of more than 16 bytes compared whole.)
        let same = |&(k, i, _): &(NameKey, u16, PropType)| {
            k == key && (key.len <= 16 || s.props[usize::from(i)].0 == name)
        };
        (self.table.find(key.hash(), same)).map(|&(_, i, t)| (usize::from(i), t))
    }
}

/// Every schema, sorted by name.
pub fn all() -> &'static [SchemaDef] {
    SCHEMATA
}

/// The schema called `name` (case-sensitive, as FtM writes them).
pub fn get(name: &str) -> Option<&'static SchemaDef> {
    // foldhash: looked up for every record of a file.
    type Index = HashMap<&'static str, &'static SchemaDef, foldhash::fast::FixedState>;
    static INDEX: OnceLock<Index> = OnceLock::new();
    INDEX
        .get_or_init(|| SCHEMATA.iter().map(|s| (s.name, s)).collect())
        .get(name)
        .copied()
}

/// The English name of an FtM country code (`de` → `Germany`, `zz` →
/// `Global`), any case.
pub fn country_name(code: &str) -> Option<&'static str> {
    let code = code.trim().to_ascii_lowercase();
    let i = COUNTRIES
        .binary_search_by(|(c, _)| (*c).cmp(code.as_str()))
        .ok()?;
    Some(COUNTRIES[i].1)
}

/// The label of an FtM topic (`sanction` → `Sanctioned`, `role.pep` → `PEP`).
pub fn topic_label(topic: &str) -> Option<&'static str> {
    let i = TOPICS.binary_search_by(|(t, _)| (*t).cmp(topic)).ok()?;
    Some(TOPICS[i].1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_knows_the_core_schemata() {
        let payment = get("Payment").unwrap();
        assert_eq!(payment.edge, Some(("payer", "beneficiary")));
        assert_eq!(payment.prop("payer"), Some(PropType::Entity));
        assert_eq!(payment.prop("startDate"), Some(PropType::Date));
        assert_eq!(payment.prop("nonsense"), None);
        let person = get("Person").unwrap();
        assert!(person.is_a("LegalEntity") && person.is_a("Thing"));
        assert!(person.edge.is_none());
        assert!(get("Thing").unwrap().is_abstract);
        assert!(get("person").is_none());
        assert_eq!(person.label("birthDate"), Some("Birth date"));
        assert_eq!(
            get("Ownership").unwrap().label("percentage"),
            Some("Percentage held")
        );
        assert_eq!(topic_label("sanction"), Some("Sanctioned"));
        assert_eq!(country_name("de"), Some("Germany"));
        assert_eq!(country_name("BY"), Some("Belarus"));
        assert_eq!(country_name("zz"), Some("Global"));
        assert_eq!(country_name("qq"), None);
        assert!(COUNTRIES.windows(2).all(|w| w[0].0 < w[1].0));
        assert_eq!(topic_label("role.pep"), Some("PEP"));
        for s in SCHEMATA {
            assert!(s.props.windows(2).all(|w| w[0].0 < w[1].0), "{}", s.name);
        }
    }

    /// A memo answers as the schema does, whatever it was asked before:
    /// schemata's names and near misses (cut short, a byte changed,
    /// another schema's, names past 16 bytes), each asked twice (the
    /// second time answered from the memo), the schema changed under the
    /// same names, many names sharing its slots.
    #[test]
    fn prop_memo_answers_as_the_schema_does() {
        let mut memo = PropMemo::default();
        let mut names: Vec<String> = Vec::new();
        for s in SCHEMATA.iter().step_by(3) {
            for (p, ..) in s.props.iter().take(24) {
                names.push(p.to_string());
                names.push(p[..p.len() - 1].to_string());
                let mut changed = p.to_string().into_bytes();
                changed[0] ^= 0x20;
                names.push(String::from_utf8(changed).unwrap());
            }
        }
        names.push("aVeryLongPropertyNameIndeed".into());
        names.push("aVeryLongPropertyNameIndeeD".into());
        for round in 0..3 {
            for s in SCHEMATA.iter().skip(round).step_by(2) {
                for name in &names {
                    assert_eq!(memo.prop(s, name), s.prop(name), "{} {name}", s.name);
                    assert_eq!(memo.prop(s, name), s.prop(name), "{} {name}", s.name);
                }
            }
        }
    }

    /// A memo's schemata are those [`get`] gives, whatever it was asked
    /// before: every schema's name, each cut short, a byte changed, grown
    /// by a byte, names past 16 bytes, asked twice in three rounds.
    #[test]
    fn memo_schemata_are_those_get_gives() {
        let mut memo = PropMemo::default();
        let mut names: Vec<String> = vec![String::new(), "UnknownLinkUnknownLink".into()];
        for s in SCHEMATA {
            names.push(s.name.to_string());
            names.push(s.name[..s.name.len() - 1].to_string());
            names.push(format!("{}s", s.name));
            let mut changed = s.name.to_string().into_bytes();
            changed[0] ^= 0x20;
            names.push(String::from_utf8(changed).unwrap());
        }
        for round in 0..3 {
            for name in names.iter().skip(round) {
                let want = get(name).map(|d| d.name);
                assert_eq!(memo.schema(name).map(|d| d.name), want, "{name}");
                assert_eq!(memo.schema(name).map(|d| d.name), want, "{name}");
            }
        }
    }

    /// Every schema's index finds each of its properties where the sorted
    /// list has it, and no other name: names of every length, each cut
    /// short, grown by a byte, a byte changed, another schema's names.
    #[test]
    fn prop_index_finds_what_a_search_finds() {
        let search = |s: &SchemaDef, name: &str| {
            (s.props.binary_search_by(|(p, ..)| (*p).cmp(name)).ok())
                .map(|i| (i, PropType::of(s.props[i].1)))
        };
        let mut names: Vec<String> = SCHEMATA
            .iter()
            .flat_map(|s| s.props.iter().map(|p| p.0.to_string()))
            .collect();
        names.sort();
        names.dedup();
        let mut tried = vec![String::new(), "x".into(), "\0".into(), "name\0".into()];
        for n in &names {
            tried.push(n.clone());
            tried.push(format!("{n}s"));
            tried.push(format!("{n}\0"));
            tried.push(n[..n.len() - 1].to_string());
            tried.push(n[1..].to_string());
            let mut b = n.clone().into_bytes();
            let last = b.len() - 1;
            b[last] ^= 1;
            tried.push(String::from_utf8(b).unwrap());
        }
        assert!(names.iter().any(|n| n.len() > 16) && names.iter().any(|n| n.len() < 8));
        for s in SCHEMATA {
            for n in &tried {
                assert_eq!(s.prop_at(n), search(s, n), "{}.{n}", s.name);
            }
        }
    }
}
