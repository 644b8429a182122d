//! How a hit matched, for people to read: the tier decoded from its score.

use super::score::{IN_ORDER, SCORE_BITS, TIER_EXACT, TIER_FUZZY, TIER_WORD, TYPO, typo_edits_of};
use super::{Hit, MatchedField};

/// How a hit matched its query, strongest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum How {
    /// The whole text is the query.
    Exact,
    /// Every term at the start of a word.
    WordStart,
    /// Every term inside one word, its letters in order.
    InOrder,
    /// Every term at a word start or a few edits from a word (the total edits).
    Typo(u32),
    /// The letters in order, but spread over several words: a weak match.
    Scattered,
    /// No query: every entity, most relations first.
    Any,
}

impl How {
    /// Decodes a hit's score.
    pub fn of_score(score: i64) -> How {
        let rank = score >> SCORE_BITS;
        let sub = score - (rank << SCORE_BITS);
        match (rank / 2) as u8 {
            TIER_EXACT => How::Exact,
            TIER_WORD => How::WordStart,
            TIER_FUZZY if sub >= IN_ORDER => How::InOrder,
            TIER_FUZZY if sub >= TYPO => How::Typo(typo_edits_of(sub)),
            TIER_FUZZY => How::Scattered,
            _ => How::Any,
        }
    }

    /// `exact`, `word start`, `in order`, `typo`, `scattered`, `any`.
    pub fn label(self) -> &'static str {
        match self {
            How::Exact => "exact",
            How::WordStart => "word start",
            How::InOrder => "in order",
            How::Typo(_) => "typo",
            How::Scattered => "scattered",
            How::Any => "any",
        }
    }

    /// Whether a command should not act on this match alone, but say so and
    /// list the candidates: a typo or a scattered match may well name another
    /// entity than the one meant.
    pub fn is_weak(self) -> bool {
        matches!(self, How::Typo(_) | How::Scattered)
    }

    pub(crate) fn is_typo(self) -> bool {
        matches!(self, How::Typo(_))
    }
}

impl Hit {
    /// How this hit matched.
    pub fn how(&self) -> How {
        How::of_score(self.score)
    }

    /// How it matched, and by which field unless the name: `typo`, `exact,
    /// alias`, `word start, holds office: Minister of Defence, …`.
    pub fn how_label(&self) -> String {
        let how = self.how().label();
        match self.field {
            MatchedField::Name => how.to_string(),
            MatchedField::Office(_) => format!("{how}, holds office: {}", self.text),
            f => format!("{how}, {}", f.label()),
        }
    }
}
