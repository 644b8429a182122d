//! `ties` as a library: load a knowledge graph, search it, view it, export it,
//! and explore it in the terminal. The binary is a thin shell over [`cli::main`].

pub mod analysis;
pub mod cli;
mod codec;
pub mod db;
pub mod dossier;
pub mod export;
pub mod ftm;
pub mod generate;
pub mod graph;
pub mod job;
pub mod load;
pub mod matching;
pub mod model;
pub mod money;
pub mod notes;
pub mod open;
pub mod path;
pub mod read;
pub mod report;
pub mod search;
pub mod snapshot;
pub mod timeline;
pub mod tui;
pub mod view;
pub mod view_file;
mod words;

pub use graph::Graph;
