//! The command line: [`args`] says what it takes, one file per command (or small
//! group) runs it. Opening the data, with bars and notes on stderr, is in
//! [`loading`]; everything else is the library's.

mod analysis;
pub mod args;
mod check;
mod db;
mod dossier;
mod error;
mod explore;
mod export;
mod generate;
pub mod loading;
pub mod notes;
mod path;
mod search;
mod show;
mod timeline;
mod view;
mod xref;

use std::process::ExitCode;
use std::sync::Arc;

use clap::Parser;

pub use args::{Cli, Command};
pub use error::CliError;
pub use view::view_from;

use crate::open::{self, IndexWhen, Source};
use crate::view_file::ViewSpec;
use loading::{Bar, print_notes};

/// The entity `query` names (see [`Resolver::resolve_noted`]), saying on
/// stderr when it was taken on a typo.
pub(crate) fn resolve(
    resolver: &crate::search::Resolver<'_>,
    query: &str,
) -> Result<crate::graph::NodeIx, CliError> {
    let r = resolver.resolve_noted(query)?;
    if let Some(note) = r.note {
        eprintln!("ties: {note}");
    }
    Ok(r.node)
}

/// Parses the command line, runs it, and reports errors on stderr.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(CliError::Io(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e @ CliError::Signal(_)) => ExitCode::from(e.exit_code()),
        Err(e) => {
            let msg = e.to_string();
            eprintln!("ties: {}", msg.trim_end());
            ExitCode::from(e.exit_code())
        }
    }
}

pub fn run(cli: Cli) -> Result<(), CliError> {
    let Some(command) = &cli.command else {
        return explore::explore(&cli, None);
    };
    if let Command::Xref(args) = command
        && args.review
    {
        if cli.db.is_some() {
            return Err(CliError::Usage(
                "xref, judge, split and screen work on --data, not on --db".into(),
            ));
        }
        return explore::explore(&cli, Some(xref::options(args)?));
    }
    if let Command::Gen(args) = command {
        return generate::gen_cmd(args);
    }
    if let Command::Completions(args) = command {
        let mut cmd = <Cli as clap::CommandFactory>::command();
        clap_complete::generate(args.shell, &mut cmd, "ties", &mut std::io::stdout());
        return Ok(());
    }
    if let Command::Man = command {
        let cmd = <Cli as clap::CommandFactory>::command();
        let mut out = std::io::stdout().lock();
        clap_mangen::Man::new(cmd.clone()).render(&mut out)?;
        // Each command's own page, as sections of the one page.
        for sub in cmd.get_subcommands().filter(|c| c.get_name() != "help") {
            let page = clap_mangen::Man::new(sub.clone());
            std::io::Write::write_all(
                &mut out,
                format!(".SH \"ties {}\"\n", sub.get_name()).as_bytes(),
            )?;
            page.render_description_section(&mut out)?;
            page.render_options_section(&mut out)?;
        }
        return Ok(());
    }
    if let Some(text) = &cli.db {
        return db::run(&cli, command, &db::url(text)?);
    }
    if let Command::Push(_) = command {
        return Err(CliError::Usage(
            "ties push needs --db URL: the graph database to write to".into(),
        ));
    }
    let opts = loading::open_options(&cli, IndexWhen::OnDemand);
    if let Command::Search(args) = command
        && let [crate::open::Input { name: None, path }] = cli.data.as_slice()
        && !xref::has_merges(&cli)
    {
        let data = path.as_path();
        // A search needs only names: read them alone from a snapshot if there is one.
        if let Some((graph, index)) = open::names_for_search(data, &opts, &mut loading::Stats) {
            if opts.stats {
                loading::print_notes(&[open::index_memory_line(&graph, &index, false)]);
            }
            let notes = notes::open_notes(cli.data.first().map(|i| i.path.as_path()), &cli.notes)?;
            return search::search_cmd(&graph, Some(Arc::new(index)), &notes, &cli.tag, args);
        }
    }
    let source = Source::from_inputs(&cli.data);
    let mut bar = Bar::new(if cli.data.is_empty() {
        String::new()
    } else {
        source.describe()
    });
    let opened = open::open(source.clone(), &opts, &mut bar);
    bar.finish();
    let mut data = opened?;
    // What the load noted (an import's summary, the problems it worked
    // around with their lines) comes first, on stderr, for every command.
    print_notes(&std::mem::take(&mut data.notes));
    // Judge and split name records as read; every other command sees records
    // judged the same as one entity.
    if !matches!(command, Command::Judge(_) | Command::Split(_)) {
        xref::apply_judgements(&cli, &mut data)?;
        print_notes(&std::mem::take(&mut data.notes));
    }
    let mut notebook = notes::open_notes(cli.data.first().map(|i| i.path.as_path()), &cli.notes)?;
    let tagged = match command {
        // `ties note --tag T` adds the tag: it filters nothing.
        Command::Note(_) => None,
        _ => notes::tagged(&data.graph, &notebook, &cli.tag),
    };
    if tagged.as_ref().is_some_and(|t| t.is_empty()) {
        eprintln!(
            "ties: no entity carries {} (ties notes lists the tags)",
            cli.tag
                .iter()
                .map(|t| format!("#{}", crate::notes::normal_tag(t)))
                .collect::<Vec<_>>()
                .join(" and ")
        );
    }
    view::set_tagged(tagged.clone());
    let spec = || with_datasets(&cli, cli.view.as_deref().map(ViewSpec::load).transpose());
    let graph = Arc::clone(&data.graph);
    let graph = &*graph;
    let done = match command {
        Command::Check(args) => {
            let shown = spec()?
                .map(|s| s.filter(graph))
                .transpose()
                .map_err(|e| CliError::Usage(e.to_string()))?;
            match shown.filter(|f| !f.is_empty()) {
                Some(filter) => {
                    let sub =
                        crate::view::subgraph(graph, None, 0, crate::view::Reach::Both, &filter);
                    let part = graph.part(&sub.nodes, &sub.edges);
                    check::check(&part, &source.describe(), args)
                }
                None => check::check(graph, &source.describe(), args),
            }
        }
        Command::Export(args) => export::export_cmd(graph, &notebook, spec()?.as_ref(), args),
        Command::Path(args) => path::path_cmd(graph, spec()?.as_ref(), args),
        Command::Timeline(args) => timeline::timeline_cmd(graph, spec()?.as_ref(), args),
        Command::Show(args) => show::show_cmd(graph, &notebook, spec()?.as_ref(), args),
        Command::Money(args) => show::money_cmd(graph, spec()?.as_ref(), args),
        Command::Search(args) => {
            // Built here, the index is also added to a snapshot saved without it.
            data.build_index(IndexWhen::Now);
            loading::finish_saving(&mut data);
            if let Some(index) = data.index.as_deref().filter(|_| opts.stats) {
                print_notes(&[open::index_memory_line(graph, index, true)]);
            }
            search::search_cmd(graph, data.index.clone(), &notebook, &cli.tag, args)
        }
        Command::Gen(args) => generate::gen_cmd(args),
        Command::Push(_) | Command::Completions(_) | Command::Man => Ok(()),
        Command::Rank(args) => analysis::rank_cmd(graph, spec()?.as_ref(), args),
        Command::Common(args) => analysis::common_cmd(graph, spec()?.as_ref(), args),
        Command::Diff(args) => analysis::diff_cmd(graph, spec()?.as_ref(), args),
        Command::Clusters(args) => analysis::clusters_cmd(graph, spec()?.as_ref(), args),
        Command::Xref(args) => xref::xref_cmd(&cli, graph, args),
        Command::Judge(args) => xref::judge_cmd(&cli, graph, args),
        Command::Split(args) => xref::split_cmd(&cli, args),
        Command::Screen(args) => xref::screen_cmd(graph, args),
        Command::Note(args) => notes::note_cmd(graph, &mut notebook, &cli, args),
        Command::Notes(args) => notes::notes_cmd(graph, &notebook, tagged.as_deref(), args),
        Command::Dossier(args) => dossier::dossier_cmd(graph, &notebook, spec()?.as_ref(), args),
    };
    // The answer is out; the snapshot may still be being written.
    loading::finish_saving(&mut data);
    print_notes(&data.notes);
    done
}

/// The view file's settings with `--datasets` over them.
pub(super) fn with_datasets<E>(
    cli: &Cli,
    spec: Result<Option<ViewSpec>, E>,
) -> Result<Option<ViewSpec>, E> {
    let mut spec = spec?;
    if !cli.datasets.is_empty() {
        spec.get_or_insert_with(ViewSpec::default).datasets = cli
            .datasets
            .iter()
            .map(|d| d.trim().to_string())
            .filter(|d| !d.is_empty())
            .collect();
    }
    Ok(spec)
}
