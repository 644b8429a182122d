//! Several `--data` inputs opened as one graph: FtM inputs read as one stream
//! (an id in two is one entity, merged as FtM merges fragments), every other
//! input read on its own and taken in ([`Graph::absorb`]): RON ids are global
//! like FtM's, GraphML, GEXF and CSV ids are local to their file and get the
//! input's dataset name as prefix. A large set is snapshotted as one graph,
//! keyed by every file's bytes and the inputs' names, formats and order.

use std::collections::BTreeMap;

use super::{Input, InputFormat, OpenError, OpenOptions, Opened, Origin, Progress, Target, detect};
use crate::graph::{DatasetId, Graph};
use crate::load::{LoadError, ProblemKind};
use crate::model::count;
use crate::snapshot::Key;

pub(super) fn read_all(
    inputs: &[Input],
    opts: &OpenOptions,
    progress: &mut dyn Progress,
) -> Result<Opened, OpenError> {
    let mut formats = Vec::with_capacity(inputs.len());
    for input in inputs {
        formats.push(match opts.format {
            Some(f) => f,
            None => detect(&input.path)?,
        });
    }
    // Two inputs of one name would share a prefix, and their ids with it.
    let mut names: BTreeMap<String, &Input> = BTreeMap::new();
    for input in inputs {
        if let Some(first) = names.insert(input.dataset(), input) {
            let msg = format!(
                "{} and {} are both named `{}`; name one with --data NAME=PATH",
                first.path.display(),
                input.path.display(),
                input.dataset()
            );
            return Err(
                LoadError::single(input.path.display().to_string(), ProblemKind::Io(msg)).into(),
            );
        }
    }
    // `--strict` reads the data itself; renamed CSV columns are not in the key.
    let snapshots = opts
        .snapshots
        .as_ref()
        .filter(|_| !opts.strict && opts.csv_columns.is_none());
    let target = match snapshots {
        Some(s) => {
            let mut files = Vec::new();
            let mut said = String::new();
            for (input, format) in inputs.iter().zip(&formats) {
                files.extend(format.files(&input.path)?);
                said.push_str(&format!("{}\0{}\0", input.dataset(), format.name()));
            }
            let mix = xxhash_rust::xxh3::xxh3_128(said.as_bytes());
            Target::of(files, s, opts.stats, progress, |k| Key(k.0 ^ mix))
        }
        None => None,
    };
    let what = super::Source::Inputs(inputs.to_vec()).describe();
    // A snapshot refused is said first.
    let mut refused = Vec::new();
    // With no FtM input, a first input of global ids is taken whole, not
    // copied: its rows stay in the graph's default dataset.
    let taken_whole = inputs
        .first()
        .zip(formats.first())
        .filter(|_| !formats.contains(&InputFormat::Ftm))
        .filter(|(_, f)| f.global_ids())
        .map(|(i, _)| i.dataset());
    // What a snapshot does not keep, said again on the graph parsed or read.
    let mark = |g: &mut Graph| {
        if let Some(name) = &taken_whole {
            g.set_default_dataset(name);
        }
        g.set_several_inputs(inputs.len() > 1);
    };
    if let Some(t) = &target
        && let Some(mut opened) = t.open(&what, opts.stats, progress, &mut refused)
    {
        if let Some(g) = std::sync::Arc::get_mut(&mut opened.graph) {
            mark(g);
        }
        return Ok(opened);
    }
    let mut notes = Vec::new();
    let mut merged = 0;
    let mut relations_merged = 0;
    let ftm: Vec<(std::path::PathBuf, String)> = inputs
        .iter()
        .zip(&formats)
        .filter(|(_, f)| **f == InputFormat::Ftm)
        .map(|(i, _)| (i.path.clone(), i.dataset()))
        .collect();
    let mut graph = Graph::default();
    if !ftm.is_empty() {
        let (g, summary) = crate::ftm::load_ftm_files(&ftm)?;
        if opts.strict {
            summary.strict(&ftm[0].0)?;
        }
        notes.extend(summary.notes());
        merged += summary.merged_across;
        relations_merged += summary.relations_merged_across;
        graph = g;
    }
    for (input, format) in inputs.iter().zip(&formats) {
        if *format == InputFormat::Ftm {
            continue;
        }
        let dataset = input.dataset();
        let t = std::time::Instant::now();
        let read = format.read(&input.path, &dataset, opts.csv_columns.as_ref(), &mut |p| {
            progress.reading(p)
        })?;
        if opts.stats {
            progress.stat(format!("{dataset}: read in {:.0} ms", super::ms(t)));
        }
        if let Some(e) = read.worked_around.filter(|_| opts.strict) {
            return Err(e.into());
        }
        notes.extend(read.notes);
        let mut g = read.graph;
        g.set_default_dataset(&dataset);
        if taken_whole.as_ref() == Some(&dataset) && graph.node_count() == 0 {
            graph = g;
            continue;
        }
        let prefix = (!format.global_ids()).then_some(dataset.as_str());
        let t = std::time::Instant::now();
        let done = graph
            .absorb(&g, prefix)
            .map_err(|full| LoadError::single(input.path.display().to_string(), full.into()))?;
        merged += done.merged;
        if opts.stats {
            progress.stat(format!("{dataset}: taken in in {:.0} ms", super::ms(t)));
        }
    }
    graph.shrink_to_fit();
    mark(&mut graph);
    let relations = if relations_merged > 0 {
        format!(" (and {})", count(relations_merged, "relation"))
    } else {
        String::new()
    };
    notes.push(format!(
        "{} as one graph: {}, {}; {} held by more than one input merged{relations}",
        count(inputs.len(), "input"),
        count(graph.node_count(), "entity"),
        count(graph.edge_count(), "relation"),
        count(merged, "entity"),
    ));
    notes.push(format!("datasets: {}", dataset_counts(&graph)));
    let mut opened = Opened::new(graph, Origin::Parsed(formats[0]), Vec::new());
    if let Some(t) = target {
        t.save(&mut opened, &what, &notes, opts);
    }
    opened.notes.splice(0..0, refused.into_iter().chain(notes));
    Ok(opened)
}

/// `name N entities, …` for every dataset of the graph.
pub fn dataset_counts(graph: &Graph) -> String {
    graph
        .entities_per_dataset()
        .iter()
        .enumerate()
        .filter(|(_, k)| **k > 0)
        .map(|(i, k)| {
            format!(
                "{} {}",
                graph.dataset_name(DatasetId(i as u32)),
                count(*k, "entity")
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}
