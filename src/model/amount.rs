//! Money: a value with an ISO 4217 currency.

use std::fmt;

pub use iso_currency::Currency;
use serde::{Deserialize, Serialize};

/// An amount of money. The value is never negative and always finite; the loader
/// refuses anything else.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Amount {
    pub value: f64,
    pub currency: Currency,
    /// The report gives the figure as approximate ("approx.", "nearly").
    pub approx: bool,
}

/// The on-disk and JSON shape of an amount: `(value: 10000000, currency: "EUR")`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AmountRecord {
    pub value: f64,
    pub currency: String,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub approx: bool,
}

/// Why an amount was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AmountError {
    #[error("amount {0} is negative")]
    Negative(f64),
    #[error("amount {0} is not a finite number")]
    NotFinite(f64),
    #[error("`{0}` is not an ISO 4217 currency code (e.g. EUR, USD, UAH)")]
    Currency(String),
}

impl Amount {
    pub fn from_record(r: &AmountRecord) -> Result<Self, AmountError> {
        Amount::new(r.value, &r.currency, r.approx)
    }

    /// `value` in the currency of ISO code `currency` (space around it
    /// ignored): finite and not negative.
    pub fn new(value: f64, currency: &str, approx: bool) -> Result<Self, AmountError> {
        Self::new_by(value, currency, approx, Currency::from_code)
    }

    /// [`Amount::new`], the currency's code (trimmed) looked up by `find`
    /// (a reader's memo of [`Currency::from_code`]).
    pub fn new_by(
        value: f64,
        currency: &str,
        approx: bool,
        find: impl FnOnce(&str) -> Option<Currency>,
    ) -> Result<Self, AmountError> {
        if !value.is_finite() {
            return Err(AmountError::NotFinite(value));
        }
        if value < 0.0 {
            return Err(AmountError::Negative(value));
        }
        let currency =
            find(currency.trim()).ok_or_else(|| AmountError::Currency(currency.to_string()))?;
        Ok(Amount {
            value,
            currency,
            approx,
        })
    }

    pub fn to_record(&self) -> AmountRecord {
        AmountRecord {
            value: self.value,
            currency: self.currency.code().to_string(),
            approx: self.approx,
        }
    }
}

/// Group the integer part of `value` in threes: `10000000` → `10,000,000`.
fn grouped(value: f64) -> String {
    let whole = value.trunc();
    let frac = value - whole;
    let digits = format!("{whole:.0}");
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if frac > 0.0 {
        let cents = format!("{frac:.2}");
        out.push_str(cents.trim_start_matches('0'));
    }
    out
}

impl fmt::Display for Amount {
    /// `€10,000,000`, `~€610,000,000`, `UAH 1,000`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.approx {
            f.write_str("~")?;
        }
        let n = grouped(self.value);
        match self.currency.code() {
            "EUR" => write!(f, "€{n}"),
            "USD" => write!(f, "${n}"),
            "GBP" => write!(f, "£{n}"),
            code => write!(f, "{code} {n}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(value: f64, currency: &str) -> AmountRecord {
        AmountRecord {
            value,
            currency: currency.into(),
            approx: false,
        }
    }

    #[test]
    fn formats_like_a_person_writes_money() {
        let a = Amount::from_record(&rec(10_000_000.0, "EUR")).unwrap();
        assert_eq!(a.to_string(), "€10,000,000");
        let a = Amount::from_record(&rec(5_737_028.0, "EUR")).unwrap();
        assert_eq!(a.to_string(), "€5,737,028");
        let a = Amount::from_record(&rec(999.5, "UAH")).unwrap();
        assert_eq!(a.to_string(), "UAH 999.50");
        let mut r = rec(15_000_000.0, "EUR");
        r.approx = true;
        assert_eq!(Amount::from_record(&r).unwrap().to_string(), "~€15,000,000");
    }

    #[test]
    fn refuses_bad_amounts() {
        assert!(matches!(
            Amount::from_record(&rec(-1.0, "EUR")),
            Err(AmountError::Negative(_))
        ));
        assert!(matches!(
            Amount::from_record(&rec(f64::NAN, "EUR")),
            Err(AmountError::NotFinite(_))
        ));
        assert!(matches!(
            Amount::from_record(&rec(f64::INFINITY, "EUR")),
            Err(AmountError::NotFinite(_))
        ));
        assert!(matches!(
            Amount::from_record(&rec(1.0, "EURO")),
            Err(AmountError::Currency(_))
        ));
    }
}
