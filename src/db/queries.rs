//! Every Cypher statement `ties` sends, in one place.
//!
//! The data model:
//! - `(:Entity {id, ord, name, kind, other?, aliases?, weak?, date?, until?, lo?, hi?,
//!   amount?, currency?, approx?, sources?, note?, akeys?, avals?, search})`;
//! - `(:Entity)-[:REL {key, ord, kind, other?, undirected?, rid?, role?, date?, until?, lo?, hi?,
//!   amount?, currency?, approx?, sources?, note?, akeys?, avals?}]->(:Entity)`;
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
/// labels, empty for all), `$from`/`$to` (`YYYYMMDD`), `$hide` (hide undated
/// relations). An entity passes when its kind is kept and it is undated or
/// overlaps the window; a relation when its kind is kept and it overlaps the
/// window, or is undated and `$hide` is false.
macro_rules! visible {
    ($e:literal) => {
        concat!(
            "(size($ek) = 0 OR ", $e, ".kind IN $ek) AND (", $e, ".lo IS NULL OR (",
            $e, ".hi >= $from AND ", $e, ".lo <= $to))"
        )
    };
}
const REL_VISIBLE: &str = "(size($rk) = 0 OR r.kind IN $rk) AND \
     ((r.lo IS NULL AND NOT $hide) OR (r.lo IS NOT NULL AND r.hi >= $from AND r.lo <= $to))";

/// The visible relations touching a set of entities (`$ids`), both ways, with
/// the entity at the other end: one ring of a neighbourhood. Paged by
/// `$skip`/`$limit` in `ord` order.
pub fn ring() -> String {
    format!(
        "UNWIND $ids AS id MATCH (a:Entity {{id: id}})-[r:REL]-(b:Entity) \
         WHERE {} AND {} AND {} \
         RETURN r, startNode(r).id, endNode(r).id, b ORDER BY r.ord, id(r) SKIP $skip LIMIT $limit",
        visible!("a"),
        visible!("b"),
        REL_VISIBLE
    )
}

/// How many visible relations touch a set of entities (to page a hub).
pub fn ring_size() -> String {
    format!(
        "UNWIND $ids AS id MATCH (a:Entity {{id: id}})-[r:REL]-(b:Entity) \
         WHERE {} AND {} AND {} RETURN count(r)",
        visible!("a"),
        visible!("b"),
        REL_VISIBLE
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
