//! `ties xref`, `ties judge`, `ties split`, `ties screen`, and the merged view
//! every command opens (records judged the same as one entity).

use std::io::Write;
use std::path::{Path, PathBuf};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::CliError;
use super::args::{Cli, JudgeArgs, ScreenArgs, SplitArgs, VerdictArg, XrefArgs};
use crate::graph::Graph;
use crate::matching::judgements::{self, Edge, Judgement, Judgements};
use crate::matching::record::{Records, datasets_of};
use crate::matching::screen::{Query, Screener};
use crate::matching::{XrefOptions, merge, xref};
use crate::open::Opened;

/// The resolver file: `--resolver`, else `DATA.resolver` beside the (first)
/// `--data`.
pub(crate) fn resolver_path(cli: &Cli) -> Option<PathBuf> {
    if let Some(p) = &cli.resolver {
        return Some(p.clone());
    }
    let data = cli.data.first().map(|i| i.path.as_path())?;
    let mut name = data.file_name()?.to_os_string();
    name.push(".resolver");
    Some(data.with_file_name(name))
}

fn read_judgements(path: Option<&Path>) -> Result<Judgements, CliError> {
    match path {
        Some(p) => Judgements::read(p).map_err(|e| CliError::Usage(e.to_string())),
        None => Ok(Judgements::default()),
    }
}

/// Does the resolver file hold a `same` judgement (so the merged view differs)?
pub(super) fn has_merges(cli: &Cli) -> bool {
    resolver_path(cli).is_some_and(|p| {
        Judgements::read(&p).is_ok_and(|j| j.edges().any(|e| e.judgement == Judgement::Positive))
    })
}

/// Replaces the opened graph by its merged view when judgements merge records
/// in it, noting how many and every conflict.
pub(super) fn apply_judgements(cli: &Cli, opened: &mut Opened) -> Result<(), CliError> {
    let path = resolver_path(cli);
    let j = read_judgements(path.as_deref())?;
    let clusters = j.clusters();
    if clusters.members.is_empty() {
        return Ok(());
    }
    let merged =
        merge::merge(&opened.graph, &clusters).map_err(|e| CliError::Usage(e.to_string()))?;
    let Some(m) = merged else {
        return Ok(());
    };
    let file = path.map(|p| p.display().to_string()).unwrap_or_default();
    let mut notes = vec![format!(
        "{} records shown as {} entities, as judged in {file}",
        m.records, m.entities
    )];
    for c in &m.conflicts {
        notes.push(format!(
            "conflict: {c} was judged different, yet is merged by other judgements"
        ));
    }
    if m.loops > 0 {
        notes.push(format!(
            "{} relations between records of one merged entity left out",
            m.loops
        ));
    }
    opened.replace_graph(m.graph);
    opened.notes.extend(notes);
    Ok(())
}

fn bar(len: u64, what: &'static str) -> ProgressBar {
    let on_tty = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let target = if on_tty {
        ProgressDrawTarget::stderr()
    } else {
        ProgressDrawTarget::hidden()
    };
    let b = ProgressBar::with_draw_target(Some(len), target);
    b.set_style(
        ProgressStyle::with_template("{msg} {wide_bar} {pos}/{len} ({eta} left)")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    b.set_message(what);
    b
}

/// The candidates of `ties xref`, pairs judged already left out.
pub(crate) fn candidates(
    graph: &Graph,
    judged: &Judgements,
    opts: &XrefOptions,
) -> (Records, Vec<xref::Candidate>, xref::XrefStats) {
    let records = Records::new(graph);
    let b = bar(2 * records.records.len() as u64, "cross-referencing");
    let recs = &records.records;
    let skip = |i: usize, j: usize| {
        judged
            .get(graph.entity(recs[i].node).id, graph.entity(recs[j].node).id)
            .is_some()
    };
    let (found, stats) = xref::xref(&records, opts, &skip, &|n| b.inc(n));
    b.finish_and_clear();
    (records, found, stats)
}

/// The options `--across` and `--min-score` give.
pub(super) fn options(args: &XrefArgs) -> Result<XrefOptions, CliError> {
    if !(0.0..=1.0).contains(&args.min_score) {
        return Err(CliError::Usage(format!(
            "--min-score {} is not between 0 and 1",
            args.min_score
        )));
    }
    Ok(XrefOptions {
        across: args.across,
        min_score: args.min_score,
        ..XrefOptions::default()
    })
}

pub(super) fn xref_cmd(cli: &Cli, graph: &Graph, args: &XrefArgs) -> Result<(), CliError> {
    let opts = options(args)?;
    let judged = read_judgements(resolver_path(cli).as_deref())?;
    let started = std::time::Instant::now();
    let (records, mut found, stats) = candidates(graph, &judged, &opts);
    if args.across && records.datasets.len() < 2 {
        return Err(CliError::Usage(format!(
            "--across needs records from two datasets or more; the data holds {}",
            records.datasets.len()
        )));
    }
    eprintln!(
        "ties: {} records, {} pairs scored in {:.2} s, {} candidates ≥ {}",
        stats.records,
        stats.pairs_scored,
        started.elapsed().as_secs_f64(),
        stats.candidates,
        args.min_score
    );
    if let Some(n) = args.limit {
        found.truncate(n);
    }
    let rec = |i: usize| {
        let e = graph.entity(records.records[i].node);
        (
            e.id,
            e.name,
            datasets_of(graph, records.records[i].node).join(";"),
        )
    };
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut csv_out = args
        .csv
        .then(|| csv::Writer::from_writer(std::io::stdout()));
    if let Some(w) = &mut csv_out {
        w.write_record(["score", "a_id", "a_name", "b_id", "b_name", "explanation"])
            .map_err(std::io::Error::from)?;
    }
    if args.json {
        write!(out, "[")?;
    }
    // The explanations worked out a chunk at a time, on every core: millions
    // of candidates are never held as text at once.
    for (n, chunk) in found.chunks(1 << 14).enumerate() {
        use rayon::prelude::*;
        let scored: Vec<_> = chunk.par_iter().map(|c| c.scored(&records)).collect();
        for (k, (c, s)) in chunk.iter().zip(&scored).enumerate() {
            let (a, b) = (rec(c.a as usize), rec(c.b as usize));
            if args.json {
                let row = serde_json::json!({
                    "score": (f64::from(c.score) * 10_000.0).round() / 10_000.0,
                    "a": {"id": a.0, "name": a.1, "dataset": a.2},
                    "b": {"id": b.0, "name": b.1, "dataset": b.2},
                    "features": s.features,
                });
                write!(out, "{}\n  ", if n + k == 0 { "" } else { "," })?;
                serde_json::to_writer(&mut out, &row).map_err(std::io::Error::from)?;
            } else if let Some(w) = &mut csv_out {
                w.write_record([
                    format!("{:.4}", c.score).as_str(),
                    a.0,
                    a.1,
                    b.0,
                    b.1,
                    &s.explain(),
                ])
                .map_err(std::io::Error::from)?;
            } else {
                writeln!(
                    out,
                    "{:.3}  {} ({})  ~  {} ({})\n       {}",
                    c.score,
                    a.1,
                    a.0,
                    b.1,
                    b.0,
                    s.explain()
                )?;
            }
        }
    }
    if args.json {
        writeln!(out, "\n]")?;
    }
    if let Some(w) = &mut csv_out {
        w.flush()?;
    }
    out.flush()?;
    Ok(())
}

fn user() -> String {
    std::env::var("USER")
        .ok()
        .filter(|u| !u.is_empty())
        .map_or_else(|| "ties".into(), |u| format!("ties:{u}"))
}

fn need_resolver(cli: &Cli) -> Result<PathBuf, CliError> {
    resolver_path(cli).ok_or_else(|| {
        CliError::Usage("judgements need a resolver file: give --resolver FILE (or --data)".into())
    })
}

pub(super) fn judge_cmd(cli: &Cli, graph: &Graph, args: &JudgeArgs) -> Result<(), CliError> {
    for id in [&args.a, &args.b] {
        if graph.find(id).is_none() {
            return Err(CliError::Usage(format!(
                "`{id}` is not an entity id in this graph"
            )));
        }
    }
    if args.a == args.b {
        return Err(CliError::Usage(format!(
            "cannot judge `{}` against itself",
            args.a
        )));
    }
    let judgement = match args.verdict {
        VerdictArg::Same => Judgement::Positive,
        VerdictArg::Different => Judgement::Negative,
        VerdictArg::Unsure => Judgement::Unsure,
    };
    let path = need_resolver(cli)?;
    let edge = Edge::new(&args.a, &args.b, judgement, None, &user());
    judgements::append(&path, &edge).map_err(|e| CliError::Usage(e.to_string()))?;
    eprintln!(
        "ties: {} and {} judged {} in {}",
        args.a,
        args.b,
        judgement.as_str(),
        path.display()
    );
    Ok(())
}

pub(super) fn split_cmd(cli: &Cli, args: &SplitArgs) -> Result<(), CliError> {
    let path = need_resolver(cli)?;
    let j = read_judgements(Some(&path))?;
    let touching: Vec<(String, String)> = j
        .edges()
        .filter(|e| {
            e.judgement == Judgement::Positive && (e.target == args.id || e.source == args.id)
        })
        .map(|e| (e.target.clone(), e.source.clone()))
        .collect();
    if touching.is_empty() {
        return Err(CliError::NotFound(format!(
            "`{}` is not merged with anything in {}",
            args.id,
            path.display()
        )));
    }
    for (t, s) in &touching {
        let edge = Edge::new(t, s, Judgement::NoJudgement, None, &user());
        judgements::append(&path, &edge).map_err(|e| CliError::Usage(e.to_string()))?;
    }
    eprintln!(
        "ties: {} split off ({} judgement(s) taken back in {})",
        args.id,
        touching.len(),
        path.display()
    );
    Ok(())
}

/// Reads the rows to screen: a header with `name`, optional `schema`,
/// `birth_date`, `country`, `identifier`.
fn read_queries(path: &Path) -> Result<Vec<Query>, CliError> {
    let what = if path == Path::new("-") {
        "stdin".to_string()
    } else {
        path.display().to_string()
    };
    let reader: Box<dyn std::io::Read> = if path == Path::new("-") {
        Box::new(std::io::stdin().lock())
    } else {
        Box::new(std::fs::File::open(path).map_err(|e| CliError::Usage(format!("{what}: {e}")))?)
    };
    let mut r = csv::ReaderBuilder::new().flexible(true).from_reader(reader);
    let headers = r
        .headers()
        .map_err(|e| CliError::Usage(format!("{what}: {e}")))?
        .clone();
    let col = |names: &[&str]| {
        headers
            .iter()
            .position(|h| names.iter().any(|n| h.trim().eq_ignore_ascii_case(n)))
    };
    let name = col(&["name"]).ok_or_else(|| {
        CliError::Usage(format!(
            "{what}:1: no `name` column (columns: name, schema, birth_date, country, identifier)"
        ))
    })?;
    let schema = col(&["schema"]);
    let birth = col(&["birth_date", "birthdate", "dob"]);
    let country = col(&["country"]);
    let ident = col(&["identifier", "id_number", "idnumber"]);
    let mut out = Vec::new();
    for (i, rec) in r.records().enumerate() {
        let rec = rec.map_err(|e| CliError::Usage(format!("{what}:{}: {e}", i + 2)))?;
        let get = |c: Option<usize>| {
            c.and_then(|c| rec.get(c))
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_string)
        };
        out.push(Query {
            name: get(Some(name)).unwrap_or_default(),
            schema: get(schema),
            birth_date: get(birth),
            country: get(country),
            identifier: get(ident),
        });
    }
    Ok(out)
}

pub(super) fn screen_cmd(graph: &Graph, args: &ScreenArgs) -> Result<(), CliError> {
    let queries = read_queries(&args.file)?;
    let started = std::time::Instant::now();
    let records = Records::new(graph);
    let screener = Screener::new(&records);
    let hits = screener.screen(&queries, args.limit, args.min_score);
    eprintln!(
        "ties: {} rows screened against {} records in {:.2} s",
        queries.len(),
        records.records.len(),
        started.elapsed().as_secs_f64()
    );
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if args.json {
        let rows: Vec<serde_json::Value> = queries
            .iter()
            .zip(&hits)
            .enumerate()
            .map(|(i, (q, hs))| {
                let matches: Vec<serde_json::Value> = hs
                    .iter()
                    .map(|h| {
                        let e = graph.entity(records.records[h.record].node);
                        serde_json::json!({
                            "id": e.id, "name": e.name,
                            "score": (h.scored.score * 10_000.0).round() / 10_000.0,
                            "features": h.scored.features,
                        })
                    })
                    .collect();
                serde_json::json!({"row": i + 1, "name": q.name, "matches": matches})
            })
            .collect();
        serde_json::to_writer_pretty(&mut out, &rows).map_err(std::io::Error::from)?;
        writeln!(out)?;
        return Ok(());
    }
    let mut w = csv::Writer::from_writer(out);
    w.write_record(["row", "query", "rank", "score", "id", "name", "explanation"])
        .map_err(std::io::Error::from)?;
    for (i, (q, hs)) in queries.iter().zip(&hits).enumerate() {
        let row = (i + 1).to_string();
        if hs.is_empty() {
            w.write_record([row.as_str(), &q.name, "", "", "", "", "no match"])
                .map_err(std::io::Error::from)?;
        }
        for (rank, h) in hs.iter().enumerate() {
            let e = graph.entity(records.records[h.record].node);
            w.write_record([
                row.as_str(),
                &q.name,
                &(rank + 1).to_string(),
                &format!("{:.4}", h.scored.score),
                e.id,
                e.name,
                &h.scored.explain(),
            ])
            .map_err(std::io::Error::from)?;
        }
    }
    w.flush()?;
    Ok(())
}
