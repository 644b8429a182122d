//! `ties` as a library: load a knowledge graph, search it, view it, export it,
//! and explore it in the terminal. The binary is a thin shell over [`cli::main`].

pub mod cli;
pub mod export;
pub mod ftm;
pub mod graph;
pub mod load;
pub mod model;
pub mod search;
pub mod tui;
pub mod view;

pub use graph::Graph;
