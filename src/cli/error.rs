//! How a command fails, and what the shell is told.

use crate::export::WriteError;
use crate::load::LoadError;
use crate::open::OpenError;
use crate::search::ResolveError;
use crate::view_file::{ViewError, ViewFileError};

/// A command that failed, and how to tell the shell.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("{0}")]
    Load(#[from] LoadError),
    #[error("{0}")]
    Open(#[from] OpenError),
    #[error("{0}")]
    Usage(String),
    #[error("{0}")]
    Write(#[from] WriteError),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("{0}")]
    Tui(#[from] crate::tui::TuiError),
    #[error("key map: {0}")]
    KeyMap(#[from] crate::tui::keymap::KeyMapError),
    /// Stopped by a signal; the terminal has been restored.
    #[error("stopped by signal {0}")]
    Signal(i32),
    #[error("{0}")]
    ViewFile(#[from] ViewFileError),
    /// The command ran but found nothing (no connection, say).
    #[error("{0}")]
    NotFound(String),
    /// The graph loaded but `check --strict` found problems.
    #[error("{0}")]
    Strict(String),
    #[error("{0}")]
    Db(#[from] crate::db::DbError),
}

impl From<ViewError> for CliError {
    fn from(e: ViewError) -> Self {
        CliError::Usage(e.to_string())
    }
}

impl From<ResolveError> for CliError {
    fn from(e: ResolveError) -> Self {
        CliError::Usage(e.to_string())
    }
}

impl CliError {
    /// 2 for bad input (data, arguments), 1 for anything else.
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Load(_)
            | CliError::Open(_)
            | CliError::Usage(_)
            | CliError::KeyMap(_)
            | CliError::ViewFile(_)
            | CliError::Strict(_) => 2,
            CliError::Write(_)
            | CliError::Io(_)
            | CliError::Tui(_)
            | CliError::NotFound(_)
            | CliError::Db(_) => 1,
            CliError::Signal(sig) => (128 + sig).clamp(0, 255) as u8,
        }
    }
}
