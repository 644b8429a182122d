//! Keys already computed: hashing the data for a snapshot's [`Key`] reads every
//! byte of it (about 0.1 s for 500 MB), on every start. Like git's index, a
//! small record per data path (`<hash of the paths>.key` in the snapshot
//! folder) keeps each file's identity and times (device, inode, size,
//! modification and change times, in nanoseconds) with the key they gave. The
//! key is taken from the record only when every file is still exactly as
//! recorded and none was changed within [`RACY`] of the record being made (a
//! write in the same clock tick as the hash could leave the times unchanged).
//! The change time (`ctime`) cannot be set back by a program, so a rewritten
//! file is always hashed again.

use std::fs;
use std::io;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use xxhash_rust::xxh3::xxh3_128;

use super::{FORMAT, Key, TEMP_PREFIX};

/// How long before a record was made its files must have last changed.
pub const RACY: Duration = Duration::from_secs(2);

/// How a key was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Found {
    /// From the record: no byte read.
    Recorded,
    /// By hashing the data.
    Hashed,
}

/// One file's identity and times, as one line of a record.
fn stamp(path: &Path) -> io::Result<String> {
    let m = fs::metadata(path)?;
    Ok(format!(
        "{} {} {} {}.{:09} {}.{:09}",
        m.dev(),
        m.ino(),
        m.len(),
        m.mtime(),
        m.mtime_nsec(),
        m.ctime(),
        m.ctime_nsec()
    ))
}

/// The latest change time of these files.
fn last_change(files: &[PathBuf]) -> io::Result<SystemTime> {
    let mut last = UNIX_EPOCH;
    for f in files {
        let m = fs::metadata(f)?;
        let secs = u64::try_from(m.ctime()).unwrap_or(0);
        let nanos = u32::try_from(m.ctime_nsec()).unwrap_or(0);
        last = last.max(UNIX_EPOCH + Duration::new(secs, nanos));
    }
    Ok(last)
}

fn record_path(dir: &Path, files: &[PathBuf]) -> PathBuf {
    let mut names = String::new();
    for f in files {
        let f = fs::canonicalize(f).unwrap_or_else(|_| f.clone());
        names.push_str(&f.to_string_lossy());
        names.push('\n');
    }
    dir.join(format!("{:032x}.key", xxh3_128(names.as_bytes())))
}

/// The record's text for these stamps and key, made at `at`.
fn record_text(stamps: &[String], key: Key, at: SystemTime) -> String {
    let at = at.duration_since(UNIX_EPOCH).unwrap_or_default();
    let mut text = format!("ties-key {FORMAT} {}\n", env!("CARGO_PKG_VERSION"));
    for s in stamps {
        text.push_str(s);
        text.push('\n');
    }
    text.push_str(&format!("key {:032x}\nat {}\n", key.0, at.as_nanos()));
    text
}

/// The key a record holds, if the files are as it says and were not changed
/// within `racy` of its making.
fn recorded(path: &Path, stamps: &[String], files: &[PathBuf], racy: Duration) -> Option<Key> {
    let text = fs::read_to_string(path).ok()?;
    let mut lines = text.lines();
    let head = format!("ties-key {FORMAT} {}", env!("CARGO_PKG_VERSION"));
    if lines.next()? != head {
        return None;
    }
    for s in stamps {
        if lines.next()? != s {
            return None;
        }
    }
    let key = u128::from_str_radix(lines.next()?.strip_prefix("key ")?, 16).ok()?;
    let at: u64 = lines.next()?.strip_prefix("at ")?.parse().ok()?;
    let made = UNIX_EPOCH + Duration::from_nanos(at);
    let changed = last_change(files).ok()?;
    (lines.next().is_none() && changed + racy <= made).then_some(Key(key))
}

/// The key of `files`: from the record in `dir` when it still holds, else by
/// hashing them (then the record is written, if the files did not change
/// meanwhile). `racy`: see [`RACY`].
pub fn key_of(dir: &Path, files: &[PathBuf], racy: Duration) -> io::Result<(Key, Found)> {
    let stamps = files
        .iter()
        .map(|f| stamp(f))
        .collect::<io::Result<Vec<_>>>()?;
    let path = record_path(dir, files);
    if let Some(key) = recorded(&path, &stamps, files, racy) {
        return Ok((key, Found::Recorded));
    }
    let at = SystemTime::now();
    let key = Key::of_files(files)?;
    let after = files
        .iter()
        .map(|f| stamp(f))
        .collect::<io::Result<Vec<_>>>()?;
    if after == stamps {
        // A record not written costs a hash next time, nothing more.
        let _ = write_record(dir, &path, &record_text(&stamps, key, at));
    }
    Ok((key, Found::Hashed))
}

/// Whether `files` may be data never keyed here: there is no record for
/// these paths, or the record's files were of other sizes. A file only
/// touched, or copied over with the same bytes, keeps its size: that is
/// hashed first ([`key_of`]), as its snapshot may be there; new data is
/// better hashed while it is read ([`Pending`]).
pub fn is_new(dir: &Path, files: &[PathBuf]) -> bool {
    let Ok(text) = fs::read_to_string(record_path(dir, files)) else {
        return true;
    };
    let recorded: Vec<Option<&str>> = (text.lines().skip(1).take(files.len()))
        .map(|line| line.split(' ').nth(2))
        .collect();
    recorded.len() < files.len()
        || files.iter().zip(&recorded).any(|(f, size)| {
            let now = fs::metadata(f).ok().map(|m| m.len().to_string());
            size.is_none() || now.as_deref() != *size
        })
}

/// A key being made from the data as it is read: the files' stamps and the
/// time before the read, to record the key with ([`Pending::record`]) as
/// [`key_of`] does when it hashes.
pub struct Pending {
    stamps: Vec<String>,
    at: SystemTime,
}

impl Pending {
    /// Before the files are read.
    pub fn start(files: &[PathBuf]) -> io::Result<Pending> {
        let at = SystemTime::now();
        let stamps = files.iter().map(|f| stamp(f)).collect::<io::Result<_>>()?;
        Ok(Pending { stamps, at })
    }

    /// Records `key`, made from the bytes read since [`Pending::start`],
    /// unless a file changed meanwhile (then the key may not be theirs).
    pub fn record(self, dir: &Path, files: &[PathBuf], key: Key) {
        let after = files
            .iter()
            .map(|f| stamp(f))
            .collect::<io::Result<Vec<_>>>();
        if after.is_ok_and(|after| after == self.stamps) {
            let path = record_path(dir, files);
            let _ = write_record(dir, &path, &record_text(&self.stamps, key, self.at));
        }
    }
}

fn write_record(dir: &Path, path: &Path, text: &str) -> io::Result<()> {
    use std::io::Write;
    fs::create_dir_all(dir)?;
    let mut tmp = tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .tempfile_in(dir)?;
    tmp.write_all(text.as_bytes())?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Whether `name` is a record's file name.
pub(super) fn is_record_name(name: &str) -> bool {
    name.strip_suffix(".key")
        .is_some_and(|h| h.len() == 32 && h.bytes().all(|b| b.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_recorded_and_a_rewritten_file_is_hashed_again() {
        let tmp = tempfile::tempdir().unwrap();
        let data = tmp.path().join("g.ron");
        fs::write(&data, "abc").unwrap();
        let files = vec![data.clone()];
        let dir = tmp.path().join("cache");
        let (k1, how) = key_of(&dir, &files, Duration::ZERO).unwrap();
        assert_eq!(how, Found::Hashed);
        assert_eq!(k1, Key::of_files(&files).unwrap());
        let (k2, how) = key_of(&dir, &files, Duration::ZERO).unwrap();
        assert_eq!((k2, how), (k1, Found::Recorded));
        // The same size, rewritten: its change time moves, so it is hashed.
        std::thread::sleep(Duration::from_millis(20));
        fs::write(&data, "abd").unwrap();
        let (k3, how) = key_of(&dir, &files, Duration::ZERO).unwrap();
        assert_eq!(how, Found::Hashed);
        assert_ne!(k3, k1);
        assert_eq!(k3, Key::of_files(&files).unwrap());
        // A file changed shortly before the record was made is not trusted.
        let (_, how) = key_of(&dir, &files, Duration::from_secs(3600)).unwrap();
        assert_eq!(how, Found::Hashed);
        // A damaged record is ignored.
        fs::write(record_path(&dir, &files), "ties-key nonsense").unwrap();
        let (k4, how) = key_of(&dir, &files, Duration::ZERO).unwrap();
        assert_eq!((k4, how), (k3, Found::Hashed));
    }
}
