//! Records become graph rows: things as entities (fragments of one id merged),
//! relationships as relations, or as nodes when they link more than two parties.

use std::borrow::Cow;

use smallvec::SmallVec;

use crate::graph::{AddError, DatasetSet, NewEntity, NewRelation, NodeIx, SourceId};
use crate::load::{Location, ProblemKind, short};
use crate::model::{EntityKind, RelationKind, Sym};

use super::super::mapping::{
    NAMES_ATTR, NOTE_ATTR, PLACEHOLDER_ATTR, PLACEHOLDER_TEXT, PROPERTY_ATTR, SCHEMA_ATTR,
    kind_for_schema, relation_for_schema, schema_for_kind, snake,
};
use super::super::schema::{PropType, SchemaDef};
use super::caption::{Caption, library_caption};
use super::issues::{Issue, Notes, Owner};
use super::props::{KnownSources, Lookup, map_props};
use super::{Compact, Loader, PendingEdge, PendingRef};

/// A thing's fields, mapped without the graph.
pub(super) struct PreThing {
    kind: EntityKind<String>,
    name: String,
    /// Whether `name` is one of the `name` values.
    name_is_value: bool,
    /// The other names, each with the property it came from.
    tagged: Vec<(String, char)>,
    pub(super) m: super::Mapped,
    /// Entity-valued properties: `(property, id, the schema its values must have)`.
    refs: Vec<(String, String, Option<&'static str>)>,
}

impl PreThing {
    /// Everything it holds, as text (for tests comparing two ways of
    /// making one).
    #[cfg(test)]
    pub(super) fn describe(&self) -> String {
        let m = &self.m;
        format!(
            "{:?}",
            (
                (
                    &self.kind,
                    &self.name,
                    self.name_is_value,
                    &self.tagged,
                    &self.refs
                ),
                (&m.names, &m.aliases, &m.weak_aliases, &m.note, &m.note_prop),
                (m.date, m.until, m.amount, &m.role, &m.edge, &m.outlet),
                (
                    &m.source_reqs,
                    m.found,
                    m.n_found,
                    m.found_key,
                    &m.attrs,
                    &m.refs
                ),
                m.made_id,
            )
        )
    }
}

/// A thing (or a record of an unknown schema), mapped from its cleaned
/// values (`values`, in `runs` of one property each, with its type); the
/// sources it cites found as `known` says.
#[allow(clippy::too_many_arguments)]
pub(super) fn prepare_thing<'v>(
    notes: &mut Notes,
    id: &str,
    schema_name: &str,
    def: Option<&'static SchemaDef>,
    (values, runs): (super::Values<'v>, &[TypedRun<'v>]),
    caption: Option<&str>,
    provenance: &[(String, String)],
    known: Lookup<'_>,
) -> PreThing {
    let owner = Owner(schema_name, id);
    let dated = def.is_some_and(|d| d.is_a("Interval") || d.name == "Contract");
    // The line's caption, else the library's.
    let caption = caption.map(str::trim).filter(|c| !c.is_empty());
    let found = match caption {
        Some(_) => None,
        None => def.and_then(|d| library_caption(d, values, runs)),
    };
    let mut m = super::Mapped::default();
    let grouped = (runs.iter()).map(|&(k, ptype, i, end)| {
        let run = Run {
            flat: values,
            i,
            end,
        };
        (Cow::Borrowed(k), ptype, run)
    });
    map_props(
        notes,
        &owner,
        schema_name,
        def,
        grouped,
        dated,
        known,
        &mut m,
    );
    let kind = match def {
        Some(_) => kind_for_schema(schema_name),
        None => EntityKind::Other(snake(schema_name)),
    };
    if def.is_some() && schema_for_kind(&kind) != schema_name {
        m.attrs.push((SCHEMA_ATTR.into(), schema_name.into()));
    }
    let mut names = std::mem::take(&mut m.names);
    // The name: the caption; the first name (its values, `m.names`, are
    // those of the run of `name`), when it is the caption or there is
    // none, taken out of the list rather than copied (it is a value;
    // those equal to it are not tagged); else the id.
    let first_name = runs.iter().find(|r| r.0 == "name").map(|r| r.2);
    let caption = match (caption, found) {
        (Some(c), _) => Some(c.to_string()),
        (None, Some(Caption::At(i))) if Some(i) == first_name && !names.is_empty() => None,
        (None, Some(Caption::At(i))) => Some(values.value(i).to_string()),
        (None, Some(Caption::Picked(c))) => Some(c),
        (None, None) => None,
    };
    let (name, name_is_value) = match caption {
        Some(c) => {
            let is_value = names.contains(&c);
            (c, is_value)
        }
        None if !names.is_empty() => (names.remove(0), true),
        None => (id.to_string(), false),
    };
    // The other names, then the aliases (the aliases' own list when there
    // are no other names, as most things have).
    let tagged: Vec<(String, char)> = if names.is_empty() {
        std::mem::take(&mut m.aliases)
    } else {
        let mut tagged = Vec::with_capacity(names.len() + m.aliases.len());
        let others = names.into_iter().filter(|n| *n != name);
        tagged.extend(others.map(|n| (n, 'n')));
        tagged.append(&mut m.aliases);
        tagged
    };
    if !name_is_value || !tagged.is_empty() {
        // (Held inline, as most are short: no allocation.)
        let mut code = super::Text::const_new(if name_is_value { "N" } else { "-" });
        code.extend(tagged.iter().map(|(_, c)| *c));
        m.attrs.push((NAMES_ATTR.into(), code));
    }
    if let Some(p) = m.note_prop.take().filter(|p| p != "description") {
        m.attrs.push((NOTE_ATTR.into(), p.into()));
    }
    m.attrs
        .extend((provenance.iter()).map(|(k, v)| (k.as_str().into(), v.as_str().into())));
    let refs = std::mem::take(&mut m.refs)
        .into_iter()
        .map(|(prop, target)| {
            let range = def.and_then(|d| d.range(&prop));
            (prop, target, range)
        })
        .collect();
    PreThing {
        kind,
        name,
        name_is_value,
        tagged,
        m,
        refs,
    }
}

impl PreThing {
    /// A thing made of these parts, no references (the thing lane's,
    /// for the careful way to merge it as a fragment).
    pub(super) fn of_parts(
        name: String,
        name_is_value: bool,
        tagged: Vec<(String, char)>,
        m: super::Mapped,
        schema: &str,
    ) -> PreThing {
        PreThing {
            kind: kind_for_schema(schema),
            name,
            name_is_value,
            tagged,
            m,
            refs: Vec::new(),
        }
    }
}

/// An empty [`PreThing`] (for tests taking one out of its record).
#[cfg(test)]
pub(super) fn pre_thing_empty() -> PreThing {
    PreThing {
        kind: EntityKind::Person,
        name: String::new(),
        name_is_value: false,
        tagged: Vec::new(),
        m: super::Mapped::default(),
        refs: Vec::new(),
    }
}

impl Loader {
    /// A thing (or a record of an unknown schema): an entity now, its references later.
    pub(super) fn thing(
        &mut self,
        id: &str,
        schema_name: &str,
        def: Option<&'static SchemaDef>,
        pre: &mut PreThing,
    ) {
        if let Some(existing) = self.find_looked_up(0, id) {
            // A fragment of an entity already read (in this input or an
            // earlier one): merged in as FtM merges two proxies.
            let tagged = std::mem::take(&mut pre.tagged);
            let tagged = if pre.name_is_value {
                std::iter::once((pre.name.clone(), 'n'))
                    .chain(tagged)
                    .collect()
            } else {
                tagged
            };
            let m = std::mem::take(&mut pre.m);
            self.merge_fragment(existing, id, schema_name, def, m, tagged);
            let sources = self.graph.entity(existing).sources;
            self.pend_refs(existing, sources, &mut pre.refs);
            return;
        }
        if self.held_already(id) {
            return;
        }
        let aliases: SmallVec<[&str; 4]> = pre.tagged.iter().map(|(n, _)| n.as_str()).collect();
        let kind = |l: &mut Self| match &pre.kind {
            EntityKind::Other(o) => EntityKind::Other(l.graph.intern(o)),
            k => k.clone().map_other(|o| l.graph.intern(&o)),
        };
        let Some((node, sources)) = self.add_thing(id, kind, &pre.name, &aliases, &pre.m) else {
            return;
        };
        self.pend_refs(node, sources, &mut pre.refs);
    }

    /// Whether a thing's id `id`, no node's, is a record's read before
    /// (a relationship: one held, in `edge_ids`, was added to `resolved`
    /// too, the one table asked): then noted as a duplicate.
    pub(super) fn held_already(&mut self, id: &str) -> bool {
        if self.resolved.contains_hash(self.resolved_hash(id)) {
            self.duplicate(id);
            return true;
        }
        debug_assert!(!self.edge_ids.contains_key(id));
        false
    }

    /// Holds a thing's references to other entities (`refs`, emptied) for
    /// the end of the read, when every entity is known.
    fn pend_refs(
        &mut self,
        from: NodeIx,
        sources: crate::graph::SourceSet,
        refs: &mut Vec<(String, String, Option<&'static str>)>,
    ) {
        for (prop, target, range) in refs.drain(..) {
            self.refs.push(PendingRef {
                from,
                range,
                prop: prop.into(),
                target: target.into(),
                sources,
                line: self.line_no,
                datasets: self.datasets,
            });
        }
    }

    /// A thing no node has the id of, added as an entity of the kind
    /// `kind` makes: its node and sources (`None`: not added).
    pub(super) fn add_thing(
        &mut self,
        id: &str,
        kind: impl FnOnce(&mut Self) -> EntityKind<Sym>,
        name: &str,
        aliases: &[&str],
        m: &super::Mapped,
    ) -> Option<(NodeIx, crate::graph::SourceSet)> {
        let sources = self.source_set_of(m);
        // (Most have none: no collecting of nothing.)
        let mut weak: SmallVec<[&str; 2]> = SmallVec::new();
        for w in &m.weak_aliases {
            weak.push(w);
        }
        // (The names met again and again known without the interner.)
        let mut attrs: SmallVec<[(Sym, &str); 4]> = SmallVec::new();
        for (k, v) in &m.attrs {
            attrs.push((self.attr_name(k), v.as_str()));
        }
        let kind = kind(self);
        let entity = NewEntity {
            id,
            kind,
            name,
            aliases,
            weak_aliases: &weak,
            date: m.date,
            until: m.until,
            note: m.note.as_deref(),
            amount: m.amount,
            sources,
            attrs: &attrs,
        };
        Some((self.add_new_entity(entity)?, sources))
    }

    /// Adds `entity` (a thing no node has the id of) to the graph, with
    /// what the read keeps of each node: its node (`None`: not added).
    pub(super) fn add_new_entity(&mut self, entity: NewEntity<'_, &str>) -> Option<NodeIx> {
        let node = match self.graph.add_entity(entity) {
            Ok(node) => node,
            Err(AddError::Duplicate(_)) => return None,
            Err(AddError::Full(full)) => {
                self.full(full);
                return None;
            }
        };
        // (An entity just added is in the default dataset.)
        if self.datasets != DatasetSet::DEFAULT {
            self.graph.set_entity_datasets(node, self.datasets);
        }
        if let Some(h) = self.id_hash {
            // (Hashed by its parser: not again when the filter catches up.)
            self.node_filter.add(&self.graph, node, h);
        }
        self.added_since.push(self.id_hash);
        self.node_lines.push(self.line_no as u32);
        self.node_files.push(self.file_index);
        debug_assert_eq!(self.node_lines.len(), node.index() + 1);
        Some(node)
    }

    /// Merges a record into the entity `existing` of its id, as
    /// `followthemoney` merges two proxies: the common schema (the more
    /// specific of the two; none: the first kept and the conflict noted with
    /// both lines), every value of every property, datasets united, the
    /// earliest `first_seen`, the latest `last_seen` and `last_change`.
    /// `tagged`: the record's names with the property each came from.
    fn merge_fragment(
        &mut self,
        existing: NodeIx,
        id: &str,
        schema_name: &str,
        def: Option<&'static SchemaDef>,
        mut m: super::Mapped,
        tagged: Vec<(String, char)>,
    ) {
        let sources = self.sources(&m).into_owned();
        self.summary.fragments_merged += 1;
        let i = existing.index();
        let first_file = self.node_files.get(i).copied().unwrap_or(0);
        if first_file != self.file_index && i < self.node_files.len() {
            self.summary.merged_across += 1;
            self.node_files[i] = self.file_index;
        }
        let e = self.graph.entity(existing);
        let old_kind = e.kind.map_other(|s| self.graph.sym(s).to_string());
        let old_schema = e
            .attrs
            .iter()
            .find(|(k, _)| self.graph.sym(*k) == SCHEMA_ATTR)
            .map_or_else(
                || schema_for_kind(&old_kind).to_string(),
                |(_, v)| v.to_string(),
            );
        let mut kind = e.kind;
        let mut schema_kept: Option<String> = None;
        if old_schema != schema_name {
            let old_def = super::super::schema::get(&old_schema);
            match (old_def, def) {
                (Some(o), Some(n)) if n.is_a(o.name) => {
                    let k = kind_for_schema(schema_name);
                    if schema_for_kind(&k) != schema_name {
                        schema_kept = Some(schema_name.to_string());
                    }
                    kind = k.map_other(|o| self.graph.intern(&o));
                }
                (Some(o), Some(n)) if o.is_a(n.name) => {}
                _ => {
                    let first = self.place(
                        first_file,
                        self.node_lines.get(i).copied().unwrap_or(0) as usize,
                    );
                    let here = self.place(self.file_index, self.line_no);
                    self.note(
                        Issue::SchemaConflict,
                        format!(
                            "`{}`: {old_schema} ({first}) and {schema_name} ({here}); kept {old_schema}",
                            short(id)
                        ),
                    );
                }
            }
        }
        let e = self.graph.entity(existing);
        let current_name = e.name.to_string();
        let mut list = e.aliases.to_vec();
        let mut code: Option<String> = e
            .attrs
            .iter()
            .find(|(k, _)| self.graph.sym(*k) == NAMES_ATTR)
            .map(|(_, v)| v.to_string());
        for (n, tag) in tagged {
            if n != current_name && !list.contains(&n) {
                list.push(n);
                code.get_or_insert_with(|| "N".to_string()).push(tag);
            }
        }
        let mut weak = e.weak_aliases.to_vec();
        for w in std::mem::take(&mut m.weak_aliases) {
            if !weak.contains(&w) {
                weak.push(w);
            }
        }
        // Every value once; the steering attributes settled here.
        let steering = |k: &str| k == NAMES_ATTR || k == SCHEMA_ATTR;
        let mut attrs: Vec<(String, String)> = e
            .attrs
            .iter()
            .map(|(k, v)| (self.graph.sym(k).to_string(), v.to_string()))
            .filter(|(k, _)| !steering(k))
            .collect();
        if e.note.is_some() {
            m.attrs.retain(|(k, _)| k != NOTE_ATTR);
        }
        for (k, v) in std::mem::take(&mut m.attrs) {
            let (k, v) = (k.into_string(), v.into_string());
            if steering(&k) {
                continue;
            }
            let seen = attrs.iter().any(|(k2, v2)| *k2 == k && *v2 == v);
            match k.as_str() {
                "first_seen" | "last_seen" | "last_change" => {
                    match attrs.iter().position(|(k2, _)| *k2 == k) {
                        Some(j) => {
                            let earlier = v < attrs[j].1;
                            if earlier == (k == "first_seen") {
                                attrs[j].1 = v;
                            }
                        }
                        None => attrs.push((k, v)),
                    }
                }
                _ if seen => {}
                _ => attrs.push((k, v)),
            }
        }
        let kept_schema = schema_kept.or_else(|| {
            let k = kind.map_other(|s| self.graph.sym(s).to_string());
            (old_schema != schema_for_kind(&k) && kind == e.kind).then(|| old_schema.clone())
        });
        attrs.extend(kept_schema.map(|s| (SCHEMA_ATTR.to_string(), s)));
        attrs.extend(code.map(|c| (NAMES_ATTR.to_string(), c)));
        let old_sources: Vec<SourceId> = self.graph.source_list(e.sources).to_vec();
        let mut all_sources = old_sources;
        all_sources.extend(sources);
        let (note, date, until, amount) = (
            e.note.map(str::to_string).or(m.note),
            e.date.or(m.date),
            e.until.or(m.until),
            e.amount.or(m.amount),
        );
        let merged_sources = self.graph.source_set(&all_sources);
        let attrs = self.attrs(attrs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        let merged = NewEntity {
            id: "",
            kind,
            name: &current_name,
            aliases: &list,
            weak_aliases: &weak,
            date,
            until,
            note: note.as_deref(),
            amount,
            sources: merged_sources,
            attrs: &attrs,
        };
        if let Err(full) = self.graph.replace_entity(existing, merged) {
            self.full(full);
            return;
        }
        let union = self.united(self.graph.entity_datasets(existing));
        self.graph.set_entity_datasets(existing, union);
    }

    fn duplicate(&mut self, id: &str) {
        let first = self
            .graph
            .find(id)
            .map(|n| self.node_lines[n.index()] as usize)
            .or_else(|| self.edge_ids.get(id).map(|&i| self.edges[i].line))
            .unwrap_or(0);
        self.problem(
            self.here(),
            ProblemKind::DuplicateId {
                what: "FtM entity (as a thing and a relationship)",
                id: id.to_string(),
                first: Location {
                    file: self.name.clone(),
                    line_col: Some((first, 1)),
                },
            },
        );
    }

    /// A relationship record: kept until every thing is read.
    pub(super) fn edge_record(
        &mut self,
        id: &str,
        def: &'static SchemaDef,
        flat: super::Values<'_>,
        (pre, compact): (&mut Option<super::PreEdge>, Option<&Compact>),
        provenance: &[(String, String)],
    ) {
        // (An id held in `edge_ids` is in `resolved` too: the map asked
        // only for an id whose hash `resolved` has.)
        // (Probed once: the slot found is the one taken below.)
        let hash = self.resolved_hash(id);
        // A relationship whose id checks are left to the end (`defer`)
        // is read as one whose id is new: if it is not, the input is read
        // again, every check made.
        let deferred = self.deferring;
        debug_assert!(!deferred || (self.defer && !self.several));
        let probed = if deferred {
            None
        } else {
            self.resolved.probe(hash)
        };
        let seen = probed.is_some_and(|(_, there)| there);
        // (Not so for a deferred record: an id met twice among those is
        // held twice until the end, where the clash reads the input again.)
        debug_assert!(deferred || seen || !self.edge_ids.contains_key(id));
        if seen
            && let Some(&i) = self.edge_ids.get(id)
            && self.edges[i].schema.name == def.name
        {
            self.summary.fragments_merged += 1;
            self.edges[i].props.append(flat);
            // Mapped again with the fragment's values when built.
            self.edges[i].pre = None;
            return;
        }
        // The same relationship, as built from an earlier input, again (one
        // entity in two exports): its datasets are united, nothing else differs.
        // (Hashed only when some were built: with several inputs.)
        let key = || xxhash_rust::xxh3::xxh3_64(id.as_bytes());
        if !self.built.is_empty()
            && let Some(&(file, hash, built)) = self.built.get(&key())
            && file != self.file_index
            && hash == props_hash(flat)
        {
            self.summary.fragments_merged += 1;
            match built {
                super::Built::Node(n) => {
                    // The node and its ties to the parties.
                    self.summary.merged_across += 1;
                    self.summary.relations_merged_across += self.graph.degree(n);
                    let set = self.united(self.graph.entity_datasets(n));
                    self.graph.set_entity_datasets(n, set);
                }
                super::Built::Edge(e) => {
                    self.summary.relations_merged_across += 1;
                    let set = self.united(self.graph.relation_datasets(e));
                    self.graph.set_relation_datasets(e, set);
                }
            }
            return;
        }
        if !deferred
            && ((seen && self.edge_ids.contains_key(id)) || self.find_looked_up(0, id).is_some())
        {
            self.duplicate(id);
            return;
        }
        // Every party already read (as in a stream written things first): the
        // relationship is built now instead of being held until the end.
        // (The parties' nodes in a buffer kept from record to record; the
        // parties told by the bits the parser set, not by the schema again.)
        let mut parties = std::mem::take(&mut self.party_buf);
        parties.clear();
        let known = if flat.marks_every_party() {
            // (Looked up with the record's id, in the same order.)
            let mut k = 0;
            (flat.marked()).all(|i| {
                k += 1;
                (self.find_looked_up_with(k, || flat.value(i)))
                    .map(|n| parties.push(n))
                    .is_some()
            })
        } else {
            flat.iter().all(|(k, v)| {
                def.prop(k) != Some(PropType::Entity)
                    || self.graph.find(v).map(|n| parties.push(n)).is_some()
            })
        };
        if deferred {
            let h = self.id_hash.expect("a deferred record's id was hashed");
            self.deferred[super::Deferred::half(h)].push(h);
        } else if !self.resolved.insert_at(hash, probed) {
            self.note(Issue::LateFragment, format!("{} `{}`", def.name, short(id)));
        }
        if known {
            // The common shape, read from its record (no box).
            if let Some(c) = compact
                && let &[a, b] = &parties[..]
                && c.n_found > 0
            {
                self.resolve_compact(id, def, flat, c, (a, b), provenance);
                self.party_buf = parties;
                return;
            }
            let mapped;
            let boxed;
            let pre = match (pre.as_deref(), compact) {
                (Some(pre), _) => pre,
                (None, Some(c)) => {
                    boxed = c.boxed(def, flat.text);
                    &*boxed
                }
                (None, None) => {
                    mapped = map_edge(def, id, flat);
                    &*mapped
                }
            };
            let edge = super::EdgeRef {
                id,
                schema: def,
                props: flat,
                pre,
                line: self.line_no,
                datasets: self.datasets,
                provenance,
            };
            self.resolve_edge(edge, Some(&parties));
            self.party_buf = parties;
            return;
        }
        self.party_buf = parties;
        let edge = PendingEdge {
            id: id.into(),
            schema: def,
            props: flat.to_flat(),
            pre: pre
                .take()
                .or_else(|| compact.map(|c| c.boxed(def, flat.text))),
            line: self.line_no,
            datasets: self.datasets,
            provenance: provenance.to_vec(),
        };
        // (One whose checks are left to the end is asked for by nothing.)
        if !deferred {
            self.edge_ids.insert(edge.id.clone(), self.edges.len());
        }
        self.edges.push(edge);
    }

    /// The node a reference names. One the data does not hold becomes a
    /// placeholder of the property's range (kind and id known, no facts),
    /// noted; `None` only when the graph is full.
    pub(super) fn find_party(
        &mut self,
        id: &str,
        owner: &str,
        prop: &str,
        range: Option<&'static str>,
    ) -> Option<NodeIx> {
        if let Some(found) = self.graph.find(id) {
            return Some(found);
        }
        self.note(Issue::Missing, format!("`{}` {prop}: `{id}`", short(owner)));
        let schema_name = range
            .and_then(super::super::schema::get)
            .filter(|d| !d.is_abstract)
            .map_or("Thing", |d| d.name);
        let kind = kind_for_schema(schema_name);
        let mut attrs = vec![(PLACEHOLDER_ATTR, PLACEHOLDER_TEXT)];
        if schema_for_kind(&kind) != schema_name {
            attrs.push((SCHEMA_ATTR, schema_name));
        }
        let attrs = self.attrs(attrs);
        let kind = kind.map_other(|o| self.graph.intern(&o));
        let sources = self.graph.source_set(&[]);
        let entity = NewEntity {
            attrs: &attrs,
            ..NewEntity::<String>::new(id, kind, id, sources)
        };
        match self.graph.add_entity(entity) {
            Ok(node) => {
                self.added_since.push(None);
                self.graph.set_entity_datasets(node, self.datasets);
                self.node_lines.push(self.line_no as u32);
                self.node_files.push(self.file_index);
                self.summary.placeholders += 1;
                Some(node)
            }
            Err(AddError::Duplicate(n)) => Some(n),
            Err(AddError::Full(full)) => {
                self.full(full);
                None
            }
        }
    }

    /// Adds a relationship of two parties, `from` its source and `to` its
    /// target, as `relation` (its id, its made id's mark and its ends set
    /// here: `reversed` if it runs from its target, `made` whether its id
    /// is the one made of its values), noting a loop; `built`: its keys
    /// among those built, with several inputs.
    fn add_pair<'a>(
        &mut self,
        id: &'a str,
        def: &'static SchemaDef,
        (from, to): (NodeIx, NodeIx),
        (reversed, made): (bool, bool),
        mut relation: NewRelation<'a>,
        built: Option<(u64, u64)>,
    ) {
        if from == to {
            let (src_prop, tgt_prop) = def.edge.expect("only edge schemata are pending");
            let id_from = self.graph.entity(from).id.to_string();
            let owner = format!("{} `{}`", def.name, short(id));
            self.note(
                Issue::Loop,
                format!("{owner}: {src_prop} and {tgt_prop} are both `{id_from}`"),
            );
        }
        let (a, b) = if reversed { (to, from) } else { (from, to) };
        // An id as `ties export --format ftm` makes them is not kept:
        // made again when asked for. Its ends were hashed in FtM's
        // order (source, target): `to` first when the relation runs
        // from the target.
        let made = made.then_some(reversed);
        relation.id = if made.is_some() { None } else { Some(id) };
        relation.made_id = made;
        match self.graph.add_relation(a, b, relation) {
            Ok(r) => {
                debug_assert_eq!(self.graph.relation(r).id().as_deref(), Some(id));
                // (A relation just added is in the default dataset.)
                if self.datasets != DatasetSet::DEFAULT {
                    self.graph.set_relation_datasets(r, self.datasets);
                }
                if let Some((key, hash)) = built {
                    let built = (self.file_index, hash, super::Built::Edge(r));
                    self.built.entry(key).or_insert(built);
                }
            }
            Err(full) => self.full(full),
        }
    }

    /// Builds a relationship record of the common shape, its mapped fields
    /// `c` held in its record ([`Compact`]; its values `props`, their
    /// text its batch's), its two parties' nodes `a` and `b` in the order
    /// of its values: as [`Self::resolve_edge`] builds the box
    /// [`Compact::fill`] makes of it, without the box.
    pub(super) fn resolve_compact(
        &mut self,
        id: &str,
        def: &'static SchemaDef,
        props: super::Values<'_>,
        c: &Compact,
        (a, b): (NodeIx, NodeIx),
        provenance: &[(String, String)],
    ) {
        let text = props.text;
        // Kept only to merge a relationship an earlier input held too.
        let built = self
            .several
            .then(|| (xxhash_rust::xxh3::xxh3_64(id.as_bytes()), props_hash(props)));
        let (from, to) = if c.source_first { (a, b) } else { (b, a) };
        let sources = (self.graph).source_set_keyed(bytemuck::cast_slice(c.found()), c.found_key);
        let role = c.role(text).map(|r| self.graph.intern(r));
        let kind = c.kind();
        // (The names interned in the order `resolve_edge` interns them.)
        let note_prop = c.note_prop(def).filter(|p| *p != "description");
        let attrs = self.edge_attrs(def, c.attrs(def, text), provenance, note_prop);
        let relation = NewRelation {
            role,
            date: c.date,
            until: c.until,
            amount: c.amount,
            note: c.note(text),
            attrs: &attrs,
            ..NewRelation::new(kind, sources)
        };
        self.add_pair(
            id,
            def,
            (from, to),
            (c.reversed, c.made_id),
            relation,
            built,
        );
    }

    /// A relationship's attributes, their names interned as they are
    /// listed: `listed` (its mapped ones), then `provenance`, the property
    /// its note came from (`note_prop`, unless `description`: left out by
    /// the caller), and its schema's name for the schemata a kind does not
    /// tell apart.
    fn edge_attrs<'k, 'a>(
        &mut self,
        def: &'static SchemaDef,
        listed: impl Iterator<Item = (&'k str, &'a str)>,
        provenance: &'a [(String, String)],
        note_prop: Option<&'a str>,
    ) -> SmallVec<[(Sym, &'a str); 4]> {
        let mut attrs: SmallVec<[(Sym, &str); 4]> = SmallVec::new();
        for (k, v) in listed {
            attrs.push((self.attr_name(k), v));
        }
        for (k, v) in provenance {
            attrs.push((self.attr_name(k), v.as_str()));
        }
        if let Some(p) = note_prop {
            attrs.push((self.attr_name(NOTE_ATTR), p));
        }
        if matches!(def.name, "Family" | "Associate" | "Occupancy") {
            attrs.push((self.attr_name(SCHEMA_ATTR), def.name));
        }
        attrs
    }

    /// Builds a relationship record; `parties`: the nodes of its
    /// entity-valued properties in order, when every one was found.
    pub(super) fn resolve_edge(&mut self, e: super::EdgeRef<'_>, parties: Option<&[NodeIx]>) {
        let def = e.schema;
        self.datasets = e.datasets;
        // Kept only to merge a relationship an earlier input held too.
        let several = self.several;
        let key = if several {
            xxhash_rust::xxh3::xxh3_64(e.id.as_bytes())
        } else {
            0
        };
        let hash = if several { props_hash(e.props) } else { 0 };
        let (src_prop, tgt_prop) = def.edge.expect("only edge schemata are pending");
        let (m, notes) = e.pre;
        self.notes(notes);
        // (Those its parser found taken as they are, with their key; any
        // other found or added here, in the same order as before.)
        let found = Self::found_sources(m);
        let source_ids = match found {
            Some(_) => Cow::Borrowed(&[][..]),
            None => self.sources(m),
        };
        // (Most records have one party of each end: kept without allocating.)
        let mut froms: SmallVec<[NodeIx; 2]> = SmallVec::new();
        let mut tos: SmallVec<[NodeIx; 2]> = SmallVec::new();
        let mut other_nodes: SmallVec<[(&str, NodeIx); 2]> = SmallVec::new();
        let mut wanted = 0;
        // A relationship of one source and one target (most are), told
        // by the lengths of its parties' properties' names: its two ends
        // without lists of them.
        let pair = match parties {
            Some(&[a, b]) if e.props.marks_every_party() && self.ends_by_length(def) => {
                let mut marked = e.props.marked();
                let (i, j) = (marked.next(), marked.next());
                let is = |i: Option<usize>, prop: &str| {
                    i.is_some_and(|i| {
                        let same = e.props.key_len(i) == prop.len();
                        debug_assert!(!same || e.props.key(i) == prop);
                        same
                    })
                };
                if is(i, src_prop) && is(j, tgt_prop) {
                    Some((a, b))
                } else if is(i, tgt_prop) && is(j, src_prop) {
                    Some((b, a))
                } else {
                    None
                }
            }
            _ => None,
        };
        if pair.is_some() {
            // (Told above.)
        } else if let Some(parties) = parties {
            // Every party was found, in the order of the values.
            let mut parties = parties.iter().copied();
            if e.props.marks_every_party() && self.ends_by_length(def) {
                // The parties' properties (as the parser marked them, those
                // of the schema's that name entities) told by the lengths
                // of their names alone.
                for i in e.props.marked() {
                    let Some(n) = parties.next() else { break };
                    let k = e.props.key(i);
                    debug_assert_eq!(def.prop(k), Some(PropType::Entity));
                    debug_assert_eq!(k.len(), e.props.key_len(i));
                    if k.len() == src_prop.len() {
                        debug_assert_eq!(k, src_prop);
                        froms.push(n);
                    } else if k.len() == tgt_prop.len() {
                        debug_assert_eq!(k, tgt_prop);
                        tos.push(n);
                    } else {
                        other_nodes.push((k, n));
                    }
                }
            } else {
                // The parties' properties: as the parser marked them, else
                // as the schema says.
                let keys = (e.props)
                    .parties_or(|k| def.prop(k) == Some(PropType::Entity))
                    .map(|(k, _)| k);
                for k in keys {
                    let Some(n) = parties.next() else { break };
                    if k == src_prop {
                        froms.push(n);
                    } else if k == tgt_prop {
                        tos.push(n);
                    } else {
                        other_nodes.push((k, n));
                    }
                }
            }
        } else {
            let mut sources_ids = Vec::new();
            let mut target_ids = Vec::new();
            let mut others = Vec::new();
            for (k, v) in e.props.iter() {
                if k == src_prop {
                    sources_ids.push(v);
                } else if k == tgt_prop {
                    target_ids.push(v);
                } else if def.prop(k) == Some(PropType::Entity) {
                    others.push((k, v));
                }
            }
            wanted = sources_ids.len() + target_ids.len() + others.len();
            let find_all = |ids: &[&str], prop: &str, this: &mut Self| -> SmallVec<[NodeIx; 2]> {
                ids.iter()
                    .filter_map(|id| this.find_party(id, e.id, prop, def.range(prop)))
                    .collect()
            };
            froms = find_all(&sources_ids, src_prop, self);
            tos = find_all(&target_ids, tgt_prop, self);
            other_nodes = others
                .iter()
                .filter_map(|&(k, id)| self.find_party(id, e.id, k, def.range(k)).map(|n| (k, n)))
                .collect();
        }
        if pair.is_none() && froms.len() + tos.len() + other_nodes.len() < wanted {
            return; // problems already recorded
        }
        let (kind, reversed) = match &m.edge {
            Some((kind, reversed)) => (kind, *reversed),
            None => unreachable!("an edge's fields are mapped by map_edge_known"),
        };
        let role = m.role.as_deref();
        let note_prop = m.note_prop.as_deref().filter(|p| *p != "description");
        let sources = match found {
            Some((list, key)) => self.graph.source_set_keyed(list, key),
            None => self.graph.source_set(&source_ids),
        };
        let role = role.map(|r| self.graph.intern(r));
        let note = m.note.as_deref();
        let kind_sym = kind.clone().map_other(|o| self.graph.intern(&o));
        // The attributes' names interned as they are listed (one list;
        // after the role and the kind, as before; the few names met again
        // and again known without the interner's lookup).
        let listed = m.attrs.iter().map(|(k, v)| (k.as_str(), v.as_str()));
        let mut attrs = self.edge_attrs(def, listed, e.provenance, note_prop);
        let pair = pair.or_else(|| {
            (froms.len() == 1 && tos.len() == 1 && other_nodes.is_empty())
                .then(|| (froms[0], tos[0]))
        });
        if let Some((from, to)) = pair {
            let relation = NewRelation {
                role,
                date: m.date,
                until: m.until,
                amount: m.amount,
                note,
                attrs: &attrs,
                ..NewRelation::new(kind_sym, sources)
            };
            let built = several.then_some((key, hash));
            self.add_pair(
                e.id,
                def,
                (from, to),
                (reversed, m.made_id),
                relation,
                built,
            );
            return;
        }
        // More than two parties: the relationship becomes a node tied to each.
        self.summary.relationship_nodes += 1;
        let node_kind = if def.name == "Payment" {
            EntityKind::Tranche
        } else {
            EntityKind::Event
        };
        attrs.push((self.graph.intern(SCHEMA_ATTR), def.name));
        let name = format!(
            "{} {}",
            def.name,
            m.names.first().cloned().unwrap_or_else(|| e.id.to_string())
        );
        let entity_attrs = attrs;
        let entity = NewEntity {
            id: e.id,
            kind: node_kind,
            name: &name,
            aliases: m.names.get(1..).unwrap_or(&[]),
            weak_aliases: &[],
            date: m.date,
            until: m.until,
            note,
            amount: m.amount,
            sources,
            attrs: &entity_attrs,
        };
        let node = match self.graph.add_entity(entity) {
            Ok(node) => node,
            Err(AddError::Duplicate(_)) => return self.duplicate(e.id),
            Err(AddError::Full(full)) => return self.full(full),
        };
        self.added_since.push(None);
        self.graph.set_entity_datasets(node, self.datasets);
        if several {
            let built = (self.file_index, hash, super::Built::Node(node));
            self.built.entry(key).or_insert(built);
        }
        self.node_lines.push(e.line as u32);
        self.node_files.push(self.file_index);
        let single_payer = froms.len() == 1;
        let tie = |this: &mut Self, a: NodeIx, b: NodeIx, kind, role, amount, prop: &str| {
            let attrs = this.attrs([(PROPERTY_ATTR, prop)]);
            let relation = NewRelation {
                role,
                date: m.date,
                until: m.until,
                amount,
                attrs: &attrs,
                ..NewRelation::new(kind, sources)
            };
            match this.graph.add_relation(a, b, relation) {
                Ok(r) => this.graph.set_relation_datasets(r, this.datasets),
                Err(full) => this.full(full),
            }
        };
        for &f in &froms {
            let (a, b) = if reversed { (node, f) } else { (f, node) };
            let amount = if single_payer { m.amount } else { None };
            tie(self, a, b, kind_sym, role, amount, src_prop);
        }
        for &t in &tos {
            let (a, b) = if reversed { (t, node) } else { (node, t) };
            tie(self, a, b, kind_sym, role, None, tgt_prop);
        }
        for (prop, n) in other_nodes {
            let (k, rev) = ref_kind(prop);
            let k = k.map_other(|o| self.graph.intern(&o));
            let (a, b) = if rev { (n, node) } else { (node, n) };
            tie(self, a, b, k, None, None, prop);
        }
    }
}

/// A relationship's values other than its parties, mapped (without the
/// graph: on a parser thread, or when its fragments were merged).
pub(super) fn map_edge(
    def: &'static SchemaDef,
    id: &str,
    props: super::Values<'_>,
) -> super::PreEdge {
    map_edge_known(def, id, props, None)
}

/// [`map_edge`], the sources the record cites found in `known` if given.
pub(super) fn map_edge_known(
    def: &'static SchemaDef,
    id: &str,
    props: super::Values<'_>,
    known: Option<&KnownSources>,
) -> super::PreEdge {
    map_edge_runs(def, id, props, Lookup::Now(known), None)
}

/// [`map_edge_known`]; `typed`: the runs of `props`, each of one property
/// with its type, when the caller knows them (the parser's cleaning looked
/// each property's type up already).
pub(super) fn map_edge_runs<'v>(
    def: &'static SchemaDef,
    id: &str,
    props: super::Values<'v>,
    known: Lookup<'_>,
    typed: Option<&TypedRuns<'v>>,
) -> super::PreEdge {
    let (src_prop, tgt_prop) = def.edge.expect("an edge schema");
    let owner = Owner(def.name, id);
    // Written in place (not moved out of here, then into the record), in
    // a spare box of this thread's where there is one.
    let mut pre = super::SparePre::take();
    let (m, notes) = &mut *pre;
    // (The type first: a party's is told without comparing names.)
    let is_party = |k: &str, ptype: Option<PropType>| {
        ptype == Some(PropType::Entity) || k == src_prop || k == tgt_prop
    };
    let party = |k: &str| is_party(k, def.prop(k));
    // Sorted by property (as a record's are, unless fragments were added):
    // each run is one property, its type looked up once (or known).
    let found;
    let runs = match typed {
        Some(runs) => Some(runs),
        None => {
            found = sorted_runs(props).map(|runs| {
                (runs.into_iter())
                    .map(|(k, i, end)| (k, def.prop(k), i, end))
                    .collect::<TypedRuns>()
            });
            found.as_ref()
        }
    };
    if let Some(runs) = runs {
        let grouped = (runs.iter())
            .filter(|&&(k, ptype, _, _)| !is_party(k, ptype))
            .map(|&(k, ptype, i, end)| {
                let run = Run {
                    flat: props,
                    i,
                    end,
                };
                (Cow::Borrowed(k), ptype, run)
            });
        map_props(notes, &owner, def.name, Some(def), grouped, true, known, m);
    } else {
        let mut values: Vec<(&str, &str)> = props.iter().filter(|&(k, _)| !party(k)).collect();
        // Each property's values in the order read: each run is one property.
        if !values.is_sorted_by_key(|(k, _)| *k) {
            values.sort_by_key(|(k, _)| *k);
        }
        let grouped = values.chunk_by(|a, b| a.0 == b.0).map(|run| {
            let values = run.iter().map(|&(_, v)| v);
            (Cow::Borrowed(run[0].0), def.prop(run[0].0), values)
        });
        map_props(notes, &owner, def.name, Some(def), grouped, true, known, m);
    }
    // The kind, worked out once (the role then only what the kind did not
    // say), here rather than on the builder.
    let (kind, reversed, role) = edge_kind(def, m.role.as_deref());
    m.made_id = is_made_id(def, id, props, (&kind, role), m.date);
    // (`role` is all of `m.role`, a part of it, or none.)
    if role.map(str::len) != m.role.as_deref().map(str::len) {
        m.role = role.map(super::Text::from);
    }
    m.edge = Some((kind, reversed));
    pre
}

/// The values `i..end` of a [`super::Flat`] (one property's run).
#[derive(Clone)]
struct Run<'a> {
    flat: super::Values<'a>,
    i: usize,
    end: usize,
}

impl<'a> Iterator for Run<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        if self.i >= self.end {
            return None;
        }
        // (The value alone: its property's name is the run's.)
        let v = self.flat.value(self.i);
        self.i += 1;
        Some(v)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.end - self.i;
        (n, Some(n))
    }
}

impl ExactSizeIterator for Run<'_> {}

/// Runs of equal properties, `(property, start, end)`.
type Runs<'a> = SmallVec<[(&'a str, usize, usize); 8]>;

/// A run of equal properties with their type, `(property, type, start,
/// end)`.
pub(super) type TypedRun<'a> = (&'a str, Option<PropType>, usize, usize);

/// Runs of equal properties with their types.
pub(super) type TypedRuns<'a> = SmallVec<[TypedRun<'a>; 8]>;

/// The runs of equal properties of `flat`, `(property, start, end)` in
/// order, if it is sorted by property (else `None`).
fn sorted_runs(flat: super::Values<'_>) -> Option<Runs<'_>> {
    let mut runs = Runs::new();
    for (i, (k, _)) in flat.iter().enumerate() {
        match runs.last_mut() {
            Some(last) if last.0 == k => last.2 = i + 1,
            Some(last) if last.0 > k => return None,
            _ => runs.push((k, i, i + 1)),
        }
    }
    Some(runs)
}

/// `s.split_once(": ")`, the colon found by `memchr` (a two-byte pattern
/// builds a substring searcher first: 4 % of a relationship's mapping).
fn split_colon_space(s: &str) -> Option<(&str, &str)> {
    let b = s.as_bytes();
    let mut from = 0;
    while let Some(i) = memchr::memchr(b':', &b[from..]) {
        let at = from + i;
        if b.get(at + 1) == Some(&b' ') {
            return Some((&s[..at], &s[at + 2..]));
        }
        from = at + 1;
    }
    None
}

/// A relationship's kind, whether it runs from its target to its source,
/// and its role, as the record's schema and `role` say.
pub(super) fn edge_kind<'m>(
    def: &SchemaDef,
    role: Option<&'m str>,
) -> (RelationKind<String>, bool, Option<&'m str>) {
    let (mut kind, reversed) = relation_for_schema(def.name);
    let mut role = role;
    // `ties export --format ftm` writes kinds FtM lacks as an UnknownLink whose
    // role is the kind's phrase (`signed`, `party to: role`): read them back.
    if def.name == "UnknownLink"
        && let Some(said) = role
    {
        let (phrase, rest) = match split_colon_space(said) {
            Some((p, r)) => (p, Some(r)),
            None => (said, None),
        };
        // (A short phrase's spaces made `_` in a buffer on the stack.)
        let mut buf = [0u8; 32];
        let label = if !phrase.contains(' ') {
            Cow::Borrowed(phrase)
        } else if let Some(out) = buf.get_mut(..phrase.len()) {
            for (o, b) in out.iter_mut().zip(phrase.bytes()) {
                *o = if b == b' ' { b'_' } else { b };
            }
            // (Spaces for underscores: still UTF-8.)
            Cow::Borrowed(std::str::from_utf8(out).unwrap_or(phrase))
        } else {
            Cow::Owned(phrase.replace(' ', "_"))
        };
        if let Some(k) = RelationKind::<String>::from_label(&label) {
            kind = k;
            role = rest;
        }
    }
    (kind, reversed, role)
}

/// Whether a relationship record of two parties has the id `ties export
/// --format ftm` makes of the relation it becomes (`graph::relid`): its
/// source's and target's ids, kind, role and date hashed.
fn is_made_id(
    def: &SchemaDef,
    id: &str,
    props: super::Values<'_>,
    (kind, role): (&RelationKind<String>, Option<&str>),
    date: Option<crate::model::PartialDate>,
) -> bool {
    let Some(h) = crate::graph::relid::made_id_hash(id) else {
        return false;
    };
    let (src_prop, tgt_prop) = def.edge.expect("an edge schema");
    let (mut src, mut tgt, mut parties) = (None, None, 0);
    // Two parties, where the parser's marks count them.
    if props.marks_every_party() && props.parties.count_ones() != 2 {
        return false;
    }
    let party = |k: &str| k == src_prop || k == tgt_prop || def.prop(k) == Some(PropType::Entity);
    for (k, v) in props.parties_or(party) {
        if k == src_prop {
            src = Some(v);
        } else if k == tgt_prop {
            tgt = Some(v);
        }
        parties += 1;
    }
    let (Some(src), Some(tgt), 2) = (src, tgt, parties) else {
        return false;
    };
    made_of(h, (src, tgt), (kind, role), date)
}

/// Whether `h` (the hash a made id spells) is that of a relation from
/// `src` to `tgt` (FtM's source and target) of `kind`, `role` and `date`.
pub(super) fn made_of(
    h: u64,
    (src, tgt): (&str, &str),
    (kind, role): (&RelationKind<String>, Option<&str>),
    date: Option<crate::model::PartialDate>,
) -> bool {
    let label = match kind {
        RelationKind::Other(o) => o.as_str(),
        k => k.known_label().unwrap_or("other"),
    };
    crate::graph::relid::made_hash(src, label, tgt, role.unwrap_or(""), date) == h
}

/// A relationship record's values, whatever their order, as one number.
fn props_hash(props: super::Values<'_>) -> u64 {
    let mut v: Vec<(&str, &str)> = props.iter().collect();
    v.sort();
    v.dedup();
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    for (k, val) in v {
        h.update(k.as_bytes());
        h.update(&[0]);
        h.update(val.as_bytes());
        h.update(&[0]);
    }
    h.digest()
}

/// The relation an entity-valued property of a thing (or an extra party of a
/// relationship) becomes, and whether it runs from the value to the record.
pub(super) fn ref_kind(prop: &str) -> (RelationKind<String>, bool) {
    match prop {
        "addressEntity" | "location" => (RelationKind::LocatedIn, false),
        "involved" | "organizer" => (RelationKind::Attended, true),
        "project" => (RelationKind::Concerns, false),
        "organization" | "parent" => (RelationKind::PartOf, false),
        "owner" => (RelationKind::Owns, true),
        other => (RelationKind::Other(snake(other)), false),
    }
}

#[cfg(test)]
mod made_id_tests {
    use std::io::Cursor;

    use proptest::prelude::*;

    use super::super::{load_reader_with, load_text_deferring};
    use crate::graph::Graph;
    use crate::graph::relid::{made_hash, made_id};
    use crate::view::Subgraph;

    fn load(text: &str, fast: bool) -> Graph {
        load_reader_with(Cursor::new(text.to_string()), "t.ftm.json", fast)
            .expect("the stream loads")
            .0
    }

    fn whole(g: &Graph) -> Subgraph {
        Subgraph {
            nodes: g.node_indices().collect(),
            edges: g.edge_indices().collect(),
            whole: true,
        }
    }

    /// Every relation's id, with whether it was made, in the graph's order.
    fn ids(g: &Graph) -> Vec<(Option<String>, bool)> {
        g.edge_indices()
            .map(|e| {
                let r = g.relation(e);
                (r.id().map(|i| i.into_owned()), r.id_is_made())
            })
            .collect()
    }

    /// The `"id"` of each relationship line of `text`, sorted.
    fn line_ids(text: &str) -> Vec<String> {
        let mut ids: Vec<String> = text
            .lines()
            .filter_map(|l| {
                let v: serde_json::Value = serde_json::from_str(l).ok()?;
                let def = crate::ftm::schema::get(v["schema"].as_str()?)?;
                def.edge?;
                Some(v["id"].as_str()?.to_string())
            })
            .collect();
        ids.sort();
        ids
    }

    #[test]
    fn ids_as_the_export_makes_them_are_made_again_and_others_kept() {
        let d = "2019-05-09".parse().unwrap();
        // UnknownLink `signed` (a kind FtM lacks, read back from the role).
        let signed = made_id(made_hash("p-1", "signed", "a-1", "", Some(d)));
        // Employment's relation runs from the employer (its target) to the
        // employee (its source): hashed source first all the same.
        let employs = made_id(made_hash("p-1", "employs", "org-1", "cook", None));
        // A kind and a role in UnknownLink's role.
        let odd = made_id(made_hash("p-1", "party_to", "a-1", "chair", None));
        let wrong = made_id(made_hash("p-1", "signed", "a-1", "", None));
        let text = [
            r#"{"id":"p-1","schema":"Person","properties":{"name":["P"]}}"#.to_string(),
            r#"{"id":"org-1","schema":"Company","properties":{"name":["O"]}}"#.into(),
            r#"{"id":"a-1","schema":"Contract","properties":{"name":["A"]}}"#.into(),
            format!(
                r#"{{"id":"{signed}","schema":"UnknownLink","properties":{{"subject":["p-1"],"object":["a-1"],"role":["signed"],"startDate":["2019-05-09"]}}}}"#
            ),
            format!(
                r#"{{"id":"{employs}","schema":"Employment","properties":{{"employer":["org-1"],"employee":["p-1"],"role":["cook"]}}}}"#
            ),
            format!(
                r#"{{"id":"{odd}","schema":"UnknownLink","properties":{{"subject":["p-1"],"object":["a-1"],"role":["party to: chair"]}}}}"#
            ),
            // The hash of other values (no date): kept as written.
            format!(
                r#"{{"id":"{wrong}","schema":"UnknownLink","properties":{{"subject":["p-1"],"object":["a-1"],"role":["signed"],"startDate":["2019-05-09"]}}}}"#
            ),
            format!(
                r#"{{"id":"{}","schema":"UnknownLink","properties":{{"subject":["p-1"],"object":["a-1"],"role":["signed"],"startDate":["2019-05-09"]}}}}"#,
                signed.to_uppercase().replace("TIES-REL-", "ties-rel-")
            ),
            r#"{"id":"own-1","schema":"Ownership","properties":{"owner":["p-1"],"asset":["org-1"]}}"#.into(),
        ]
        .join("\n");
        for fast in [true, false] {
            let g = load(&text, fast);
            let made = |id: &str, is_made: bool| (Some(id.to_string()), is_made);
            let upper = signed.to_uppercase().replace("TIES-REL-", "ties-rel-");
            assert_eq!(
                ids(&g),
                [
                    made(&signed, true),
                    made(&employs, true),
                    made(&odd, true),
                    made(&wrong, false),
                    made(&upper, false),
                    made("own-1", false),
                ]
            );
            // Employment's relation runs from the employer.
            let e = g.edge_indices().nth(1).unwrap();
            assert_eq!(g.entity(g.ends(e).0).id, "org-1");
            // Taken into another graph, a made id is kept there as written.
            let mut other = Graph::default();
            other.absorb(&g, None).unwrap();
            let kept: Vec<(Option<String>, bool)> =
                ids(&g).into_iter().map(|(id, _)| (id, false)).collect();
            assert_eq!(ids(&other), kept);
        }
    }

    #[test]
    fn held_and_merged_relationships_keep_their_ids() {
        let later = made_id(made_hash("p-1", "signed", "a-1", "", None));
        let merged = made_id(made_hash("p-1", "concerns", "a-1", "", None));
        let text = [
            // Held to the end (`a-1` is defined after it), then built.
            format!(
                r#"{{"id":"{later}","schema":"UnknownLink","properties":{{"subject":["p-1"],"object":["a-1"],"role":["signed"]}}}}"#
            ),
            // Two fragments, the second adding a date the id was not made of.
            format!(
                r#"{{"id":"{merged}","schema":"UnknownLink","properties":{{"subject":["p-1"],"object":["a-1"],"role":["concerns"]}}}}"#
            ),
            format!(
                r#"{{"id":"{merged}","schema":"UnknownLink","properties":{{"startDate":["2020"]}}}}"#
            ),
            r#"{"id":"p-1","schema":"Person","properties":{"name":["P"]}}"#.to_string(),
            r#"{"id":"a-1","schema":"Contract","properties":{"name":["A"]}}"#.into(),
        ]
        .join("\n");
        for fast in [true, false] {
            let g = load(&text, fast);
            let mut got = ids(&g);
            got.sort();
            let mut want = vec![(Some(later.clone()), true), (Some(merged.clone()), false)];
            want.sort();
            assert_eq!(got, want, "fast: {fast}");
        }
    }

    /// The parts relationship lines are made of.
    const PARTIES: [&str; 5] = ["p-1", "org-1", "x1.b-c", "a-1", "gone-1"];
    const ROLES: [&str; 5] = ["", "signed", "party to: chair", "chair", "holds office"];
    const DATES: [&str; 5] = ["", "2019", "2019-05", "2019-05-09", "2019-13-01"];
    const SCHEMATA: [&str; 6] = [
        "UnknownLink",
        "Employment",
        "Ownership",
        "Payment",
        "Family",
        "Directorship",
    ];

    fn relationship(
        i: usize,
        (s, a, b, r, d, id): (usize, usize, usize, usize, usize, u8),
    ) -> String {
        let schema = SCHEMATA[s % 6];
        let def = crate::ftm::schema::get(schema).unwrap();
        let (sp, tp) = def.edge.unwrap();
        let role_prop = if def.prop("role").is_some() {
            "role"
        } else {
            "relationship"
        };
        let mut props = vec![
            format!(r#""{sp}":["{}"]"#, PARTIES[a % 5]),
            format!(r#""{tp}":["{}"]"#, PARTIES[b % 5]),
        ];
        if !ROLES[r % 5].is_empty() {
            props.push(format!(r#""{role_prop}":["{}"]"#, ROLES[r % 5]));
        }
        if !DATES[d % 5].is_empty() {
            props.push(format!(r#""startDate":["{}"]"#, DATES[d % 5]));
        }
        // Ids FtM does not take (the export makes one), ids of its own, and
        // ids that look made but are not.
        let id = match id % 4 {
            0 => format!("bad rel {i}"),
            1 => format!("r-{i}"),
            2 => made_id((i as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15)),
            _ => format!("ties-rel-{:016X}", (i as u64 + 1) << 40),
        };
        format!(
            r#"{{"id":"{id}","schema":"{schema}","properties":{{{}}}}}"#,
            props.join(",")
        )
    }

    /// Four people, then a relationship of [`relationship`] for each of
    /// `lines`: a stream to export.
    fn stream(lines: &[(usize, usize, usize, usize, usize, u8)]) -> String {
        let mut text = String::new();
        for id in ["p-1", "org-1", "x1.b-c", "a-1"] {
            text.push_str(&format!(
                r#"{{"id":"{id}","schema":"Person","properties":{{"name":["{id}"]}}}}"#
            ));
            text.push('\n');
        }
        for (i, &l) in lines.iter().enumerate() {
            text.push_str(&relationship(i, l));
            text.push('\n');
        }
        text
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Relationships exported as FtM (their ids made by the export where
        /// they had none it takes) read back with every id as written, made
        /// again or kept, by the fast path as by the careful reader, and
        /// export again with the same ids.
        #[test]
        fn exported_relation_ids_read_back_as_written(
            lines in prop::collection::vec(
                (0usize..6, 0usize..5, 0usize..5, 0usize..5, 0usize..5, 0u8..4),
                1..30,
            ),
        ) {
            let text = stream(&lines);
            let g = load(&text, true);
            let exported = crate::export::to_ftm(&g, &whole(&g));
            let back = load(&exported, true);
            let careful = load(&exported, false);
            prop_assert_eq!(ids(&back), ids(&careful));
            // Exported again (placeholders may now fit other schemata), every
            // relationship keeps its id.
            let again = crate::export::to_ftm(&back, &whole(&back));
            prop_assert_eq!(line_ids(&again), line_ids(&exported));
            let json = |g: &Graph| crate::export::to_json(g, &whole(g));
            prop_assert_eq!(json(&back), json(&careful));
            // Each relation's id is the id of its line of the stream.
            let mut read: Vec<String> = ids(&back).into_iter().filter_map(|(id, _)| id).collect();
            read.sort();
            prop_assert_eq!(read, line_ids(&exported));
        }
    }

    /// What a read made: the graph as JSON, the summary (but for whether
    /// the input was read again: with it), or the problems.
    fn deferring(
        text: &str,
        defer: bool,
    ) -> (Result<(String, super::super::FtmSummary), String>, bool) {
        let (read, again) = load_text_deferring(text.as_bytes(), "t.ftm.json", defer);
        let read = match read {
            Ok((g, mut s)) => {
                assert_eq!(std::mem::take(&mut s.reread), again);
                Ok((crate::export::to_json(&g, &whole(&g)), s))
            }
            Err(e) => Err(format!("{e:?}")),
        };
        (read, again)
    }

    /// `line`'s id set to `id`.
    fn with_id(line: &str, id: &str) -> String {
        let mut v: serde_json::Value = serde_json::from_str(line).unwrap();
        v["id"] = id.into();
        v.to_string()
    }

    fn id_of(line: &str) -> String {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        v["id"].as_str().unwrap().to_string()
    }

    fn schema_of(line: &str) -> String {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        v["schema"].as_str().unwrap().to_string()
    }

    #[test]
    fn made_ids_met_again_read_the_input_again() {
        let a = made_id(made_hash("p-1", "signed", "a-1", "", None));
        let b = made_id(made_hash("p-1", "concerns", "a-1", "", None));
        let things = [
            r#"{"id":"p-1","properties":{"name":["P"]},"schema":"Person"}"#,
            r#"{"id":"a-1","properties":{"name":["A"]},"schema":"Contract"}"#,
        ];
        let rel = |id: &str, role: &str| {
            format!(
                r#"{{"id":"{id}","properties":{{"object":["a-1"],"role":["{role}"],"subject":["p-1"]}},"schema":"UnknownLink"}}"#
            )
        };
        let stream = |rels: &[String]| {
            let mut lines: Vec<String> = things.iter().map(|t| t.to_string()).collect();
            lines.extend(rels.iter().cloned());
            lines.join("\n")
        };
        let plain = stream(&[rel(&a, "signed"), rel(&b, "concerns")]);
        let twice = stream(&[rel(&a, "signed"), rel(&a, "signed")]);
        let thing = stream(&[rel(&a, "signed"), with_id(things[0], &a)]);
        for (text, again) in [(plain, false), (twice, true), (thing, true)] {
            let (careful, no) = deferring(&text, false);
            let (read, reread) = deferring(&text, true);
            assert!(!no);
            assert_eq!(reread, again, "{text}");
            assert_eq!(read, careful);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        /// Streams as exports write them (relationships of made ids), then
        /// damaged: lines given twice, moved (relationships held to the
        /// end, fragments after the relationship was built), fragments of
        /// a relationship, a thing or another relationship (built, or held
        /// to the end) given its id, a relationship given a thing's: read with the checks of made ids
        /// left to the end (and the input read again where they clash), the
        /// same graph, summary and problems as with every check made as
        /// the records come.
        #[test]
        fn deferred_checks_read_as_checks_made_at_once(
            lines in prop::collection::vec(
                (0usize..6, 0usize..5, 0usize..5, 0usize..5, 0usize..5, 0u8..4),
                1..20,
            ),
            damage in prop::collection::vec((0u8..8, 0usize..64, 0usize..64), 0..4),
        ) {
            let text = stream(&lines);
            let g = load(&text, true);
            let exported = crate::export::to_ftm(&g, &whole(&g));
            let mut out: Vec<String> = exported.lines().map(str::to_string).collect();
            for &(op, i, j) in &damage {
                let n = out.len();
                let (i, j) = (i % n, j % (n + 1));
                let line = out[i].clone();
                match op {
                    0 => out.insert(j, line),
                    1 => {
                        let moved = out.remove(i);
                        out.insert(j.min(n - 1), moved);
                    }
                    2 => out.insert(j, format!(
                        r#"{{"id":"{}","properties":{{"startDate":["2021"]}},"schema":"{}"}}"#,
                        id_of(&line),
                        schema_of(&line),
                    )),
                    3 => out.insert(j, format!(
                        r#"{{"id":"{}","properties":{{"name":["Z"]}},"schema":"Person"}}"#,
                        id_of(&line),
                    )),
                    4 => out[i] = with_id(&line, "p-1"),
                    5 => {
                        let other = id_of(&out[j % n]);
                        out[i] = with_id(&line, &other);
                    }
                    6 => out.insert(j, with_id(&line, &format!("r-{i}"))),
                    // Its id on a relationship held to the end (a party
                    // defined last).
                    _ => out.insert(j, format!(
                        r#"{{"id":"{}","properties":{{"object":["later-1"],"subject":["p-1"]}},"schema":"UnknownLink"}}"#,
                        id_of(&line),
                    )),
                }
            }
            out.push(r#"{"id":"later-1","properties":{"name":["L"]},"schema":"Person"}"#.into());
            let text = out.join("\n");
            let (careful, no) = deferring(&text, false);
            prop_assert!(!no);
            let (read, _) = deferring(&text, true);
            prop_assert_eq!(read, careful);
        }
    }
}
