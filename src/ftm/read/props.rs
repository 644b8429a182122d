//! One record's properties sorted into the fields of an entity or relation:
//! names, dates, money, sources and the attributes left over.

use crate::graph::{Source, SourceId};
use crate::load::ProblemKind;
use crate::model::{Amount, AmountRecord, PartialDate};

use super::super::schema::{PropType, SchemaDef};
use super::{Loader, Mapped, SourceKey};

/// The date part of an FtM date (`2024-11-23T10:00:00` → `2024-11-23`), with the
/// precision written.
pub(crate) fn parse_ftm_date(raw: &str) -> Result<PartialDate, crate::model::date::DateError> {
    let s = raw.trim();
    let day = s.split(['T', ' ']).next().unwrap_or(s);
    day.parse()
}

impl Loader {
    /// Sorts a record's properties into the fields of an entity or relation.
    pub(super) fn map_props(
        &mut self,
        owner: &str,
        schema_name: &str,
        def: Option<&'static SchemaDef>,
        props: impl IntoIterator<Item = (String, Vec<String>)>,
        dated: bool,
    ) -> Mapped {
        let mut m = Mapped::default();
        let (mut dates, mut starts, mut ends) = (Vec::new(), Vec::new(), Vec::new());
        let (mut amounts, mut currencies) = (Vec::new(), Vec::new());
        let (mut urls, mut publishers) = (Vec::new(), Vec::new());
        let has_value = def.is_some_and(|d| d.prop("currency").is_some());
        for (prop, values) in props {
            let ptype = def.and_then(|d| d.prop(&prop));
            if def.is_some() && ptype.is_none() {
                *self
                    .summary
                    .unknown_properties
                    .entry(format!("{schema_name}.{prop}"))
                    .or_default() += 1;
            }
            match prop.as_str() {
                "name" => m.names.extend(values),
                "alias" | "previousName" => m.aliases.extend(values),
                "weakAlias" => m.weak_aliases.extend(values),
                "sourceUrl" => urls.extend(values),
                "publisher" => publishers.extend(values),
                "summary" | "description" | "notes" if m.note.is_none() && !values.is_empty() => {
                    m.note = Some(values.join("\n"));
                }
                "date" | "contractDate" if dated => dates.extend(values),
                "startDate" if dated => starts.extend(values),
                "endDate" if dated => ends.extend(values),
                "amount" if has_value => amounts.extend(values),
                "currency" if has_value => currencies.extend(values),
                "role" | "relationship" if def.is_some_and(|d| d.edge.is_some()) => {
                    let mut it = values.into_iter();
                    m.role = it.next();
                    m.attrs.extend(it.map(|v| (prop.clone(), v)));
                }
                _ if ptype == Some(PropType::Entity) => {
                    m.refs.extend(values.into_iter().map(|v| (prop.clone(), v)));
                }
                _ => m
                    .attrs
                    .extend(values.into_iter().map(|v| (prop.clone(), v))),
            }
        }
        // Dates: a span from startDate (or date) to endDate; other values stay attributes.
        let mut first_date = |list: Vec<String>, field: &'static str, this: &mut Self| {
            let mut out = None;
            for v in list {
                if out.is_some() {
                    m.attrs.push((field.to_string(), v));
                    continue;
                }
                match parse_ftm_date(&v) {
                    Ok(d) => out = Some(d),
                    Err(e) => this.problem(
                        this.here(),
                        ProblemKind::BadDate {
                            owner: owner.to_string(),
                            field,
                            message: e.to_string(),
                        },
                    ),
                }
            }
            out
        };
        let start = first_date(starts, "startDate", self);
        let date = first_date(dates, "date", self);
        let end = first_date(ends, "endDate", self);
        m.date = start.or(date);
        if let (Some(_), Some(d)) = (start, date) {
            m.attrs.push(("date".into(), d.to_string()));
        }
        m.until = end;
        if let (Some(d), Some(u)) = (m.date, m.until)
            && u.last_day() < d.first_day()
        {
            self.problem(
                self.here(),
                ProblemKind::UntilBeforeDate {
                    owner: owner.to_string(),
                    date: d.to_string(),
                    until: u.to_string(),
                },
            );
            m.until = None;
        }
        // Money: the first amount with the first currency.
        let mut amounts = amounts.into_iter();
        if let Some(value) = amounts.next() {
            let currency = currencies.first().cloned().unwrap_or_default();
            let parsed = value.trim().replace(',', "").parse::<f64>();
            match parsed {
                Ok(v) if !currency.trim().is_empty() => {
                    let rec = AmountRecord {
                        value: v,
                        currency: currency.clone(),
                        approx: false,
                    };
                    match Amount::from_record(&rec) {
                        Ok(a) => m.amount = Some(a),
                        Err(e) => self.problem(
                            self.here(),
                            ProblemKind::BadAmount {
                                owner: owner.to_string(),
                                message: e.to_string(),
                            },
                        ),
                    }
                }
                // An amount without a currency is kept as written.
                Ok(_) => m.attrs.push(("amount".into(), value)),
                Err(_) => self.problem(
                    self.here(),
                    ProblemKind::BadAmount {
                        owner: owner.to_string(),
                        message: format!("`{value}` is not a number"),
                    },
                ),
            }
            m.attrs.extend(amounts.map(|v| ("amount".to_string(), v)));
            let extra = currencies.into_iter().skip(usize::from(m.amount.is_some()));
            m.attrs.extend(extra.map(|v| ("currency".to_string(), v)));
        } else {
            m.attrs
                .extend(currencies.into_iter().map(|v| ("currency".to_string(), v)));
        }
        // Sources: one per URL (its publisher as outlet), else one per publisher.
        let file = self.summary.file.clone();
        if urls.is_empty() {
            for p in publishers {
                let key = (Some(p.as_str().into()), None);
                let id = format!("publisher:{p}");
                m.sources.push(self.source(key, &id, &p, &p, None, &file));
            }
        } else {
            let outlet = publishers.first().cloned();
            for p in publishers.iter().skip(1) {
                m.attrs.push(("publisher".into(), p.clone()));
            }
            for u in urls {
                let key = (None, Some(u.as_str().into()));
                let out = outlet.clone().unwrap_or_else(|| host(&u).to_string());
                m.sources
                    .push(self.source(key, &u, &out, &u, Some(&u), &file));
            }
        }
        m.sources.push(self.file_source);
        m
    }

    fn source(
        &mut self,
        key: SourceKey,
        id: &str,
        outlet: &str,
        title: &str,
        url: Option<&str>,
        file: &str,
    ) -> SourceId {
        if let Some(&s) = self.source_ids.get(&key) {
            return s;
        }
        let mut id = id.to_string();
        // A URL equal to a publisher's id cannot happen, but stay total.
        while self.graph.find_source(&id).is_some() {
            id.push('_');
        }
        let s = self
            .graph
            .add_source(Source {
                id: id.into(),
                outlet: outlet.into(),
                title: title.into(),
                published: None,
                file: file.into(),
                url: url.map(Into::into),
            })
            .expect("the id was checked to be free");
        self.source_ids.insert(key, s);
        s
    }
}

/// The host of a URL, to name an outlet when no publisher is given.
fn host(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.split(['/', '?', '#']).next().unwrap_or(rest)
}
