//! An error and its causes as one readable line, for operators and log lines.
//!
//! Each cause is shown once, by its `Display`. Never `Debug`, and never the SDK's
//! `DisplayErrorContext`, which appends the whole error as a `Debug` structure (raw response,
//! headers, body): that is an internal, not something a person can act on.

use std::error::Error;

/// The errors of `chain`, outermost first, joined by ": ", leaving out any whose text the line
/// already holds (a wrapper that quotes its cause would otherwise print it twice).
pub fn one_line<'a>(chain: impl IntoIterator<Item = &'a (dyn Error + 'static)>) -> String {
    let mut line = String::new();
    for err in chain {
        let text = err.to_string();
        if text.is_empty() || line.contains(&text) {
            continue;
        }
        if !line.is_empty() {
            line.push_str(": ");
        }
        line.push_str(&text);
    }
    line
}

/// `err` and its `source()` chain as one line (see [`one_line`]).
pub fn causes<'a>(err: &'a (dyn Error + 'static)) -> String {
    let source =
        |e: &&'a (dyn Error + 'static)| -> Option<&'a (dyn Error + 'static)> { (*e).source() };
    one_line(std::iter::successors(Some(err), source))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("cannot read mapping file m.json: {source}")]
    struct Quoting {
        source: std::io::Error,
    }

    #[derive(Debug, thiserror::Error)]
    #[error("export stopped")]
    struct Wrapping {
        #[source]
        inner: Quoting,
    }

    fn not_found() -> std::io::Error {
        std::io::Error::new(std::io::ErrorKind::NotFound, "No such file or directory")
    }

    #[test]
    fn a_cause_the_message_already_quotes_is_not_repeated() {
        let err = Quoting {
            source: not_found(),
        };
        assert_eq!(
            causes(&err),
            "cannot read mapping file m.json: No such file or directory"
        );
    }

    #[test]
    fn causes_follow_outermost_first() {
        let err = Wrapping {
            inner: Quoting {
                source: not_found(),
            },
        };
        assert_eq!(
            causes(&err),
            "export stopped: cannot read mapping file m.json: No such file or directory"
        );
    }
}
