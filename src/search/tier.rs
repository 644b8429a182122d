//! How a hit matched, for people to read: the tier decoded from its score.

use super::score::{
    ACROSS, IN_ORDER, INNER_MAX, SCORE_BITS, TIER_EXACT, TIER_FUZZY, TIER_WORD, TYPO, typo_edits_of,
};
use super::{Hit, MatchedField};

/// How a hit matched, best last.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Tier {
    /// No query: every entity, most relations first.
    Any,
    /// The letters in order, but spread over several words: a weak match.
    Scattered,
    /// Every term at a word start or a few edits from a word ([`Hit::edits`]).
    Typo,
    /// Every term inside one word, its letters in order.
    InOrder,
    /// Every term at the start of a word, the terms spread over the entity's
    /// names, aliases and offices (`kasciunas minister`: a name and an office).
    Across,
    /// Every term at the start of a word.
    WordStart,
    /// The text is the query.
    Exact,
}

impl Tier {
    /// Decodes a hit's score.
    pub(crate) fn of_score(score: i64) -> Tier {
        let rank = score >> SCORE_BITS;
        let sub = score - (rank << SCORE_BITS);
        match (rank / 2) as u8 {
            TIER_EXACT => Tier::Exact,
            TIER_WORD => Tier::WordStart,
            TIER_FUZZY if sub >= ACROSS => Tier::Across,
            TIER_FUZZY if sub >= IN_ORDER => Tier::InOrder,
            TIER_FUZZY if sub >= TYPO => Tier::Typo,
            TIER_FUZZY => Tier::Scattered,
            _ => Tier::Any,
        }
    }

    /// How the tier is named in the CLI's output: `exact`, `word start`,
    /// `across fields`, `in order`, `typo`, `scattered`, `any`.
    pub fn label(self) -> &'static str {
        match self {
            Tier::Exact => "exact",
            Tier::WordStart => "word start",
            Tier::Across => "across fields",
            Tier::InOrder => "in order",
            Tier::Typo => "typo",
            Tier::Scattered => "scattered",
            Tier::Any => "any",
        }
    }

    /// Whether a command should not act on a match of this tier alone, but say
    /// so and list the candidates: a typo or a scattered match may well name
    /// another entity than the one meant.
    pub fn is_weak(self) -> bool {
        matches!(self, Tier::Typo | Tier::Scattered)
    }
}

impl Hit {
    /// The rank: the tier, and within the exact and word-start tiers names and
    /// aliases above weak aliases and offices (the high bits of
    /// [`Hit::score`]).
    pub fn rank(&self) -> i64 {
        self.score >> SCORE_BITS
    }

    /// How well the hit matched.
    pub fn tier(&self) -> Tier {
        Tier::of_score(self.score)
    }

    /// The strength of the match within its tier: the whole-word count (word
    /// start, across), the SkimMatcherV2 score (in order, scattered), fewer
    /// edits (typo); higher is better.
    pub fn strength(&self) -> i64 {
        let sub = self.score & ((1 << SCORE_BITS) - 1);
        match self.tier() {
            Tier::Across => sub - ACROSS,
            Tier::InOrder | Tier::Typo | Tier::Scattered => sub & INNER_MAX,
            _ => sub,
        }
    }

    /// The edits a typo match needed, all terms together.
    pub fn edits(&self) -> Option<u32> {
        (self.tier() == Tier::Typo).then(|| typo_edits_of(self.score & ((1 << SCORE_BITS) - 1)))
    }

    /// How it matched, and by which field unless the name: `typo`, `exact,
    /// alias`, `word start, holds office: Minister of Defence, …`.
    pub fn how(&self) -> String {
        let tier = self.tier().label();
        match self.field {
            MatchedField::Name => tier.to_string(),
            MatchedField::Office(_) => format!("{tier}, holds office: {}", self.text),
            f => format!("{tier}, {}", f.label()),
        }
    }
}
