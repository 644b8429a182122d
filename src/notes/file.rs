//! Reading a notebook line by line, and appending one record, synced.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

use super::Problem;
use super::record::{Line, Record};

/// Why a notebook could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum NotesError {
    #[error("cannot read the notebook {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot save to the notebook {}: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("no notebook to save to")]
    NoNotebook,
    #[error("no note with id `{0}`")]
    NoSuchNote(String),
}

/// Every line of the notebook at `path`: a record, or what is wrong with it.
/// A file that does not exist yet holds nothing.
pub(super) fn read(path: &Path) -> Result<Vec<Result<Record, Problem>>, NotesError> {
    let err = |source| NotesError::Read {
        path: path.to_path_buf(),
        source,
    };
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(err(e)),
    };
    let mut out = Vec::new();
    let mut reader = std::io::BufReader::new(file);
    let mut buf = Vec::new();
    let mut n = 0;
    loop {
        buf.clear();
        if reader.read_until(b'\n', &mut buf).map_err(err)? == 0 {
            break;
        }
        n += 1;
        let problem = |message: String| Problem {
            file: path.to_path_buf(),
            line: n,
            message,
        };
        let Ok(text) = std::str::from_utf8(&buf) else {
            out.push(Err(problem("not UTF-8".into())));
            continue;
        };
        if text.trim().is_empty() {
            continue;
        }
        let rec = serde_json::from_str::<Line>(text)
            .map_err(|e| problem(format!("column {}: {e}", e.column())))
            .and_then(|l| Record::from_line(l).map_err(problem));
        out.push(rec);
    }
    Ok(out)
}

/// Appends `rec` as one line and syncs the file's data, so a save survives a
/// crash the moment it returns. A last line cut short (a crash mid-write) is
/// ended first, so it stays one bad line and the new record reads.
pub(super) fn append(path: &Path, rec: &Record) -> Result<(), NotesError> {
    let err = |source| NotesError::Write {
        path: path.to_path_buf(),
        source,
    };
    let mut line = serde_json::to_string(&rec.to_line()).map_err(|e| err(e.into()))?;
    line.push('\n');
    if ends_unterminated(path) {
        line.insert(0, '\n');
    }
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(err)?;
    file.write_all(line.as_bytes()).map_err(err)?;
    file.sync_data().map_err(err)
}

fn ends_unterminated(path: &Path) -> bool {
    use std::io::{Read, Seek, SeekFrom};
    let Ok(mut f) = std::fs::File::open(path) else {
        return false;
    };
    if f.seek(SeekFrom::End(-1)).is_err() {
        return false;
    }
    let mut last = [0u8];
    f.read_exact(&mut last).is_ok() && last[0] != b'\n'
}
