//! Every Cypher statement `ties` sends, in one place.
//!
//! The data model:
//! - `(:Entity {id, ord, name, kind, other?, aliases?, weak?, date?, until?, lo?, hi?,
//!   amount?, currency?, approx?, sources?, note?, akeys?, avals?, datasets?, search})`;
//! - `(:Entity)-[:REL {key, ord, kind, other?, undirected?, rid?, role?, date?, until?, lo?, hi?,
//!   amount?, currency?, approx?, sources?, note?, akeys?, avals?, datasets?}]->(:Entity)`;
//! - `(:Source {id, ord, outlet, title, file, published?, url?})`.
//!
//! `ord` is the position in the graph pushed (so a graph read back lists things
//! in the same order); `kind` is the kind's label and `other` marks the `other`
//! escape; dates are their text (`2024`, `2024-11`, `2024-11-23`: the precision
//! is the length), and `lo`/`hi` the first and last day covered as `YYYYMMDD`
//! numbers, which date windows compare; an amount is a float, an ISO 4217 code
//! and a flag; `sources` lists source ids; attributes are two parallel lists;
//! `search` is the folded name and aliases, separated by `; `, under the full-text
//! index; a relation's `key` (its id, or `#` and its position) tells relations
//! between the same two entities apart for `MERGE`. Absent values are absent
//! properties.
//!
//! Every value is a query parameter (`$name`); nothing the user typed or the
//! data holds is pasted into a statement.

use super::DbFilter;

pub const ENTITY_ID_INDEX: &str = "CREATE INDEX FOR (e:Entity) ON (e.id)";
pub const SOURCE_ID_INDEX: &str = "CREATE INDEX FOR (s:Source) ON (s.id)";
/// No stop words, no stemming: names are matched as written (folded).
pub const FULLTEXT_INDEX: &str =
    "CALL db.idx.fulltext.createNodeIndex({label: 'Entity', stopwords: []}, 'search')";

pub const MERGE_SOURCES: &str = "UNWIND $rows AS row MERGE (s:Source {id: row.id}) SET s = row";
pub const CREATE_SOURCES: &str = "UNWIND $rows AS row CREATE (s:Source) SET s = row";
pub const MERGE_ENTITIES: &str = "UNWIND $rows AS row MERGE (e:Entity {id: row.id}) SET e = row";
pub const CREATE_ENTITIES: &str = "UNWIND $rows AS row CREATE (e:Entity) SET e = row";
pub const MERGE_RELATIONS: &str = "UNWIND $rows AS row \
     MATCH (a:Entity {id: row.from}), (b:Entity {id: row.to}) \
     MERGE (a)-[r:REL {key: row.props.key}]->(b) SET r = row.props";
pub const CREATE_RELATIONS: &str = "UNWIND $rows AS row \
     MATCH (a:Entity {id: row.from}), (b:Entity {id: row.to}) \
     CREATE (a)-[r:REL]->(b) SET r = row.props";

pub const COUNT_ENTITIES: &str = "MATCH (e:Entity) RETURN count(e)";
pub const COUNT_RELATIONS: &str = "MATCH (:Entity)-[r:REL]->(:Entity) RETURN count(r)";
pub const COUNT_SOURCES: &str = "MATCH (s:Source) RETURN count(s)";

pub const ENTITIES_BY_ID: &str = "UNWIND $ids AS id MATCH (e:Entity {id: id}) RETURN e";
pub const SOURCES_BY_ID: &str = "UNWIND $ids AS id MATCH (s:Source {id: id}) RETURN s";
/// Relations among a set of entities, each once.
pub const RELATIONS_AMONG: &str = "UNWIND $ids AS id MATCH (a:Entity {id: id})-[r:REL]->(b:Entity) \
     WHERE b.id IN $ids RETURN r, a.id, b.id";

pub const ALL_SOURCES: &str = "MATCH (s:Source) RETURN s";
/// A page of entities, in `ord` order.
pub const ENTITY_PAGE: &str =
    "MATCH (e:Entity) RETURN e ORDER BY e.ord, e.id SKIP $skip LIMIT $limit";
/// A page of relations with their ends.
pub const RELATION_PAGE: &str = "MATCH (a:Entity)-[r:REL]->(b:Entity) \
     RETURN r, a.id, b.id ORDER BY r.ord, id(r) SKIP $skip LIMIT $limit";

/// The filter parameters every neighbourhood query takes: `$ek`/`$rk` (kind
/// labels), `$ds` (dataset names: a row passes when one of its datasets is
/// among them), `$focus` (the ids asked about, which kinds never hide),
/// `$from`/`$to` (`YYYYMMDD`), `$hide` (hide undated relations). An
/// entity passes when its kind is kept and it is undated or overlaps the
/// window; a relation when its kind is kept and it overlaps the window, or is
/// undated and `$hide` is false. A statement tests only the parts of the filter
/// in use (each row tested costs time on a hub of thousands); the values are
/// always parameters, so the statement's text depends only on which parts
/// are used, never on what the user typed.
fn visible(filter: &DbFilter) -> Vec<String> {
    let mut tests = Vec::new();
    let window = !filter.window.is_all();
    if !filter.datasets.is_empty() {
        // Like kinds, datasets filter the neighbours, not the entities asked about.
        for x in ["a", "b"] {
            tests.push(format!(
                "(any(d IN coalesce({x}.datasets, []) WHERE d IN $ds) OR {x}.id IN $focus)"
            ));
        }
        tests.push("any(d IN coalesce(r.datasets, []) WHERE d IN $ds)".into());
    }
    for e in ["a", "b"] {
        if !filter.entity_kinds.is_empty() {
            // Kinds filter the neighbours, never the entities asked about
            // (`$focus`), as `view::Filter::relation_visible_from` does.
            tests.push(format!("({e}.kind IN $ek OR {e}.id IN $focus)"));
        }
        if window {
            tests.push(format!(
                "({e}.lo IS NULL OR ({e}.hi >= $from AND {e}.lo <= $to))"
            ));
        }
    }
    if !filter.relation_kinds.is_empty() {
        tests.push("r.kind IN $rk".into());
    }
    match (window, filter.hide_undated) {
        (true, _) => tests.push(
            "((r.lo IS NULL AND NOT $hide) OR (r.lo IS NOT NULL AND r.hi >= $from AND r.lo <= $to))"
                .into(),
        ),
        (false, true) => tests.push("r.lo IS NOT NULL".into()),
        (false, false) => {}
    }
    tests
}

fn where_clause(filter: &DbFilter) -> String {
    let tests = visible(filter);
    if tests.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", tests.join(" AND "))
    }
}

/// The relations touching a set of entities (`$ids`), both ways, that `filter`
/// shows, with the entity at the other end: one ring of a neighbourhood.
/// Paged by `$skip`/`$limit` in `ord` order; only the page's rows are
/// projected.
pub fn ring(filter: &DbFilter) -> String {
    format!(
        "UNWIND $ids AS id MATCH (a:Entity {{id: id}})-[r:REL]-(b:Entity){} \
         WITH r, b ORDER BY r.ord, id(r) SKIP $skip LIMIT $limit \
         RETURN r, startNode(r).id, endNode(r).id, b",
        where_clause(filter)
    )
}

/// How many relations `filter` shows touch a set of entities (to page a hub).
/// Unfiltered, the entities' degrees (relations never tie an entity to
/// itself, so each is counted once).
pub fn ring_size(filter: &DbFilter) -> String {
    if visible(filter).is_empty() {
        return "UNWIND $ids AS id MATCH (a:Entity {id: id}) \
                RETURN toInteger(sum(indegree(a, 'REL') + outdegree(a, 'REL')))"
            .into();
    }
    format!(
        "UNWIND $ids AS id MATCH (a:Entity {{id: id}})-[r:REL]-(b:Entity){} RETURN count(r)",
        where_clause(filter)
    )
}

/// Full-text search; `$q` is a RediSearch query built from folded words only.
pub const SEARCH: &str = "CALL db.idx.fulltext.queryNodes('Entity', $q) YIELD node, score \
     RETURN node.id, node.name, score ORDER BY score DESC, node.name, node.id LIMIT $limit";

/// Every shortest path of at most `$hops` relations between two entities,
/// crossing relations either way, as lists of entity ids.
pub const SHORTEST_PATHS: &str = "MATCH (a:Entity {id: $a}), (b:Entity {id: $b}) \
     CALL algo.SPpaths({sourceNode: a, targetNode: b, relTypes: ['REL'], relDirection: 'both', \
     maxLen: $hops, pathCount: 0}) YIELD path \
     RETURN [n IN nodes(path) | n.id] LIMIT $limit";

/// Indexes still being built (a push waits for none before returning).
pub const INDEXES_PENDING: &str = "CALL db.indexes() YIELD status \
     WHERE status <> 'OPERATIONAL' RETURN count(status)";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn neighbourhood_statements_test_only_the_filter_parts_in_use() {
        let all = DbFilter::default();
        assert!(!ring(&all).contains("WHERE"), "{}", ring(&all));
        assert!(ring_size(&all).contains("indegree(a, 'REL')"));
        let hide = DbFilter {
            hide_undated: true,
            ..DbFilter::default()
        };
        assert!(ring(&hide).contains("WHERE r.lo IS NOT NULL WITH"));
        let typed = DbFilter {
            window: "2020".parse().unwrap(),
            entity_kinds: vec!["x') RETURN 1 //".into()],
            ..DbFilter::default()
        };
        for s in [ring(&typed), ring_size(&typed)] {
            assert!(
                s.contains("a.kind IN $ek") && s.contains("b.kind IN $ek"),
                "{s}"
            );
            assert!(
                s.contains("r.hi >= $from") && s.contains("NOT $hide"),
                "{s}"
            );
            assert!(!s.contains("$rk") && !s.contains("RETURN 1"), "{s}");
            assert!(!s.contains("$ds"), "{s}");
        }
        let some = DbFilter {
            datasets: vec!["kek".into()],
            ..DbFilter::default()
        };
        for s in [ring(&some), ring_size(&some)] {
            for x in ["a", "b", "r"] {
                let test = format!("any(d IN coalesce({x}.datasets, []) WHERE d IN $ds)");
                assert!(s.contains(&test), "{s}");
            }
            assert!(s.contains("OR a.id IN $focus"), "{s}");
            assert!(!s.contains("kek"), "names are parameters: {s}");
        }
    }
}
