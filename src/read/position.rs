//! Positions in files: byte offsets turned into lines and columns, and the
//! first bytes of a file recognised as one XML format or another.

use std::io::Read;
use std::path::Path;

use super::Pos;

/// The line and column of a position, given the table [`line_cols`] made.
pub(super) fn resolve(at: Pos, table: &[(u64, (usize, usize))]) -> (usize, usize) {
    match at {
        Pos::LineCol { line, col, .. } => (line, col),
        Pos::Byte(b) => table
            .iter()
            .find(|(o, _)| *o == b)
            .map_or((0, 0), |(_, lc)| *lc),
    }
}

/// The 1-based line and column (in characters) of each byte offset in the file,
/// read once through.
pub(super) fn line_cols(path: &Path, offsets: &mut [u64]) -> Vec<(u64, (usize, usize))> {
    offsets.sort_unstable();
    let mut out = Vec::with_capacity(offsets.len());
    if offsets.is_empty() {
        return out;
    }
    let Ok(file) = std::fs::File::open(path) else {
        return offsets.iter().map(|&o| (o, (0, 0))).collect();
    };
    let mut r = std::io::BufReader::new(file);
    let (mut line, mut col, mut pos) = (1usize, 1usize, 0u64);
    let mut next = offsets.iter().peekable();
    let mut buf = [0u8; 64 * 1024];
    'outer: loop {
        let n = match r.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        for &b in &buf[..n] {
            while next.peek().is_some_and(|&&o| o == pos) {
                out.push((pos, (line, col)));
                next.next();
            }
            if next.peek().is_none() {
                break 'outer;
            }
            if b == b'\n' {
                line += 1;
                col = 1;
            } else if b & 0xC0 != 0x80 {
                col += 1;
            }
            pos += 1;
        }
    }
    out.extend(next.map(|&o| (o, (line, col))));
    out
}

/// Whether `head` looks like XML whose root element is `root` (after an optional
/// BOM, declaration, comments and doctype).
pub(crate) fn xml_root_is(head: &[u8], root: &str) -> bool {
    let text = String::from_utf8_lossy(head);
    let mut rest = text.trim_start_matches('\u{feff}').trim_start();
    loop {
        if let Some(r) = rest.strip_prefix("<?") {
            rest = r.split_once("?>").map_or("", |x| x.1).trim_start();
        } else if let Some(r) = rest.strip_prefix("<!--") {
            rest = r.split_once("-->").map_or("", |x| x.1).trim_start();
        } else if let Some(r) = rest.strip_prefix("<!") {
            rest = r.split_once('>').map_or("", |x| x.1).trim_start();
        } else {
            break;
        }
    }
    let Some(tag) = rest.strip_prefix('<') else {
        return false;
    };
    let name: String = tag
        .chars()
        .take_while(|c| !c.is_whitespace() && *c != '>' && *c != '/')
        .collect();
    let local = name.rsplit(':').next().unwrap_or("");
    local == root
}

/// Whether the path's extension is `ext` (case-insensitive).
pub(crate) fn has_extension(path: &Path, ext: &str) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case(ext))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_xml_roots() {
        assert!(xml_root_is(
            b"\xef\xbb\xbf<?xml version=\"1.0\"?>\n<!-- x --><gexf version=\"1.2\">",
            "gexf"
        ));
        assert!(xml_root_is(b"<graphml>", "graphml"));
        assert!(!xml_root_is(b"<graphml>", "gexf"));
        assert!(!xml_root_is(b"Graph(", "gexf"));
    }
}
