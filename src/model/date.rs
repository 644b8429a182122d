//! Partial dates (`YYYY`, `YYYY-MM`, `YYYY-MM-DD`) and date windows.
//!
//! A [`PartialDate`] knows its precision: `2024-11` is the whole of November 2024,
//! so it overlaps a window of `2024-11-20..2024-11-30`. Every date is stored in four
//! bytes and compares by its first day; [`PartialDate::last_day`] gives the end of
//! the period it names.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// How much of a date is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Precision {
    Year,
    Month,
    Day,
}

/// A calendar date known to year, month or day precision.
///
/// Ordering sorts by the first day of the period, then coarser before finer, so
/// `2024` < `2024-01` < `2024-01-01` < `2024-01-02`.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct PartialDate {
    year: i16,
    /// 0 when unknown.
    month: u8,
    /// 0 when unknown.
    day: u8,
}

/// Why a date string was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    #[error("`{0}` is not a date: expected YYYY, YYYY-MM or YYYY-MM-DD")]
    Format(String),
    #[error("`{0}` has no month {1}: months run 01 to 12")]
    Month(String, u32),
    #[error("`{input}` is impossible: {month_name} {year} has {max} days")]
    Day {
        input: String,
        year: i32,
        month_name: &'static str,
        max: u32,
    },
    #[error("`{0}` is out of range: years run 1 to 9999")]
    Year(String),
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

fn is_leap(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

/// Number of days in `month` (1-based) of `year`.
pub fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

impl PartialDate {
    /// A year-precision date. Panics never; returns `None` outside 1..=9999.
    pub fn year(year: i32) -> Option<Self> {
        (1..=9999).contains(&year).then_some(Self {
            year: year as i16,
            month: 0,
            day: 0,
        })
    }

    /// A month-precision date, if valid.
    pub fn month(year: i32, month: u32) -> Option<Self> {
        let mut d = Self::year(year)?;
        if !(1..=12).contains(&month) {
            return None;
        }
        d.month = month as u8;
        Some(d)
    }

    /// A day-precision date, if it exists in the calendar.
    pub fn day(year: i32, month: u32, day: u32) -> Option<Self> {
        let mut d = Self::month(year, month)?;
        if day == 0 || day > days_in_month(year, month) {
            return None;
        }
        d.day = day as u8;
        Some(d)
    }

    /// The date packed in 32 bits, never 0 (0 stands for "no date" in compact
    /// tables and snapshots).
    pub fn to_bits(self) -> u32 {
        1 << 31
            | u32::from(self.day) << 24
            | u32::from(self.month) << 16
            | u32::from(self.year as u16)
    }

    /// The date [`Self::to_bits`] packed; `None` for 0 or for bits that are not a
    /// valid date.
    pub fn from_bits(bits: u32) -> Option<Self> {
        if bits & (1 << 31) == 0 {
            return None;
        }
        let year = i32::from(bits as u16 as i16);
        let month = (bits >> 16) & 0xff;
        let day = (bits >> 24) & 0x7f;
        match (month, day) {
            (0, 0) => Self::year(year),
            (m, 0) => Self::month(year, m),
            (m, d) => Self::day(year, m, d),
        }
    }

    /// [`Self::to_bits`] of an optional date, 0 for none.
    pub fn option_bits(date: Option<Self>) -> u32 {
        date.map_or(0, Self::to_bits)
    }

    pub fn precision(self) -> Precision {
        match (self.month, self.day) {
            (0, _) => Precision::Year,
            (_, 0) => Precision::Month,
            _ => Precision::Day,
        }
    }

    pub fn year_value(self) -> i32 {
        i32::from(self.year)
    }

    /// The first day of the period this date names.
    pub fn first_day(self) -> Day {
        Day::new(
            self.year_value(),
            u32::from(self.month.max(1)),
            u32::from(self.day.max(1)),
        )
    }

    /// The last day of the period this date names.
    pub fn last_day(self) -> Day {
        let y = self.year_value();
        match self.precision() {
            Precision::Year => Day::new(y, 12, 31),
            Precision::Month => {
                let m = u32::from(self.month);
                Day::new(y, m, days_in_month(y, m))
            }
            Precision::Day => self.first_day(),
        }
    }
}

impl PartialOrd for PartialDate {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for PartialDate {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.first_day(), self.precision()).cmp(&(other.first_day(), other.precision()))
    }
}

impl fmt::Display for PartialDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.precision() {
            Precision::Year => write!(f, "{:04}", self.year),
            Precision::Month => write!(f, "{:04}-{:02}", self.year, self.month),
            Precision::Day => write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day),
        }
    }
}

impl fmt::Debug for PartialDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PartialDate({self})")
    }
}

/// A good date written plainly (`2024`, `2024-11`, `2024-11-23`), read
/// digit by digit: nearly every date of a file, on the loaders' hot path.
/// `None` for any other text, and for a plain one that is not a date: those
/// are read by [`careful_date`], which says what is wrong.
#[inline]
pub(crate) fn plain_date(input: &str) -> Option<PartialDate> {
    let b = input.as_bytes();
    let digit = |i: usize| {
        let d = b[i].wrapping_sub(b'0');
        (d < 10).then_some(u32::from(d))
    };
    let two = |i: usize| Some(digit(i)? * 10 + digit(i + 1)?);
    let year = || Some((two(0)? * 100 + two(2)?) as i32);
    match b.len() {
        4 => PartialDate::year(year()?),
        7 if b[4] == b'-' => PartialDate::month(year()?, two(5)?),
        10 if b[4] == b'-' && b[7] == b'-' => PartialDate::day(year()?, two(5)?, two(8)?),
        _ => None,
    }
}

/// The day of a date written with its time or without
/// (`2024-11-23T10:00:00` and `2024-11-23 10:00` → `2024-11-23`; `2024`,
/// `2024-11`): the text trimmed, up to a `T` or a space ([`day_part`]),
/// read as [`PartialDate::from_str`] reads it. FtM dates and the dates of
/// GraphML, GEXF and CSV files are read so.
#[inline]
pub(crate) fn parse_day(raw: &str) -> Result<PartialDate, DateError> {
    match plain_day(raw) {
        Some(d) => Ok(d),
        None => day_part(raw).parse(),
    }
}

/// [`parse_day`] of the dates most files write (`2024`, `2024-11`,
/// `2024-11-23`, the last maybe followed by `T…` or a space and more), read
/// straight from the digits ([`plain_date`]); `None` for anything else,
/// such as a date out of the calendar (left to the careful reading).
#[inline]
fn plain_day(raw: &str) -> Option<PartialDate> {
    let day = match raw.as_bytes().get(10) {
        Some(b'T' | b' ') => raw.get(..10)?,
        _ => raw,
    };
    plain_date(day)
}

/// `s` trimmed, up to a time (a `T` or a space).
pub(crate) fn day_part(s: &str) -> &str {
    let t = super::trim(s);
    &t[..t
        .bytes()
        .position(|b| b == b'T' || b == b' ')
        .unwrap_or(t.len())]
}

impl FromStr for PartialDate {
    type Err = DateError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        match plain_date(input) {
            Some(d) => Ok(d),
            None => careful_date(input),
        }
    }
}

/// Reads any date text [`PartialDate::from_str`] takes, or says what is wrong.
fn careful_date(input: &str) -> Result<PartialDate, DateError> {
    let bad = || DateError::Format(input.to_string());
    // (A good plain date never comes here: [`plain_date`] read it.)
    let mut parts = super::trim(input).split('-');
    let year_s = parts.next().ok_or_else(bad)?;
    let month_s = parts.next();
    let day_s = parts.next();
    if parts.next().is_some() {
        return Err(bad());
    }
    let num = |t: &str, len: usize| -> Result<u32, DateError> {
        if t.len() != len || !t.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        t.parse().map_err(|_| bad())
    };
    let year = num(year_s, 4)? as i32;
    if year == 0 {
        return Err(DateError::Year(input.to_string()));
    }
    let Some(month_s) = month_s else {
        return PartialDate::year(year).ok_or_else(|| DateError::Year(input.to_string()));
    };
    let month = num(month_s, 2)?;
    if !(1..=12).contains(&month) {
        return Err(DateError::Month(input.to_string(), month));
    }
    let Some(day_s) = day_s else {
        return PartialDate::month(year, month).ok_or_else(bad);
    };
    let day = num(day_s, 2)?;
    PartialDate::day(year, month, day).ok_or_else(|| DateError::Day {
        input: input.to_string(),
        year,
        month_name: MONTHS[(month - 1) as usize],
        max: days_in_month(year, month),
    })
}

impl Serialize for PartialDate {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for PartialDate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// A thing's dates as text: `2024-11-23`, or `from{between}until` for a span
/// (`2025-02-03..2025-02-24`), or `{open}until` when only the end is known;
/// `None` when undated. A span whose ends are equal is written once.
/// `2024-11-23`, or `2025-02-03..2025-02-24` for a span; `None` when undated.
/// How reports, exports and the CLI write a record's dates.
pub fn date_span(date: Option<PartialDate>, until: Option<PartialDate>) -> Option<String> {
    format_span(date, until, "..", "..")
}

pub fn format_span(
    date: Option<PartialDate>,
    until: Option<PartialDate>,
    between: &str,
    open: &str,
) -> Option<String> {
    match (date, until) {
        (Some(d), Some(u)) if d != u => Some(format!("{d}{between}{u}")),
        (Some(d), _) => Some(d.to_string()),
        (None, Some(u)) => Some(format!("{open}{u}")),
        (None, None) => None,
    }
}

/// One calendar day, comparable; the unit date windows are made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Day(u32);

impl Day {
    fn new(year: i32, month: u32, day: u32) -> Self {
        Day(((year as u32) << 9) | (month << 5) | day)
    }
}

/// A closed range of days; either end may be open.
///
/// Built from partial dates, each bound covers its whole period: `2024-11..2024-11`
/// is all of November 2024 and `2025` alone is all of 2025.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct DateWindow {
    pub from: Option<PartialDate>,
    pub to: Option<PartialDate>,
}

/// Why a window string was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WindowError {
    #[error(transparent)]
    Date(#[from] DateError),
    #[error("the window ends ({to}) before it starts ({from})")]
    Reversed { from: PartialDate, to: PartialDate },
}

impl DateWindow {
    /// The window that keeps everything.
    pub const ALL: DateWindow = DateWindow {
        from: None,
        to: None,
    };

    pub fn new(from: Option<PartialDate>, to: Option<PartialDate>) -> Result<Self, WindowError> {
        if let (Some(f), Some(t)) = (from, to)
            && t.last_day() < f.first_day()
        {
            return Err(WindowError::Reversed { from: f, to: t });
        }
        Ok(Self { from, to })
    }

    pub fn is_all(&self) -> bool {
        self.from.is_none() && self.to.is_none()
    }

    /// Does a thing dated `date` (running `until`, if given) fall in the window?
    ///
    /// Undated things are not decided here: callers choose whether to show them.
    pub fn overlaps(&self, date: PartialDate, until: Option<PartialDate>) -> bool {
        let start = date.first_day();
        let end = until.map_or(date.last_day(), |u| u.last_day().max(date.last_day()));
        let after_from = self.from.is_none_or(|f| end >= f.first_day());
        let before_to = self.to.is_none_or(|t| start <= t.last_day());
        after_from && before_to
    }
}

impl FromStr for DateWindow {
    type Err = WindowError;

    /// `FROM..TO`, `FROM..`, `..TO`, or a single date meaning its whole period.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        let parse_opt = |t: &str| -> Result<Option<PartialDate>, DateError> {
            let t = t.trim();
            if t.is_empty() {
                Ok(None)
            } else {
                t.parse().map(Some)
            }
        };
        match s.split_once("..") {
            Some((a, b)) => DateWindow::new(parse_opt(a)?, parse_opt(b)?),
            None if s.is_empty() => Ok(DateWindow::ALL),
            None => {
                let d: PartialDate = s.parse()?;
                Ok(DateWindow {
                    from: Some(d),
                    to: Some(d),
                })
            }
        }
    }
}

impl fmt::Display for DateWindow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.from, self.to) {
            (None, None) => write!(f, "all dates"),
            (Some(a), Some(b)) if a == b => write!(f, "{a}"),
            (a, b) => {
                if let Some(a) = a {
                    write!(f, "{a}")?;
                }
                write!(f, "..")?;
                if let Some(b) = b {
                    write!(f, "{b}")?;
                }
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether `input` is written the plain way, `2024`, `2024-11` or
    /// `2024-11-23`: digits, dashes between them, no blanks.
    fn plain_shaped(input: &str) -> bool {
        let b = input.as_bytes();
        let digit = |i: usize| b[i].is_ascii_digit();
        let year = || (0..4).all(digit);
        match b.len() {
            4 => year(),
            7 => year() && b[4] == b'-' && (5..7).all(digit),
            10 => year() && b[4] == b'-' && (5..7).all(digit) && b[7] == b'-' && (8..10).all(digit),
            _ => false,
        }
    }

    proptest::proptest! {
        /// A date read digit by digit is the one the careful reading gives,
        /// and every plain text the careful reading takes is read so.
        #[test]
        fn plain_dates_are_read_as_carefully(
            chars in proptest::collection::vec(
                proptest::sample::select(b"0123456789-- 0123x".to_vec()), 0..12)
        ) {
            let input = String::from_utf8(chars).unwrap();
            let careful = careful_date(&input).ok();
            match plain_date(&input) {
                Some(d) => proptest::prop_assert_eq!(Some(d), careful),
                None => proptest::prop_assert!(
                    careful.is_none() || !plain_shaped(&input),
                    "{input:?} is plain and good, read {careful:?} carefully"
                ),
            }
        }

        /// Plain-looking dates of every precision, good and bad: the same.
        #[test]
        fn plain_shaped_dates_are_read_as_carefully(
            y in 0u32..10000, m in 0u32..14, d in 0u32..33, precision in 0..3
        ) {
            let input = match precision {
                0 => format!("{y:04}"),
                1 => format!("{y:04}-{m:02}"),
                _ => format!("{y:04}-{m:02}-{d:02}"),
            };
            proptest::prop_assert_eq!(plain_date(&input), careful_date(&input).ok());
        }
    }

    use proptest::strategy::Strategy as _;

    proptest::proptest! {
        /// A day read from its digits is the one the careful reading gives
        /// (trimmed, cut at a time, parsed), errors alike.
        #[test]
        fn plain_days_parse_as_the_careful_parse(
            parts in proptest::collection::vec(
                proptest::prop_oneof![
                    4 => proptest::sample::select(vec![
                        "0", "1", "2", "9", "00", "01", "12", "13", "29", "30", "31", "32",
                        "2024", "0000", "1900", "2000", "-", "T", " ", "10:00", "x", "\u{e9}",
                    ]).prop_map(str::to_string),
                    1 => "[0-9T :-]{0,4}",
                ],
                0..8,
            )
        ) {
            let text: String = parts.concat();
            let careful = day_part(&text).parse::<PartialDate>();
            if let Some(d) = plain_day(&text) {
                proptest::prop_assert_eq!(careful.clone().ok(), Some(d), "{}", text);
            }
            proptest::prop_assert_eq!(
                parse_day(&text).map_err(|e| e.to_string()),
                careful.map_err(|e| e.to_string())
            );
        }
    }

    #[test]
    fn plain_days_are_read_from_their_digits() {
        for (text, plain) in [
            ("2024", true),
            ("2024-02", true),
            ("2024-02-29", true),
            ("2024-02-29T10:00:00", true),
            ("2024-02-29 10:00", true),
            ("2023-02-29", false),
            ("2024-13", false),
            ("0000", false),
            (" 2024", false),
            ("2024T10", false),
        ] {
            assert_eq!(plain_day(text).is_some(), plain, "{text}");
            assert!(parse_day(text).is_ok() || !plain, "{text}");
        }
    }

    fn d(s: &str) -> PartialDate {
        s.parse().unwrap()
    }

    #[test]
    fn parses_each_precision() {
        assert_eq!(d("2024").precision(), Precision::Year);
        assert_eq!(d("2024-11").precision(), Precision::Month);
        assert_eq!(d("2024-11-23").precision(), Precision::Day);
        assert_eq!(d("2024-11-23").to_string(), "2024-11-23");
        assert_eq!(d("0987").to_string(), "0987");
    }

    #[test]
    fn bits_round_trip_and_refuse_junk() {
        for s in ["2024", "2024-02", "2024-02-29", "0001-01-01", "9999-12-31"] {
            assert_eq!(PartialDate::from_bits(d(s).to_bits()), Some(d(s)), "{s}");
            assert_ne!(d(s).to_bits(), 0);
        }
        assert_eq!(PartialDate::from_bits(0), None);
        assert_eq!(PartialDate::option_bits(None), 0);
        // 2023-02-29 does not exist; month 13 neither.
        let bad_day = 1 << 31 | 29 << 24 | 2 << 16 | 2023;
        assert_eq!(PartialDate::from_bits(bad_day), None);
        assert_eq!(PartialDate::from_bits(1 << 31 | 13 << 16 | 2023), None);
    }

    #[test]
    fn refuses_impossible_dates() {
        assert!(matches!(
            "2024-02-30".parse::<PartialDate>(),
            Err(DateError::Day { max: 29, .. })
        ));
        assert!("2023-02-29".parse::<PartialDate>().is_err());
        assert!("2024-02-29".parse::<PartialDate>().is_ok());
        assert!(matches!(
            "2024-13".parse::<PartialDate>(),
            Err(DateError::Month(_, 13))
        ));
        for bad in [
            "",
            "24",
            "2024-1",
            "2024-01-1",
            "2024/01",
            "20245",
            "x",
            "2024-01-01-01",
        ] {
            assert!(bad.parse::<PartialDate>().is_err(), "{bad}");
        }
    }

    #[test]
    fn month_overlaps_days_inside_it() {
        let w: DateWindow = "2024-11-20..2024-11-30".parse().unwrap();
        assert!(w.overlaps(d("2024-11"), None));
        assert!(w.overlaps(d("2024"), None));
        assert!(!w.overlaps(d("2024-10"), None));
        assert!(!w.overlaps(d("2024-12-01"), None));
    }

    #[test]
    fn single_date_window_is_its_whole_period() {
        let w: DateWindow = "2024-11".parse().unwrap();
        assert!(w.overlaps(d("2024-11-01"), None));
        assert!(w.overlaps(d("2024-11-30"), None));
        assert!(!w.overlaps(d("2024-12-01"), None));
        let y: DateWindow = "2025".parse().unwrap();
        assert!(y.overlaps(d("2025-02-03"), Some(d("2025-02-24"))));
        assert!(!y.overlaps(d("2024-11-23"), None));
    }

    #[test]
    fn open_ended_windows() {
        let w: DateWindow = "..2024-12-31".parse().unwrap();
        assert!(w.overlaps(d("2024-11-23"), None));
        assert!(!w.overlaps(d("2025"), None));
        let w: DateWindow = "2025..".parse().unwrap();
        assert!(w.overlaps(d("2025-02"), None));
        assert!(!w.overlaps(d("2024-12-31"), None));
        // A span that started earlier but runs into the window overlaps it.
        assert!(w.overlaps(d("2024-06"), Some(d("2025-01"))));
    }

    #[test]
    fn reversed_window_is_refused() {
        assert!(matches!(
            "2025..2024".parse::<DateWindow>(),
            Err(WindowError::Reversed { .. })
        ));
        // Same period at both ends is fine.
        assert!("2024-11..2024-11".parse::<DateWindow>().is_ok());
    }

    #[test]
    fn ordering_is_chronological_then_coarse_first() {
        let mut v = [d("2024-11-23"), d("2024"), d("2024-11"), d("2023-12-31")];
        v.sort();
        let s: Vec<String> = v.iter().map(|x| x.to_string()).collect();
        assert_eq!(s, ["2023-12-31", "2024", "2024-11", "2024-11-23"]);
    }
}
