//! No subcommand: the explorer, on the graph the flags name.

use super::CliError;
use super::args::Cli;
use super::loading::{self, print_notes};
use crate::open::{self, IndexWhen, Opened, Source};
use crate::search::Resolver;
use crate::view_file::ViewSpec;

/// `review`: open on the review queue with these options (`ties xref --review`).
pub(super) fn explore(
    cli: &Cli,
    review: Option<crate::matching::XrefOptions>,
) -> Result<(), CliError> {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let theme = match cli.theme.as_deref() {
        Some(path) if !path.exists() => {
            return Err(CliError::Usage(format!(
                "theme {} does not exist",
                path.display()
            )));
        }
        Some(path) => crate::tui::theme::Theme::load(Some(path), no_color),
        None => crate::tui::theme::Theme::load(
            crate::tui::theme::user_theme_path().as_deref(),
            no_color,
        ),
    }
    .map_err(|e| CliError::Usage(format!("theme: {e}")))?;
    let keymap = match cli.keymap.as_deref() {
        Some(path) if !path.exists() => {
            return Err(CliError::Usage(format!(
                "key map {} does not exist",
                path.display()
            )));
        }
        Some(path) => crate::tui::KeyMap::load(Some(path))?,
        None => crate::tui::KeyMap::load(crate::tui::keymap::user_keymap_path().as_deref())?,
    };
    let spec = super::with_datasets(cli, cli.view.as_deref().map(ViewSpec::load).transpose())?;
    if let Some(text) = &cli.db {
        if !cli.data.is_empty() {
            return Err(CliError::Usage(
                "--data and --db name two graphs; give one".into(),
            ));
        }
        let url = super::db::url(text)?;
        let (opened, remote) = super::db::explore_open(&url, cli.focus.as_deref())?;
        let id = remote.focus.clone();
        let mut remote = Some(remote);
        let mut fetched = Some(opened);
        let load = |_: &mut dyn open::Progress| {
            fetched
                .take()
                .ok_or_else(|| CliError::Usage("the database view was opened twice".into()))
        };
        let start = |opened: &Opened| {
            let mut start = start_at(cli, opened, spec.as_ref(), Some(id.as_str()))?;
            start.remote = remote.take();
            Ok(start)
        };
        let outcome = crate::tui::run(&url.to_string(), load, start, keymap, theme, !cli.no_mouse)?;
        print_notes(&outcome.notes);
        return match outcome.ending {
            crate::tui::Ending::Quit => Ok(()),
            crate::tui::Ending::Signal(sig) => Err(CliError::Signal(sig)),
        };
    }
    let source = Source::from_inputs(&cli.data);
    let what = source.describe();
    // The index is settled once `--focus` is resolved (which may build it).
    let opts = loading::open_options(cli, IndexWhen::OnDemand);
    let load = |progress: &mut dyn open::Progress| {
        let mut opened = open::open(source, &opts, progress).map_err(CliError::from)?;
        super::xref::apply_judgements(cli, &mut opened)?;
        Ok(opened)
    };
    let start = |opened: &Opened| {
        let mut start = start_at(cli, opened, spec.as_ref(), cli.focus.as_deref())?;
        start.resolver = super::xref::resolver_path(cli);
        start.review = review.clone();
        Ok::<_, CliError>(start)
    };
    let outcome = crate::tui::run(&what, load, start, keymap, theme, !cli.no_mouse)?;
    print_notes(&outcome.notes);
    if let Some(saving) = outcome.saving {
        // Ctrl-C while waiting: leave the snapshot unfinished (its temporary
        // file is cleared away later).
        let signal = || match outcome.signal.load(std::sync::atomic::Ordering::SeqCst) {
            0 => None,
            sig => Some(sig as i32),
        };
        let (_, note) = loading::wait_for_saving(saving, signal).map_err(CliError::Signal)?;
        print_notes(note.as_slice());
    }
    match outcome.ending {
        crate::tui::Ending::Quit => Ok(()),
        crate::tui::Ending::Signal(sig) => Err(CliError::Signal(sig)),
    }
}

/// Where the explorer opens: `--focus`, else the view's focus; the view's filter
/// and marks.
fn start_at(
    cli: &Cli,
    opened: &Opened,
    spec: Option<&ViewSpec>,
    focus: Option<&str>,
) -> Result<crate::tui::Start, CliError> {
    let graph = &*opened.graph;
    let (spec_focus, mut filter) = match spec {
        Some(spec) => (spec.focus_node(graph)?, spec.filter(graph)?),
        None => (None, crate::view::Filter::default()),
    };
    let resolver = Resolver::with_index(graph, opened.index.clone());
    let focus = match focus {
        Some(q) => Some(super::resolve(&resolver, q)?),
        None => spec_focus,
    };
    let index = resolver.into_index();
    let mut marks = std::collections::BTreeMap::new();
    for (c, id) in spec.iter().flat_map(|s| &s.marks) {
        let n = graph.find(id).ok_or_else(|| {
            CliError::Usage(format!(
                "the view's mark '{c}' names `{id}`, not an entity id in this graph"
            ))
        })?;
        marks.insert(*c, n);
    }
    // On a database the notes are not read (yet): the explorer saves none.
    let notes = if cli.db.is_some() {
        crate::notes::Notes::none()
    } else {
        super::notes::read_notes(cli.data.first().map(|i| i.path.as_path()), &cli.notes)?
    };
    if !cli.tag.is_empty() {
        filter.only = super::notes::tagged(graph, &notes, &cli.tag);
        filter.tags = cli
            .tag
            .iter()
            .map(|t| crate::notes::normal_tag(t))
            .collect();
    }
    Ok(crate::tui::Start {
        focus,
        filter,
        marks,
        index,
        remote: None,
        notes,
        author: super::notes::author(cli.author.as_deref()),
        resolver: None,
        review: None,
    })
}
