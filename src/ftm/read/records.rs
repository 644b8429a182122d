//! Records become graph rows: things as entities (fragments of one id merged),
//! relationships as relations, or as nodes when they link more than two parties.

use std::borrow::Cow;

use smallvec::SmallVec;

use crate::graph::{AddError, NewEntity, NewRelation, NodeIx, SourceId};
use crate::load::{Location, ProblemKind, short};
use crate::model::{EntityKind, RelationKind};

use super::super::mapping::{
    NAMES_ATTR, NOTE_ATTR, PLACEHOLDER_ATTR, PLACEHOLDER_TEXT, PROPERTY_ATTR, SCHEMA_ATTR,
    kind_for_schema, relation_for_schema, schema_for_kind, snake,
};
use super::super::schema::{PropType, SchemaDef};
use super::caption::library_caption;
use super::issues::{Issue, Notes, Owner};
use super::props::{KnownSources, map_props};
use super::{Loader, PendingEdge, PendingRef};

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

/// A thing (or a record of an unknown schema), mapped; the sources it cites
/// found in `known` if given.
#[allow(clippy::too_many_arguments)]
pub(super) fn prepare_thing(
    notes: &mut Notes,
    id: &str,
    schema_name: &str,
    def: Option<&'static SchemaDef>,
    props: Vec<(Cow<'_, str>, Vec<Cow<'_, str>>)>,
    caption: Option<String>,
    provenance: &[(String, String)],
    known: Option<&KnownSources>,
) -> PreThing {
    let owner = Owner(schema_name, id);
    let dated = def.is_some_and(|d| d.is_a("Interval") || d.name == "Contract");
    let caption = caption
        .map(|c| c.trim().to_string())
        .filter(|c| !c.is_empty())
        .or_else(|| def.and_then(|d| library_caption(d, &props)));
    let mut m = map_props(
        notes,
        &owner,
        schema_name,
        def,
        props.into_iter().map(|(k, v)| (k, v.into_iter())),
        dated,
        known,
    );
    let kind = match def {
        Some(_) => kind_for_schema(schema_name),
        None => EntityKind::Other(snake(schema_name)),
    };
    if def.is_some() && schema_for_kind(&kind) != schema_name {
        m.attrs
            .push((SCHEMA_ATTR.to_string(), schema_name.to_string()));
    }
    let names = std::mem::take(&mut m.names);
    let name = caption
        .or_else(|| names.first().cloned())
        .unwrap_or_else(|| id.to_string());
    let name_is_value = names.contains(&name);
    let mut tagged: Vec<(String, char)> = names
        .into_iter()
        .filter(|n| *n != name)
        .map(|n| (n, 'n'))
        .collect();
    tagged.append(&mut m.aliases);
    if !name_is_value || !tagged.is_empty() {
        let mut code = String::from(if name_is_value { "N" } else { "-" });
        code.extend(tagged.iter().map(|(_, c)| *c));
        m.attrs.push((NAMES_ATTR.to_string(), code));
    }
    if let Some(p) = m.note_prop.take().filter(|p| p != "description") {
        m.attrs.push((NOTE_ATTR.to_string(), p));
    }
    m.attrs.extend(provenance.iter().cloned());
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

impl Loader {
    /// A thing (or a record of an unknown schema): an entity now, its references later.
    pub(super) fn thing(
        &mut self,
        id: &str,
        schema_name: &str,
        def: Option<&'static SchemaDef>,
        pre: &mut PreThing,
    ) {
        if let Some(existing) = self.graph.find(id) {
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
            for (prop, target, range) in pre.refs.drain(..) {
                self.refs.push(PendingRef {
                    from: existing,
                    range,
                    prop: prop.into(),
                    target: target.into(),
                    sources,
                    line: self.line_no,
                    datasets: self.datasets,
                });
            }
            return;
        }
        if self.edge_ids.contains_key(id) || self.resolved.contains(id) {
            self.duplicate(id);
            return;
        }
        let source_ids = self.sources(&pre.m);
        let m = &pre.m;
        let aliases: Vec<&str> = pre.tagged.iter().map(|(n, _)| n.as_str()).collect();
        let weak: Vec<&str> = m.weak_aliases.iter().map(String::as_str).collect();
        let sources = self.graph.source_set(&source_ids);
        let attrs = self.attrs(m.attrs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        let kind = match &pre.kind {
            EntityKind::Other(o) => EntityKind::Other(self.graph.intern(o)),
            k => k.clone().map_other(|o| self.graph.intern(&o)),
        };
        let entity = NewEntity {
            id,
            kind,
            name: &pre.name,
            aliases: &aliases,
            weak_aliases: &weak,
            date: m.date,
            until: m.until,
            note: m.note.as_deref(),
            amount: m.amount,
            sources,
            attrs: &attrs,
        };
        let node = match self.graph.add_entity(entity) {
            Ok(node) => node,
            Err(AddError::Duplicate(_)) => return,
            Err(AddError::Full(full)) => return self.full(full),
        };
        self.graph.set_entity_datasets(node, self.datasets);
        self.node_lines.push(self.line_no as u32);
        self.node_files.push(self.file_index);
        debug_assert_eq!(self.node_lines.len(), node.index() + 1);
        for (prop, target, range) in pre.refs.drain(..) {
            self.refs.push(PendingRef {
                from: node,
                range,
                prop: prop.into(),
                target: target.into(),
                sources,
                line: self.line_no,
                datasets: self.datasets,
            });
        }
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
        flat: &mut super::Flat,
        pre: &mut Option<Box<(super::Mapped, Notes)>>,
        provenance: &[(String, String)],
    ) {
        if let Some(&i) = self.edge_ids.get(id)
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
        let key = xxhash_rust::xxh3::xxh3_64(id.as_bytes());
        if let Some(&(file, hash, built)) = self.built.get(&key)
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
        if self.edge_ids.contains_key(id) || self.graph.find(id).is_some() {
            self.duplicate(id);
            return;
        }
        // Every party already read (as in a stream written things first): the
        // relationship is built now instead of being held until the end.
        let mut parties = Vec::with_capacity(2);
        let known = flat.iter().all(|(k, v)| {
            def.prop(k) != Some(PropType::Entity)
                || self.graph.find(v).map(|n| parties.push(n)).is_some()
        });
        if !self.resolved.insert(id) {
            self.note(Issue::LateFragment, format!("{} `{}`", def.name, short(id)));
        }
        if known {
            let mapped;
            let pre = match pre.as_deref() {
                Some(pre) => pre,
                None => {
                    mapped = map_edge(def, id, flat);
                    &mapped
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
            return;
        }
        let edge = PendingEdge {
            id: id.into(),
            schema: def,
            props: std::mem::take(flat),
            pre: pre.take(),
            line: self.line_no,
            datasets: self.datasets,
            provenance: provenance.to_vec(),
        };
        self.edge_ids.insert(edge.id.clone(), self.edges.len());
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

    /// Builds a relationship record; `parties`: the nodes of its
    /// entity-valued properties in order, when every one was found.
    pub(super) fn resolve_edge(&mut self, e: super::EdgeRef<'_>, parties: Option<&[NodeIx]>) {
        let def = e.schema;
        self.datasets = e.datasets;
        let key = xxhash_rust::xxh3::xxh3_64(e.id.as_bytes());
        // Kept only to merge a relationship an earlier input held too.
        let several = self.several;
        let hash = if several { props_hash(e.props) } else { 0 };
        let (src_prop, tgt_prop) = def.edge.expect("only edge schemata are pending");
        let (m, notes) = e.pre;
        self.notes(notes);
        let source_ids = self.sources(m);
        let (mut froms, mut tos, mut other_nodes) = (Vec::new(), Vec::new(), Vec::new());
        let mut wanted = 0;
        if let Some(parties) = parties {
            // Every party was found, in the order of the values.
            let mut parties = parties.iter().copied();
            for (k, _) in e.props.iter() {
                if def.prop(k) != Some(PropType::Entity) {
                    continue;
                }
                let Some(n) = parties.next() else { break };
                if k == src_prop {
                    froms.push(n);
                } else if k == tgt_prop {
                    tos.push(n);
                } else {
                    other_nodes.push((k, n));
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
            let find_all = |ids: &[&str], prop: &str, this: &mut Self| -> Vec<NodeIx> {
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
        if froms.len() + tos.len() + other_nodes.len() < wanted {
            return; // problems already recorded
        }
        let (mut kind, reversed) = relation_for_schema(def.name);
        let mut role = m.role.as_deref();
        // `ties export --format ftm` writes kinds FtM lacks as an UnknownLink whose
        // role is the kind's phrase (`signed`, `party to: role`): read them back.
        if def.name == "UnknownLink"
            && let Some(said) = role
        {
            let (phrase, rest) = match said.split_once(": ") {
                Some((p, r)) => (p, Some(r)),
                None => (said, None),
            };
            let label = if phrase.contains(' ') {
                Cow::Owned(phrase.replace(' ', "_"))
            } else {
                Cow::Borrowed(phrase)
            };
            if let Some(k) = RelationKind::<String>::from_label(&label) {
                kind = k;
                role = rest;
            }
        }
        let note_prop = m.note_prop.as_deref().filter(|p| *p != "description");
        let mut attrs: Vec<(&str, &str)> = m
            .attrs
            .iter()
            .chain(e.provenance)
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        attrs.extend(note_prop.map(|p| (NOTE_ATTR, p)));
        if matches!(def.name, "Family" | "Associate" | "Occupancy") {
            attrs.push((SCHEMA_ATTR, def.name));
        }
        let sources = self.graph.source_set(&source_ids);
        let role = role.map(|r| self.graph.intern(r));
        let note = m.note.as_deref();
        let kind_sym = kind.clone().map_other(|o| self.graph.intern(&o));
        let simple = froms.len() == 1 && tos.len() == 1 && other_nodes.is_empty();
        if simple && froms[0] == tos[0] {
            let id = self.graph.entity(froms[0]).id.to_string();
            let owner = format!("{} `{}`", def.name, short(e.id));
            self.note(
                Issue::Loop,
                format!("{owner}: {src_prop} and {tgt_prop} are both `{id}`"),
            );
        }
        if simple {
            let (a, b) = if reversed {
                (tos[0], froms[0])
            } else {
                (froms[0], tos[0])
            };
            let attrs = self.attrs(attrs);
            let relation = NewRelation {
                id: Some(e.id),
                kind: kind_sym,
                role,
                date: m.date,
                until: m.until,
                amount: m.amount,
                sources,
                note,
                attrs: &attrs,
                undirected: false,
            };
            match self.graph.add_relation(a, b, relation) {
                Ok(r) => {
                    self.graph.set_relation_datasets(r, self.datasets);
                    if several {
                        let built = (self.file_index, hash, super::Built::Edge(r));
                        self.built.entry(key).or_insert(built);
                    }
                }
                Err(full) => self.full(full),
            }
            return;
        }
        // More than two parties: the relationship becomes a node tied to each.
        self.summary.relationship_nodes += 1;
        let node_kind = if def.name == "Payment" {
            EntityKind::Tranche
        } else {
            EntityKind::Event
        };
        attrs.push((SCHEMA_ATTR, def.name));
        let name = format!(
            "{} {}",
            def.name,
            m.names.first().cloned().unwrap_or_else(|| e.id.to_string())
        );
        let entity_attrs = self.attrs(attrs);
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
    props: &super::Flat,
) -> (super::Mapped, Notes) {
    map_edge_known(def, id, props, None)
}

/// [`map_edge`], the sources the record cites found in `known` if given.
pub(super) fn map_edge_known(
    def: &'static SchemaDef,
    id: &str,
    props: &super::Flat,
    known: Option<&KnownSources>,
) -> (super::Mapped, Notes) {
    let (src_prop, tgt_prop) = def.edge.expect("an edge schema");
    let owner = Owner(def.name, id);
    let mut notes = Notes::default();
    if let Some(runs) = sorted_runs(props) {
        // Sorted by property (as a record's are, unless fragments were
        // added): each run is one property, its type looked up once.
        let grouped = (runs.into_iter())
            .filter(|&(k, ..)| {
                k != src_prop && k != tgt_prop && def.prop(k) != Some(PropType::Entity)
            })
            .map(|(k, i, end)| {
                let run = Run {
                    flat: props,
                    i,
                    end,
                };
                (Cow::Borrowed(k), run.map(Cow::Borrowed))
            });
        let m = map_props(
            &mut notes,
            &owner,
            def.name,
            Some(def),
            grouped,
            true,
            known,
        );
        return (m, notes);
    }
    let mut values: Vec<(&str, &str)> = props
        .iter()
        .filter(|&(k, _)| k != src_prop && k != tgt_prop && def.prop(k) != Some(PropType::Entity))
        .collect();
    // Each property's values in the order read: each run is one property.
    if !values.is_sorted_by_key(|(k, _)| *k) {
        values.sort_by_key(|(k, _)| *k);
    }
    let grouped = values.chunk_by(|a, b| a.0 == b.0).map(|run| {
        let values = run.iter().map(|&(_, v)| Cow::Borrowed(v));
        (Cow::Borrowed(run[0].0), values)
    });
    let m = map_props(
        &mut notes,
        &owner,
        def.name,
        Some(def),
        grouped,
        true,
        known,
    );
    (m, notes)
}

/// The values `i..end` of a [`super::Flat`] (one property's run).
#[derive(Clone)]
struct Run<'a> {
    flat: &'a super::Flat,
    i: usize,
    end: usize,
}

impl<'a> Iterator for Run<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        if self.i >= self.end {
            return None;
        }
        let (k, v) = self.flat.ends[self.i];
        self.i += 1;
        Some(&self.flat.text[k as usize..v as usize])
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.end - self.i;
        (n, Some(n))
    }
}

impl ExactSizeIterator for Run<'_> {}

/// Runs of equal properties, `(property, start, end)`.
type Runs<'a> = SmallVec<[(&'a str, usize, usize); 8]>;

/// The runs of equal properties of `flat`, `(property, start, end)` in
/// order, if it is sorted by property (else `None`).
fn sorted_runs(flat: &super::Flat) -> Option<Runs<'_>> {
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

/// A relationship record's values, whatever their order, as one number.
fn props_hash(props: &super::Flat) -> u64 {
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
