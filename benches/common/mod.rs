//! Shared by the benchmarks: the size of the generated graph.

use ties::generate::GenOptions;

/// A generated graph of `TIES_BENCH_ENTITIES` entities (a million unless set),
/// seed 1, with `relations_per_entity` relations per entity. Also caps the
/// search's threads at `TIES_THREADS` when set, as the CLI does.
pub fn options(relations_per_entity: usize) -> GenOptions {
    if let Some(n) = std::env::var("TIES_THREADS")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        ties::search::set_threads(n);
    }
    let entities = std::env::var("TIES_BENCH_ENTITIES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    GenOptions {
        entities,
        relations_per_entity,
        seed: 1,
    }
}
