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
    // Inputs all RON are read as one stream when they can be, each input's
    // rows then marked with its dataset, instead of each read on its own and
    // copied in.
    let together = (inputs.len() > 1 && formats.iter().all(|f| *f == InputFormat::Ron))
        .then(|| read_ron_together(inputs, opts, progress))
        .flatten();
    let read_apart = together.is_none();
    let apart = inputs.iter().zip(&formats).filter(|_| read_apart);
    if let Some(g) = together {
        graph = g;
    }
    for (input, format) in apart {
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

/// RON inputs read by one fast load ([`crate::load::load_inputs_fast`]): the
/// first input's rows in the graph's default dataset, each other input's in
/// its own. `None` when they must be read one by one.
fn read_ron_together(
    inputs: &[Input],
    opts: &OpenOptions,
    progress: &mut dyn Progress,
) -> Option<Graph> {
    let t = std::time::Instant::now();
    let paths: Vec<&std::path::Path> = inputs.iter().map(|i| i.path.as_path()).collect();
    let (mut graph, ends, _) = crate::load::load_inputs_fast(&paths, &mut |p| progress.reading(p))?;
    graph.set_default_dataset(&inputs[0].dataset());
    let mut from = ends[0];
    for (input, &end) in inputs.iter().zip(&ends).skip(1) {
        let id = graph.add_dataset(&input.dataset());
        let set = graph.dataset_set(&[id]);
        graph.set_datasets_of_rows(
            from.entities..end.entities,
            from.relations..end.relations,
            set,
        );
        from = end;
    }
    if opts.stats {
        let stat = format!(
            "{} inputs read as one in {:.0} ms",
            inputs.len(),
            super::ms(t)
        );
        progress.stat(stat);
    }
    Some(graph)
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

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use super::*;
    use crate::generate::{GenOptions, write_ron_prefixed};
    use crate::open::tests::Heard;

    fn generated(dir: &Path, name: &str, entities: usize, prefix: &str) -> PathBuf {
        let opts = GenOptions {
            entities,
            ..GenOptions::default()
        };
        let mut text = Vec::new();
        write_ron_prefixed(&opts, prefix, &mut text).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    fn input(path: &Path) -> Input {
        Input {
            name: None,
            path: path.to_path_buf(),
        }
    }

    /// The inputs opened together, as JSON, and whether they were read as one.
    fn opened(paths: &[&Path]) -> Result<(String, bool), OpenError> {
        let inputs: Vec<Input> = paths.iter().map(|p| input(p)).collect();
        let opts = OpenOptions {
            stats: true,
            ..OpenOptions::default()
        };
        let mut heard = Heard::default();
        let o = read_all(&inputs, &opts, &mut heard)?;
        let as_one = heard.0.iter().any(|l| l.contains("read as one"));
        Ok((json(&o.graph), as_one))
    }

    /// The inputs each read on its own and taken into the first, as they
    /// were before RON inputs were read as one.
    fn apart(paths: &[&Path]) -> String {
        let mut graph = crate::load::load_path(paths[0]).unwrap();
        graph.set_default_dataset(&input(paths[0]).dataset());
        for p in &paths[1..] {
            let mut g = crate::load::load_path(p).unwrap();
            g.set_default_dataset(&input(p).dataset());
            graph.absorb(&g, None).unwrap();
        }
        graph.set_several_inputs(true);
        json(&graph)
    }

    fn json(g: &Graph) -> String {
        let all = crate::view::Subgraph {
            nodes: g.node_indices().collect(),
            edges: g.edge_indices().collect(),
            whole: true,
        };
        crate::export::render(g, &all, crate::export::Format::Json)
    }

    #[test]
    fn ron_inputs_read_as_one_equal_the_inputs_read_apart_and_taken_in() {
        let tmp = tempfile::tempdir().unwrap();
        let a = generated(tmp.path(), "a.ron", 300, "");
        let b = generated(tmp.path(), "b.ron", 200, "b");
        let c = generated(tmp.path(), "c.ron", 100, "c");
        // The second input citing the first's sources: one source, as absorb
        // keeps it.
        let shared = tmp.path().join("shared.ron");
        let text = std::fs::read_to_string(&b).unwrap();
        std::fs::write(&shared, text.replace("\"bs0", "\"s0")).unwrap();
        for paths in [vec![&a, &b], vec![&a, &shared], vec![&c, &a, &b]] {
            let paths: Vec<&Path> = paths.iter().map(|p| p.as_path()).collect();
            let (json, as_one) = opened(&paths).unwrap();
            assert!(as_one, "{paths:?} not read as one");
            assert_eq!(json, apart(&paths), "{paths:?}");
        }
    }

    #[test]
    fn ron_inputs_sharing_an_entity_are_merged_and_citing_another_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let a = generated(tmp.path(), "a.ron", 300, "");
        let same = generated(tmp.path(), "same.ron", 200, "");
        let (json, as_one) = opened(&[&a, &same]).unwrap();
        assert!(!as_one, "an id in two inputs must be merged, not refused");
        assert_eq!(json, apart(&[&a, &same]));
        // A relation of the second input ending at an entity of the first:
        // refused as the second input alone is.
        let b = generated(tmp.path(), "b.ron", 200, "b");
        let text = std::fs::read_to_string(&b).unwrap();
        let first_to = text.find("to: \"b").unwrap() + "to: \"".len();
        let mut cross = text.clone();
        cross.replace_range(first_to..first_to + 1, "");
        let cross_path = tmp.path().join("cross.ron");
        std::fs::write(&cross_path, cross).unwrap();
        let alone = crate::load::load_path(&cross_path).unwrap_err().to_string();
        let Err(together) = opened(&[&a, &cross_path]) else {
            panic!("a relation to another input's entity was read");
        };
        assert_eq!(together.to_string(), alone);
    }
}
