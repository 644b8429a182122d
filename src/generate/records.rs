//! One record at a time: each a pure function of the options and its position.

use crate::model::{
    AmountRecord, EntityKind, EntityRecord, RelationKind, RelationRecord, SourceRecord,
};

use super::names::*;
use super::pools::*;
use super::{GenOptions, Rng, STREAM_ENTITY, STREAM_RELATION, STREAM_SOURCE};

pub(super) fn hub_count(n: usize) -> usize {
    HUBS.len().min(n / 4)
}

/// The kind of entity `i`.
pub(super) fn kind_of(opts: &GenOptions, i: usize) -> EntityKind {
    if i < hub_count(opts.entities) {
        return HUBS[i].1.clone();
    }
    let mut r = Rng::at(opts.seed, STREAM_ENTITY, i as u64);
    let mut roll = r.below(1000);
    for (k, share) in KIND_SHARES {
        if roll < *share {
            return k.clone();
        }
        roll -= share;
    }
    EntityKind::Person
}

pub(super) fn id_of(kind: &EntityKind, i: usize) -> String {
    let prefix = match kind {
        EntityKind::Person => "p",
        EntityKind::Ministry => "min",
        EntityKind::Organisation => "org",
        EntityKind::Company => "co",
        EntityKind::Country => "c",
        EntityKind::Place => "pl",
        EntityKind::Programme => "prog",
        EntityKind::Fund => "fund",
        EntityKind::Coalition => "coal",
        EntityKind::Campaign => "camp",
        EntityKind::Tranche => "tr",
        EntityKind::Agreement => "agr",
        EntityKind::Event => "ev",
        EntityKind::Equipment => "eq",
        EntityKind::Other(_) => "x",
    };
    format!("{prefix}-{i:07}")
}

/// Year, month, day or nothing, over 2014–2025.
pub(super) fn date(r: &mut Rng) -> String {
    let y = 2014 + r.below(12);
    let m = 1 + r.below(12);
    let d = 1 + r.below(28);
    match r.below(10) {
        0..=1 => format!("{y}"),
        2..=4 => format!("{y}-{m:02}"),
        _ => format!("{y}-{m:02}-{d:02}"),
    }
}

pub(super) fn later(r: &mut Rng, date: &str) -> String {
    let y: usize = date.get(..4).and_then(|s| s.parse().ok()).unwrap_or(2014);
    format!("{}", (y + 1 + r.below(3)).min(2026))
}

pub(super) fn amount(r: &mut Rng) -> AmountRecord {
    let mantissa = [1, 2, 3, 5, 7, 10, 12, 15, 20, 25, 50, 75][r.below(12)] as f64;
    let scale = 10f64.powi(3 + r.below(6) as i32);
    AmountRecord {
        value: mantissa * scale,
        currency: r.pick(CURRENCIES).to_string(),
        approx: r.chance(200),
    }
}

pub(super) fn ordinal(n: usize) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// Source `i`.
pub fn source(opts: &GenOptions, i: usize) -> SourceRecord {
    let mut r = Rng::at(opts.seed, STREAM_SOURCE, i as u64);
    let outlet = r.pick(OUTLETS).to_string();
    let title = format!(
        "{} and {} discuss {} in {}",
        surname(&mut r),
        surname(&mut r),
        r.pick(TOPICS).to_lowercase(),
        r.pick(CITIES)
    );
    SourceRecord {
        id: format!("s{i:06}"),
        outlet,
        title,
        published: Some(date(&mut r)),
        file: format!("{i:06}_{:016x}.txt", r.next()),
        url: r.chance(500).then(|| format!("https://news.example/{i}")),
    }
}

/// Number of sources for these options.
pub fn source_count(opts: &GenOptions) -> usize {
    (opts.entities / 20).max(1)
}

/// Entity `i`.
pub fn entity(opts: &GenOptions, i: usize) -> EntityRecord {
    let kind = kind_of(opts, i);
    let mut r = Rng::at(opts.seed, STREAM_ENTITY, i as u64);
    let _ = r.next(); // the kind roll
    let mut aliases = Vec::new();
    let mut weak_aliases = Vec::new();
    let mut date_s = None;
    let mut until = None;
    let mut amt = None;
    let country = |r: &mut Rng| *r.pick(COUNTRIES);
    let name = if i < hub_count(opts.entities) {
        aliases.push(HUBS[i].2.to_string());
        HUBS[i].0.to_string()
    } else {
        match kind {
            EntityKind::Person => {
                let (name, a) = person(&mut r);
                aliases = a;
                name
            }
            EntityKind::Ministry => {
                let (c, adj, native) = country(&mut r);
                let portfolio = *r.pick(PORTFOLIOS);
                let base = format!("Ministry of {portfolio} of {c}");
                if portfolio.contains("Defence") {
                    aliases.push(base.replace("Defence", "Defense"));
                    if !native.is_empty() && r.chance(500) {
                        aliases.push(native.to_string());
                    }
                }
                if r.chance(300) {
                    weak_aliases.push(format!("{adj} {} ministry", portfolio.to_lowercase()));
                }
                if r.chance(600) {
                    format!("{} Department, {base}", r.pick(DIVISIONS))
                } else {
                    base
                }
            }
            EntityKind::Organisation => {
                if r.chance(300) {
                    let n = r.pick(NATIVE_ORGS).to_string();
                    aliases.push(ascii_form(&n));
                    format!("{n} ({})", r.pick(CITIES))
                } else {
                    let (_, adj, _) = country(&mut r);
                    format!("{adj} {} ({})", r.pick(ORG_NOUNS), r.pick(CITIES))
                }
            }
            EntityKind::Company => {
                let n = format!(
                    "{} {} {}",
                    r.pick(COMPANY_ROOTS),
                    r.pick(INDUSTRIES),
                    r.pick(LEGAL_FORMS)
                );
                if !n.is_ascii() && r.chance(300) {
                    aliases.push(ascii_form(&n));
                }
                n
            }
            EntityKind::Country => country(&mut r).0.to_string(),
            EntityKind::Place => {
                let city = *r.pick(CITIES);
                if !city.is_ascii() && r.chance(300) {
                    aliases.push(format!("{}, {}", r.pick(DISTRICTS), ascii_form(city)));
                }
                format!("{}, {city}", r.pick(DISTRICTS))
            }
            EntityKind::Event => {
                let d = date(&mut r);
                let city = *r.pick(CITIES);
                let name = match r.below(4) {
                    0 => format!("{}–{} meeting in {city}", surname(&mut r), surname(&mut r)),
                    1 => format!("{}'s visit to {city}", surname(&mut r)),
                    2 => format!("{} conference in {city}", r.pick(TOPICS)),
                    _ => format!("Defence ministers' meeting in {city}"),
                };
                date_s = Some(d);
                name
            }
            EntityKind::Agreement => {
                let (a, _, _) = country(&mut r);
                let (b, _, _) = country(&mut r);
                let topic = *r.pick(TOPICS);
                let name = match r.below(3) {
                    0 => format!("Memorandum on {topic} between {a} and {b}"),
                    1 => format!("{a}–{b} agreement on {topic}"),
                    _ => format!("Letter of Intent on {topic}"),
                };
                if name.contains("Defence") {
                    aliases.push(name.replace("Defence", "Defense"));
                }
                let d = date(&mut r);
                if r.chance(300) {
                    until = Some(later(&mut r, &d));
                }
                date_s = Some(d);
                if r.chance(300) {
                    amt = Some(amount(&mut r));
                }
                name
            }
            EntityKind::Fund => {
                let (c, _, _) = country(&mut r);
                amt = Some(amount(&mut r));
                format!("{c} {} Fund", r.pick(PURPOSES))
            }
            EntityKind::Programme => format!("{} Programme", r.pick(PURPOSES)),
            EntityKind::Campaign => {
                date_s = Some(date(&mut r));
                format!("{} fundraising campaign", r.pick(CAMPAIGNS))
            }
            EntityKind::Coalition => r.pick(COALITIONS).to_string(),
            EntityKind::Tranche => {
                let a = amount(&mut r);
                let name = format!(
                    "{} {} {} tranche",
                    ordinal(1 + r.below(12)),
                    a.currency,
                    a.value
                );
                amt = Some(a);
                date_s = Some(date(&mut r));
                name
            }
            EntityKind::Equipment | EntityKind::Other(_) => {
                let (n, cyr, alt) = *r.pick(EQUIPMENT);
                let variant = r.below(6);
                let suffix = if variant == 0 {
                    String::new()
                } else {
                    format!("-{variant}")
                };
                if !cyr.is_empty() && r.chance(500) {
                    aliases.push(format!("{cyr}{suffix}"));
                }
                if !alt.is_empty() && r.chance(500) {
                    aliases.push(format!("{}{suffix}", r.pick(alt)));
                }
                format!("{n}{suffix}")
            }
        }
    };
    let sources = if r.chance(500) {
        vec![format!("s{:06}", r.below(source_count(opts)))]
    } else {
        Vec::new()
    };
    EntityRecord {
        id: id_of(&kind, i),
        kind,
        name,
        aliases,
        weak_aliases,
        date: date_s,
        until,
        note: None,
        amount: amt,
        sources,
        attrs: Vec::new(),
        datasets: Vec::new(),
    }
}

/// Number of relations for these options.
pub fn relation_count(opts: &GenOptions) -> usize {
    if opts.entities < 2 {
        0
    } else {
        opts.entities.saturating_mul(opts.relations_per_entity)
    }
}

/// Relation `j`: from entity `j / relations_per_entity`, to a hub a tenth of the
/// time, else to an entity drawn with a bias towards early ones (so degrees vary).
pub fn relation(opts: &GenOptions, j: usize) -> RelationRecord {
    let n = opts.entities.max(2);
    let mut r = Rng::at(opts.seed, STREAM_RELATION, j as u64);
    let from = (j / opts.relations_per_entity.max(1)) % n;
    let hubs = hub_count(n);
    let mut to = if hubs > 0 && r.chance(100) {
        r.below(hubs)
    } else {
        let u = (r.next() >> 11) as f64 / (1u64 << 53) as f64;
        ((u * u) * n as f64) as usize
    };
    if to >= n || to == from {
        to = (from + 1 + r.below(n - 1)) % n;
    }
    let from_kind = kind_of(opts, from);
    let to_kind = kind_of(opts, to);
    use EntityKind as E;
    use RelationKind as R;
    let mut role = None;
    let mut amt = None;
    let kind = match (&from_kind, &to_kind) {
        (_, E::Place) => R::LocatedIn,
        (E::Person, E::Person) => R::Met,
        (E::Person, E::Ministry | E::Organisation | E::Company | E::Country) => {
            if r.chance(600) {
                role = Some(r.pick(ROLES).to_string());
                R::HoldsOffice
            } else if r.chance(500) {
                R::MemberOf
            } else {
                R::Advises
            }
        }
        (E::Person, E::Agreement) => R::Signed,
        (_, E::Agreement) => R::PartyTo,
        (_, E::Event) => R::Attended,
        (E::Company, E::Equipment) => R::Produces,
        (_, E::Equipment) => R::Supplies,
        (E::Tranche, _) => R::PartOf,
        (E::Agreement, E::Programme | E::Fund | E::Coalition) => R::Establishes,
        (_, E::Fund | E::Programme | E::Coalition | E::Campaign) => {
            if r.chance(400) {
                amt = Some(amount(&mut r));
            }
            R::ContributesTo
        }
        (E::Fund | E::Programme | E::Ministry | E::Country, _) => {
            amt = Some(amount(&mut r));
            R::Finances
        }
        (E::Event | E::Agreement, _) => R::Concerns,
        (_, E::Organisation) => R::MemberOf,
        _ => R::Concerns,
    };
    let (date_s, until) = if r.chance(700) {
        let d = date(&mut r);
        let u = r.chance(100).then(|| later(&mut r, &d));
        (Some(d), u)
    } else {
        (None, None)
    };
    let count = source_count(opts);
    let mut sources = vec![r.below(count)];
    for _ in 0..r.below(3) {
        let s = r.below(count);
        if !sources.contains(&s) {
            sources.push(s);
        }
    }
    RelationRecord {
        id: None,
        from: id_of(&from_kind, from),
        to: id_of(&to_kind, to),
        kind,
        role,
        date: date_s,
        until,
        amount: amt,
        sources: sources.into_iter().map(|s| format!("s{s:06}")).collect(),
        note: None,
        attrs: Vec::new(),
        undirected: false,
        datasets: Vec::new(),
    }
}
