//! Every integration test, in one binary: one link of the `ties` library and
//! its dependencies instead of one per file, which is most of what `cargo test`
//! spent building (see BENCHMARKS.md, "CI build"). Each file is a module named
//! as before, so `cargo test --test it snapshot::` runs what
//! `cargo test --test snapshot` ran.

mod common;
mod import_common;

mod analysis;
mod analysis_networkx;
mod bad_import;
mod bad_input;
mod cli;
mod cli_honest;
mod datasets;
mod db_cli;
mod db_explorer;
mod db_falkor;
mod e2e_screens;
mod e2e_tmux;
mod explorer;
mod export_formats;
mod export_safety;
mod export_tools;
mod fast_loader;
mod fast_lookup;
mod fast_parser;
mod ftm;
mod ftm_real;
mod ftm_views;
mod graph_accuracy;
mod import_cli;
mod layers;
mod notes;
mod peers;
mod petgraph_in_place;
mod properties;
mod quotable;
mod read_csv;
mod read_formats;
mod read_stream;
mod search;
mod search_forgiving;
mod shipped_graph;
mod snapshot;
mod style;
mod ui;
mod ui_analysis;
mod ui_screens;
mod xref;
