//! Records become graph rows: things as entities (fragments of one id merged),
//! relationships as relations, or as nodes when they link more than two parties.

use std::collections::BTreeMap;

use crate::graph::{AddError, NewEntity, NewRelation, NodeIx, SourceId};
use crate::load::{Location, ProblemKind, short};
use crate::model::{EntityKind, RelationKind, Sym};

use super::super::mapping::{
    PROPERTY_ATTR, SCHEMA_ATTR, kind_for_schema, relation_for_schema, schema_for_kind, snake,
};
use super::super::schema::{PropType, SchemaDef};
use super::values::Values;
use super::{Loader, PendingEdge, PendingRef, attr_refs};

impl Loader {
    /// A thing (or a record of an unknown schema): an entity now, its references later.
    pub(super) fn thing(
        &mut self,
        id: String,
        schema_name: &str,
        def: Option<&'static SchemaDef>,
        props: BTreeMap<String, Values>,
    ) {
        let owner = format!("{schema_name} `{}`", short(&id));
        let dated = def.is_some_and(|d| d.is_a("Interval") || d.name == "Contract");
        let props: Vec<(String, Vec<String>)> = props.into_iter().map(|(k, v)| (k, v.0)).collect();
        let caption_value = def.and_then(|d| {
            d.caption.iter().find_map(|c| {
                props
                    .iter()
                    .find(|(k, v)| k == c && !v.is_empty())
                    .map(|(_, v)| v[0].clone())
            })
        });
        let mut m = self.map_props(&owner, schema_name, def, props, dated);
        let kind = match def {
            Some(_) => kind_for_schema(schema_name),
            None => EntityKind::Other(snake(schema_name)),
        };
        if def.is_some() && schema_for_kind(&kind) != schema_name {
            m.attrs
                .push((SCHEMA_ATTR.to_string(), schema_name.to_string()));
        }
        let mut names = std::mem::take(&mut m.names).into_iter();
        let name = names.next().or(caption_value).unwrap_or_else(|| id.clone());
        let mut aliases: Vec<String> = names.collect();
        aliases.append(&mut m.aliases);
        let sources = self.graph.source_set(&m.sources);

        if let Some(existing) = self.graph.find(&id) {
            // A fragment of an entity already read: merge it in.
            self.summary.fragments_merged += 1;
            let extra_attrs = self.attrs(std::mem::take(&mut m.attrs));
            let old_sources: Vec<SourceId> = self
                .graph
                .source_list(self.graph.entity(existing).sources)
                .to_vec();
            let mut all_sources = old_sources;
            all_sources.extend(m.sources.iter().copied());
            let merged_sources = self.graph.source_set(&all_sources);
            let e = self.graph.entity(existing);
            let current_name = e.name.to_string();
            let mut list = e.aliases.to_vec();
            for a in std::iter::once(name).chain(aliases) {
                if current_name != a && !list.contains(&a) {
                    list.push(a);
                }
            }
            let mut weak = e.weak_aliases.to_vec();
            weak.extend(m.weak_aliases);
            let mut attrs: Vec<(Sym, String)> =
                e.attrs.iter().map(|(k, v)| (k, v.to_string())).collect();
            attrs.extend(extra_attrs);
            let note = e.note.map(str::to_string).or(m.note);
            let merged = NewEntity {
                id: "",
                kind: e.kind,
                name: &current_name,
                aliases: &list,
                weak_aliases: &weak,
                date: e.date.or(m.date),
                until: e.until.or(m.until),
                note: note.as_deref(),
                amount: e.amount.or(m.amount),
                sources: merged_sources,
                attrs: &attr_refs(&attrs),
            };
            if let Err(full) = self.graph.replace_entity(existing, merged) {
                self.full(full);
                return;
            }
            for (prop, target) in m.refs {
                self.refs.push(PendingRef {
                    from: existing,
                    prop: prop.into(),
                    target: target.into(),
                    sources,
                    line: self.line_no,
                });
            }
            return;
        }
        if self.edge_ids.contains_key(id.as_str()) {
            self.duplicate(&id);
            return;
        }
        let attrs = self.attrs(std::mem::take(&mut m.attrs));
        let kind = kind.map_other(|o| self.graph.intern(&o));
        let entity = NewEntity {
            id: &id,
            kind,
            name: &name,
            aliases: &aliases,
            weak_aliases: &m.weak_aliases,
            date: m.date,
            until: m.until,
            note: m.note.as_deref(),
            amount: m.amount,
            sources,
            attrs: &attr_refs(&attrs),
        };
        let node = match self.graph.add_entity(entity) {
            Ok(node) => node,
            Err(AddError::Duplicate(_)) => return,
            Err(AddError::Full(full)) => return self.full(full),
        };
        self.node_lines.push(self.line_no as u32);
        debug_assert_eq!(self.node_lines.len(), node.index() + 1);
        for (prop, target) in m.refs {
            self.refs.push(PendingRef {
                from: node,
                prop: prop.into(),
                target: target.into(),
                sources,
                line: self.line_no,
            });
        }
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
        id: String,
        def: &'static SchemaDef,
        props: BTreeMap<String, Values>,
    ) {
        let flat = props.into_iter().flat_map(|(k, v)| {
            let k: Box<str> = k.into();
            v.0.into_iter()
                .map(move |v| (k.clone(), v.into_boxed_str()))
        });
        if let Some(&i) = self.edge_ids.get(id.as_str())
            && self.edges[i].schema.name == def.name
        {
            self.summary.fragments_merged += 1;
            self.edges[i].props.extend(flat);
            return;
        }
        if self.edge_ids.contains_key(id.as_str()) || self.graph.find(&id).is_some() {
            self.duplicate(&id);
            return;
        }
        self.edge_ids.insert(id.as_str().into(), self.edges.len());
        self.edges.push(PendingEdge {
            id: id.into(),
            schema: def,
            props: flat.collect(),
            line: self.line_no,
        });
    }

    /// The node a reference names; a problem naming the line and id if none.
    pub(super) fn find_party(&mut self, id: &str, owner: &str, prop: &str) -> Option<NodeIx> {
        let found = self.graph.find(id);
        if found.is_none() {
            self.problem(
                self.here(),
                ProblemKind::UnknownEntity {
                    relation: format!("`{}` ({prop})", short(owner)),
                    id: id.to_string(),
                },
            );
        }
        found
    }

    pub(super) fn resolve_edge(&mut self, e: PendingEdge) {
        let def = e.schema;
        let (src_prop, tgt_prop) = def.edge.expect("only edge schemata are pending");
        let owner = format!("{} `{}`", def.name, short(&e.id));
        let mut sources_ids = Vec::new();
        let mut target_ids = Vec::new();
        let mut others = Vec::new();
        let mut grouped: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (k, v) in e.props {
            if *k == *src_prop {
                sources_ids.push(v);
            } else if *k == *tgt_prop {
                target_ids.push(v);
            } else if def.prop(&k) == Some(PropType::Entity) {
                others.push((k, v));
            } else {
                grouped.entry(k.into()).or_default().push(v.into());
            }
        }
        let m = self.map_props(&owner, def.name, Some(def), grouped, true);
        let find_all = |ids: &[Box<str>], prop: &str, this: &mut Self| -> Vec<NodeIx> {
            ids.iter()
                .filter_map(|id| this.find_party(id, &e.id, prop))
                .collect()
        };
        let froms = find_all(&sources_ids, src_prop, self);
        let tos = find_all(&target_ids, tgt_prop, self);
        let other_nodes: Vec<(Box<str>, NodeIx)> = others
            .iter()
            .filter_map(|(k, id)| self.find_party(id, &e.id, k).map(|n| (k.clone(), n)))
            .collect();
        let wanted = sources_ids.len() + target_ids.len() + others.len();
        if froms.len() + tos.len() + other_nodes.len() < wanted {
            return; // problems already recorded
        }
        let (mut kind, reversed) = relation_for_schema(def.name);
        let mut m = m;
        // `ties export --format ftm` writes kinds FtM lacks as an UnknownLink whose
        // role is the kind's phrase (`signed`, `party to: role`): read them back.
        if def.name == "UnknownLink"
            && let Some(role) = m.role.clone()
        {
            let (phrase, rest) = match role.split_once(": ") {
                Some((p, r)) => (p, Some(r.to_string())),
                None => (role.as_str(), None),
            };
            if let Some(k) = RelationKind::<String>::from_label(&phrase.replace(' ', "_")) {
                kind = k;
                m.role = rest;
            }
        }
        let mut attrs = m.attrs;
        if matches!(def.name, "Family" | "Associate" | "Occupancy") {
            attrs.push((SCHEMA_ATTR.into(), def.name.into()));
        }
        let sources = self.graph.source_set(&m.sources);
        let role = m.role.as_deref().map(|r| self.graph.intern(r));
        let note = m.note.as_deref();
        let kind_sym = kind.clone().map_other(|o| self.graph.intern(&o));
        let simple =
            froms.len() == 1 && tos.len() == 1 && other_nodes.is_empty() && froms[0] != tos[0];
        if simple {
            let (a, b) = if reversed {
                (tos[0], froms[0])
            } else {
                (froms[0], tos[0])
            };
            let attrs = self.attrs(attrs);
            let relation = NewRelation {
                id: Some(&e.id),
                kind: kind_sym,
                role,
                date: m.date,
                until: m.until,
                amount: m.amount,
                sources,
                note,
                attrs: &attr_refs(&attrs),
                undirected: false,
            };
            if let Err(full) = self.graph.add_relation(a, b, relation) {
                self.full(full);
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
        attrs.push((SCHEMA_ATTR.into(), def.name.into()));
        let name = format!(
            "{} {}",
            def.name,
            m.names.first().cloned().unwrap_or_else(|| e.id.to_string())
        );
        let entity_attrs = self.attrs(attrs);
        let entity = NewEntity {
            id: &e.id,
            kind: node_kind,
            name: &name,
            aliases: m.names.get(1..).unwrap_or(&[]),
            weak_aliases: &[],
            date: m.date,
            until: m.until,
            note,
            amount: m.amount,
            sources,
            attrs: &attr_refs(&entity_attrs),
        };
        let node = match self.graph.add_entity(entity) {
            Ok(node) => node,
            Err(AddError::Duplicate(_)) => return self.duplicate(&e.id),
            Err(AddError::Full(full)) => return self.full(full),
        };
        self.node_lines.push(e.line as u32);
        let single_payer = froms.len() == 1;
        let tie = |this: &mut Self, a: NodeIx, b: NodeIx, kind, role, amount, prop: &str| {
            let attrs = this.attrs(vec![(PROPERTY_ATTR.into(), prop.to_string())]);
            let relation = NewRelation {
                role,
                date: m.date,
                until: m.until,
                amount,
                attrs: &attr_refs(&attrs),
                ..NewRelation::new(kind, sources)
            };
            if let Err(full) = this.graph.add_relation(a, b, relation) {
                this.full(full);
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
            let (k, rev) = ref_kind(&prop);
            let k = k.map_other(|o| self.graph.intern(&o));
            let (a, b) = if rev { (n, node) } else { (node, n) };
            tie(self, a, b, k, None, None, &prop);
        }
    }
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
