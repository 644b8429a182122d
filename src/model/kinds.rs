//! The closed sets of entity and relation kinds, each with an `other` escape.
//!
//! The kinds are generic over how the escape's name is held: records read from
//! a file carry a `String`; the in-memory graph carries an interned [`Sym`].
//! In RON a kind is written in snake case (`kind: holds_office`), the escape as
//! `other("lobbies")`.

use serde::{Deserialize, Serialize};

/// An interned string: an index into the graph's symbol table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Sym(pub u32);

impl From<Sym> for u32 {
    fn from(s: Sym) -> u32 {
        s.0
    }
}

/// Marks a kind code as the `other` escape.
const OTHER_BIT: u32 = 1 << 31;

macro_rules! kinds {
    (
        $(#[$meta:meta])*
        $name:ident { $( $(#[$vmeta:meta])* $variant:ident => $label:literal ),+ $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        // (A tag of its own, the same in every instance: then `map_other`
        // keeps a known kind's tag as it is, where otherwise the compiler
        // jumps through a table, one mispredicted branch a record.)
        #[repr(u8)]
        pub enum $name<O = String> {
            $( $(#[$vmeta])* $variant, )+
            /// A kind outside the closed set, named by the data.
            Other(O),
        }

        impl<O: 'static> $name<O> {
            /// Every kind of the closed set, in declaration order.
            pub const KNOWN: &'static [$name<O>] = &[$($name::$variant),+];

            /// The kind [`Self::code`] gave; `None` for a code that is not one.
            pub fn from_code(code: u32, other: impl FnOnce(u32) -> Option<O>) -> Option<Self>
            where
                O: Clone,
            {
                if code & OTHER_BIT != 0 {
                    return other(code & !OTHER_BIT).map($name::Other);
                }
                Self::KNOWN.get(code as usize).cloned()
            }
        }

        impl<O> $name<O> {

            /// The snake-case name of a known kind; `None` for `Other`.
            pub fn known_label(&self) -> Option<&'static str> {
                match self {
                    $( $name::$variant => Some($label), )+
                    $name::Other(_) => None,
                }
            }

            /// Change how the escape's name is held.
            pub fn map_other<P>(self, f: impl FnOnce(O) -> P) -> $name<P> {
                match self {
                    $( $name::$variant => $name::$variant, )+
                    $name::Other(o) => $name::Other(f(o)),
                }
            }

            /// A compact code: the index of a known kind, or the high bit and
            /// the escape's symbol.
            pub fn code(&self) -> u32 where O: Copy + Into<u32> + 'static {
                match self {
                    $name::Other(o) => OTHER_BIT | (*o).into(),
                    k => {
                        let d = std::mem::discriminant(k);
                        $name::<O>::KNOWN
                            .iter()
                            .position(|x| std::mem::discriminant(x) == d)
                            .map_or(u32::MAX, |i| i as u32)
                    }
                }
            }

            /// The same kind, its escape's name borrowed.
            pub fn as_deref(&self) -> $name<&str> where O: AsRef<str> {
                match self {
                    $( $name::$variant => $name::$variant, )+
                    $name::Other(o) => $name::Other(o.as_ref()),
                }
            }

            /// The known kind with this snake-case name.
            pub fn from_label(label: &str) -> Option<Self> {
                match label {
                    $( $label => Some($name::$variant), )+
                    _ => None,
                }
            }
        }

        impl<O: Copy> Copy for $name<O> {}
    };
}

kinds! {
    /// What an entity is.
    EntityKind {
        Person => "person",
        Ministry => "ministry",
        /// Any other public body, company, union or group.
        Organisation => "organisation",
        Company => "company",
        Country => "country",
        /// A city or other place.
        Place => "place",
        Programme => "programme",
        Fund => "fund",
        Coalition => "coalition",
        Campaign => "campaign",
        /// One payment or instalment of a larger commitment.
        Tranche => "tranche",
        Agreement => "agreement",
        /// A meeting, visit or other dated happening.
        Event => "event",
        /// Weapons, vehicles and other materiel.
        Equipment => "equipment",
    }
}

kinds! {
    /// How two entities are tied, read `from —kind→ to`.
    RelationKind {
        /// A person signed an agreement.
        Signed => "signed",
        /// A country or body is a party to an agreement.
        PartyTo => "party_to",
        /// A person or body took part in an event.
        Attended => "attended",
        /// A person holds office in the body `to` (a ministry, agency or, for a head
        /// of state, the state); `role` names the office. A mere description of
        /// someone's position is a note, not an office.
        HoldsOffice => "holds_office",
        Advises => "advises",
        /// Money went (or goes) from `from` to `to`; `date` is the payment's. A
        /// promise or an agreed but unpaid sum is `pledged` instead.
        Finances => "finances",
        /// `from` gave money or materiel to a programme, fund, campaign or coalition;
        /// `date` is when. A decision to give is `pledged`.
        ContributesTo => "contributes_to",
        Leads => "leads",
        MemberOf => "member_of",
        /// Two parties met (use an event node when the meeting has its own facts).
        Met => "met",
        LocatedIn => "located_in",
        Produces => "produces",
        /// `from` provides the materiel `to`; where the materiel went is its
        /// `delivered_to` (or, when still to come, `intended_for`).
        Supplies => "supplies",
        /// `from` is a part of `to` (a tranche of an agreement, a ministry of a state).
        PartOf => "part_of",
        /// An agreement or decision sets up a programme, body or mechanism.
        Establishes => "establishes",
        /// `from` proposed `to` (an initiative others may join).
        Proposed => "proposed",
        /// A meeting or agreement is about `to`.
        Concerns => "concerns",
        Owns => "owns",
        Employs => "employs",
        Represents => "represents",
        /// Family, associates and other personal ties.
        RelatedTo => "related_to",
        /// `from` promised, agreed, allocated or earmarked money (or materiel) for
        /// `to`, and no report says it was handed over; `date` is when the
        /// commitment was made. Money views keep these apart from `finances`.
        Pledged => "pledged",
        /// `from` made `to` public (a decision, plan or sum); `date` is the
        /// announcement's.
        Announced => "announced",
        /// `from` intends to conclude, join or set up `to`, and no report says it
        /// has happened.
        Plans => "plans",
        /// `from` originated an approach that others have taken up.
        Pioneered => "pioneered",
        /// `from` pursues a policy or an aim of its own.
        Pursues => "pursues",
        /// Output, materiel or support `from` is meant for the recipient `to`; not
        /// reported as delivered.
        IntendedFor => "intended_for",
        /// Materiel `from` was handed over to the recipient `to`; `date` is the
        /// delivery's.
        DeliveredTo => "delivered_to",
    }
}

impl<O: AsRef<str>> EntityKind<O> {
    /// The kind's name as written in files and exports.
    pub fn label(&self) -> &str {
        match self {
            EntityKind::Other(o) => o.as_ref(),
            k => k.known_label().unwrap_or("other"),
        }
    }
}

impl<O: AsRef<str>> RelationKind<O> {
    /// The kind's name as written in files and exports.
    pub fn label(&self) -> &str {
        match self {
            RelationKind::Other(o) => o.as_ref(),
            k => k.known_label().unwrap_or("other"),
        }
    }
}

impl<O: 'static> RelationKind<O> {
    /// The kinds whose money moved from `from` to `to` (counted as
    /// *transferred*): `finances`, `contributes_to`. The one list of them;
    /// `ties money --help` and assets/README.md name the same.
    pub const MONEY_FLOWS: &'static [RelationKind<O>] =
        &[RelationKind::Finances, RelationKind::ContributesTo];

    /// The kinds that promise money (counted as *promised*): `pledged`, money
    /// promised, agreed, allocated or earmarked and not reported paid. An
    /// `announced` relation only makes something public: it promises nothing.
    pub const MONEY_PROMISES: &'static [RelationKind<O>] = &[RelationKind::Pledged];

    /// Does this kind of relation move money from `from` to `to`?
    pub fn is_money_flow(&self) -> bool {
        Self::MONEY_FLOWS.iter().any(|k| same_kind(k, self))
    }

    /// Does this kind of relation promise (rather than move) what it carries?
    pub fn is_promise(&self) -> bool {
        Self::MONEY_PROMISES.iter().any(|k| same_kind(k, self))
    }
}

fn same_kind<O>(a: &RelationKind<O>, b: &RelationKind<O>) -> bool {
    std::mem::discriminant(a) == std::mem::discriminant(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_round_trip() {
        for k in RelationKind::<String>::KNOWN {
            let label = k.known_label().unwrap();
            assert_eq!(RelationKind::<String>::from_label(label).as_ref(), Some(k));
        }
        for k in EntityKind::<String>::KNOWN {
            let label = k.known_label().unwrap();
            assert_eq!(EntityKind::<String>::from_label(label).as_ref(), Some(k));
        }
    }

    #[test]
    fn codes_round_trip() {
        let sym = |s: u32| (s < 10).then_some(Sym(s));
        for k in EntityKind::<Sym>::KNOWN
            .iter()
            .copied()
            .chain([EntityKind::Other(Sym(3))])
        {
            assert_eq!(EntityKind::from_code(k.code(), sym), Some(k));
        }
        for k in RelationKind::<Sym>::KNOWN
            .iter()
            .copied()
            .chain([RelationKind::Other(Sym(9))])
        {
            assert_eq!(RelationKind::from_code(k.code(), sym), Some(k));
        }
        assert_eq!(EntityKind::from_code(OTHER_BIT | 10, sym), None);
        assert_eq!(RelationKind::from_code(500, sym), None);
    }

    #[test]
    fn ron_spelling_is_snake_case() {
        let k: RelationKind = ron::from_str("holds_office").unwrap();
        assert_eq!(k, RelationKind::HoldsOffice);
        let k: RelationKind = ron::from_str("other(\"lobbies\")").unwrap();
        assert_eq!(k, RelationKind::Other("lobbies".into()));
        assert_eq!(k.label(), "lobbies");
        assert!(ron::from_str::<RelationKind>("sigend").is_err());
    }
}
