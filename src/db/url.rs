//! Where a graph database is: `falkor://[user:password@]host:port/GRAPH`,
//! `falkors://…` for TLS, and `falkor+unix:///path/to.sock?graph=GRAPH` for a
//! server on a Unix socket.
//!
//! The password may also come from outside the URL ([`DbUrl::with_password`]:
//! the command line reads it from an environment variable). Neither `Display`,
//! `Debug` nor any error shows it.

use std::fmt;
use std::path::PathBuf;

/// How to reach the server (holds no password).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    /// Host and port, plain or TLS.
    Tcp { host: String, port: u16, tls: bool },
    /// A Unix socket.
    Unix(PathBuf),
}

/// A parsed database URL.
#[derive(Clone, PartialEq, Eq)]
pub struct DbUrl {
    pub endpoint: Endpoint,
    pub user: Option<String>,
    password: Option<String>,
    /// The graph's name on the server.
    pub graph: String,
}

/// Why a URL was refused. Never holds the password.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UrlError {
    #[error(
        "`{0}` is not a database URL: expected falkor://[user:password@]host:port/GRAPH, falkors://… or falkor+unix:///path/to.sock?graph=GRAPH"
    )]
    Scheme(String),
    #[error("the database URL has no graph name: add /GRAPH after the port (or ?graph=GRAPH)")]
    NoGraph,
    #[error("the graph name `{0}` is not allowed: use letters, digits, `_`, `-` and `.`")]
    BadGraph(String),
    #[error("the database URL has no host")]
    NoHost,
    #[error("the database URL's port is not a number from 1 to 65535")]
    BadPort,
    #[error("the Unix socket path must be absolute: falkor+unix:///path/to.sock?graph=GRAPH")]
    NoSocket,
    #[error("`{0}` in the database URL is not valid percent-encoding")]
    Encoding(String),
}

const DEFAULT_PORT: u16 = 6379;

fn decode(s: &str) -> Result<String, UrlError> {
    // Percent-decoding by hand: user names and passwords may carry `@`, `:`, `/`.
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok());
            // The bad sequence is named by position, not text: it may sit in a password.
            let Some(b) = hex else {
                return Err(UrlError::Encoding(format!("the `%` at byte {i}")));
            };
            out.push(b);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| UrlError::Encoding("a sequence that is not UTF-8".into()))
}

fn check_graph(name: String) -> Result<String, UrlError> {
    if name.is_empty() {
        return Err(UrlError::NoGraph);
    }
    let ok = name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if ok {
        Ok(name)
    } else {
        Err(UrlError::BadGraph(name))
    }
}

impl DbUrl {
    /// Parses a URL (see the module docs).
    pub fn parse(text: &str) -> Result<DbUrl, UrlError> {
        let text = text.trim();
        let scheme_err = || {
            // Show the scheme only: what follows may hold a password.
            let shown = text.split_once("://").map_or("", |(s, _)| s);
            UrlError::Scheme(format!("{shown}://…"))
        };
        let (scheme, rest) = text.split_once("://").ok_or_else(scheme_err)?;
        match scheme {
            "falkor" | "falkors" => Self::parse_tcp(rest, scheme == "falkors"),
            "falkor+unix" => Self::parse_unix(rest),
            _ => Err(scheme_err()),
        }
    }

    fn parse_tcp(rest: &str, tls: bool) -> Result<DbUrl, UrlError> {
        let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
        let (userinfo, hostport) = match authority.rsplit_once('@') {
            Some((u, h)) => (Some(u), h),
            None => (None, authority),
        };
        let (user, password) = match userinfo {
            None => (None, None),
            Some(u) => match u.split_once(':') {
                Some((user, pass)) => (Some(decode(user)?), Some(decode(pass)?)),
                None => (Some(decode(u)?), None),
            },
        };
        // `[::1]:port` for IPv6; the port is optional.
        let (host, port) = match hostport.rsplit_once(':') {
            Some((h, p)) if !hostport.starts_with('[') || h.ends_with(']') => {
                let port = p
                    .parse::<u16>()
                    .ok()
                    .filter(|&p| p != 0)
                    .ok_or(UrlError::BadPort)?;
                (h, port)
            }
            _ => (hostport, DEFAULT_PORT),
        };
        let host = host.trim_start_matches('[').trim_end_matches(']');
        if host.is_empty() {
            return Err(UrlError::NoHost);
        }
        let graph = path.split(['?', '#']).next().unwrap_or("");
        Ok(DbUrl {
            endpoint: Endpoint::Tcp {
                host: host.to_string(),
                port,
                tls,
            },
            user: user.filter(|u| !u.is_empty()),
            password: password.filter(|p| !p.is_empty()),
            graph: check_graph(decode(graph)?)?,
        })
    }

    fn parse_unix(rest: &str) -> Result<DbUrl, UrlError> {
        let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
        if !path.starts_with('/') {
            return Err(UrlError::NoSocket);
        }
        let mut graph = None;
        let mut user = None;
        let mut password = None;
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            match k {
                "graph" => graph = Some(decode(v)?),
                "user" => user = Some(decode(v)?),
                "password" => password = Some(decode(v)?),
                _ => {}
            }
        }
        Ok(DbUrl {
            endpoint: Endpoint::Unix(PathBuf::from(decode(path)?)),
            user: user.filter(|u| !u.is_empty()),
            password: password.filter(|p| !p.is_empty()),
            graph: check_graph(graph.ok_or(UrlError::NoGraph)?)?,
        })
    }

    /// The URL of a server on a Unix socket.
    pub fn unix(socket: impl Into<PathBuf>, graph: &str) -> Result<DbUrl, UrlError> {
        Ok(DbUrl {
            endpoint: Endpoint::Unix(socket.into()),
            user: None,
            password: None,
            graph: check_graph(graph.to_string())?,
        })
    }

    /// The same URL with this password (one given in the URL is replaced).
    pub fn with_password(mut self, password: Option<String>) -> DbUrl {
        if let Some(p) = password.filter(|p| !p.is_empty()) {
            self.password = Some(p);
        }
        self
    }

    /// The same URL on another graph of the same server.
    pub fn with_graph(mut self, graph: &str) -> Result<DbUrl, UrlError> {
        self.graph = check_graph(graph.to_string())?;
        Ok(self)
    }

    pub fn password(&self) -> Option<&str> {
        self.password.as_deref()
    }

    /// Hides the password in a message from the client or server, if it shows.
    pub fn redact(&self, message: &str) -> String {
        match self.password() {
            Some(p) if message.contains(p) => message.replace(p, "***"),
            _ => message.to_string(),
        }
    }
}

impl fmt::Display for DbUrl {
    /// The URL with the password shown as `***`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pass = if self.password.is_some() { ":***" } else { "" };
        match &self.endpoint {
            Endpoint::Tcp { host, port, tls } => {
                let scheme = if *tls { "falkors" } else { "falkor" };
                write!(f, "{scheme}://")?;
                if let Some(u) = &self.user {
                    write!(f, "{u}{pass}@")?;
                } else if self.password.is_some() {
                    write!(f, "{pass}@")?;
                }
                let host = if host.contains(':') {
                    format!("[{host}]")
                } else {
                    host.clone()
                };
                write!(f, "{host}:{port}/{}", self.graph)
            }
            Endpoint::Unix(path) => {
                write!(f, "falkor+unix://{}?graph={}", path.display(), self.graph)?;
                if let Some(u) = &self.user {
                    write!(f, "&user={u}")?;
                }
                if self.password.is_some() {
                    write!(f, "&password=***")?;
                }
                Ok(())
            }
        }
    }
}

impl fmt::Debug for DbUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DbUrl({self})")
    }
}

impl std::str::FromStr for DbUrl {
    type Err = UrlError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        DbUrl::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_three_forms() {
        let u = DbUrl::parse("falkor://localhost:6380/ties").unwrap();
        assert_eq!(
            u.endpoint,
            Endpoint::Tcp {
                host: "localhost".into(),
                port: 6380,
                tls: false
            }
        );
        assert_eq!(u.graph, "ties");
        assert_eq!(u.password(), None);
        let u = DbUrl::parse("falkors://ann:s%40cret@db.example:7000/g-1").unwrap();
        assert!(matches!(
            u.endpoint,
            Endpoint::Tcp {
                tls: true,
                port: 7000,
                ..
            }
        ));
        assert_eq!(u.user.as_deref(), Some("ann"));
        assert_eq!(u.password(), Some("s@cret"));
        let u = DbUrl::parse("falkor://127.0.0.1/g").unwrap();
        assert!(matches!(u.endpoint, Endpoint::Tcp { port: 6379, .. }));
        let u = DbUrl::parse("falkor+unix:///tmp/x/s.sock?graph=g&password=pw").unwrap();
        assert_eq!(u.endpoint, Endpoint::Unix("/tmp/x/s.sock".into()));
        assert_eq!(u.password(), Some("pw"));
        let u = DbUrl::parse("falkor://[::1]:7000/g").unwrap();
        assert!(matches!(&u.endpoint, Endpoint::Tcp { host, port: 7000, .. } if host == "::1"));
    }

    #[test]
    fn refuses_bad_urls_with_clear_reasons() {
        assert!(matches!(
            DbUrl::parse("redis://h:1/g"),
            Err(UrlError::Scheme(_))
        ));
        assert!(matches!(DbUrl::parse("h:1/g"), Err(UrlError::Scheme(_))));
        assert_eq!(DbUrl::parse("falkor://h:1"), Err(UrlError::NoGraph));
        assert_eq!(DbUrl::parse("falkor://h:1/"), Err(UrlError::NoGraph));
        assert_eq!(DbUrl::parse("falkor://h:99999/g"), Err(UrlError::BadPort));
        // A forgotten host must not turn the password into a quoted port.
        assert_eq!(DbUrl::parse("falkor://ann:pw/g"), Err(UrlError::BadPort));
        assert!(matches!(
            DbUrl::parse("falkor://h:1/a b"),
            Err(UrlError::BadGraph(_))
        ));
        assert_eq!(DbUrl::parse("falkor://:1/g"), Err(UrlError::NoHost));
        assert_eq!(
            DbUrl::parse("falkor+unix://rel.sock?graph=g"),
            Err(UrlError::NoSocket)
        );
        assert_eq!(
            DbUrl::parse("falkor+unix:///s.sock"),
            Err(UrlError::NoGraph)
        );
    }

    #[test]
    fn the_password_never_shows() {
        let secret = "Sup3r-secret";
        for text in [
            format!("falkor://ann:{secret}@h:1/g"),
            format!("falkor+unix:///s.sock?graph=g&password={secret}"),
        ] {
            let u = DbUrl::parse(&text).unwrap();
            assert_eq!(u.password(), Some(secret));
            assert!(!u.to_string().contains(secret), "{u}");
            assert!(!format!("{u:?}").contains(secret));
            assert!(u.to_string().contains("***"));
            assert_eq!(
                u.redact(&format!("auth {secret} failed")),
                "auth *** failed"
            );
        }
        let u = DbUrl::parse("falkor://h:1/g")
            .unwrap()
            .with_password(Some(secret.into()));
        assert_eq!(u.password(), Some(secret));
        assert_eq!(u.to_string(), "falkor://:***@h:1/g");
        // Refusals do not echo what follows the scheme.
        let e = DbUrl::parse(&format!("redis://ann:{secret}@h:1/g")).unwrap_err();
        assert!(!e.to_string().contains(secret), "{e}");
        let e = DbUrl::parse(&format!("falkor://ann:{secret}%zz@h:1/g")).unwrap_err();
        assert!(!e.to_string().contains(secret), "{e}");
    }
}
