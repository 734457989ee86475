//! `tests/bench/synthetic_pool.py` started for one test: an old and a new pool of generated
//! users answering every page in constant time, with faults on demand (see
//! `tests/bench/README.md`). Stopped when dropped.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};

use crate::import_support::{http_get, repo_root};

/// The old pool's id.
pub const OLD_POOL: &str = "us-east-1_SynthOld";
/// The new pool's id.
pub const NEW_POOL: &str = "us-east-1_SynthNew";

/// A running synthetic pool server.
pub struct SyntheticPool {
    /// Its address, to use as the endpoint.
    pub url: String,
    child: Child,
}

impl SyntheticPool {
    /// Starts one with the given options (e.g. `["--old-users", "3000"]`) and waits for its
    /// `listening on URL` line.
    pub fn start(options: &[&str]) -> SyntheticPool {
        let root = repo_root();
        let mut child = Command::new("python3")
            .arg(root.join("tests/bench/synthetic_pool.py"))
            .args(options)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start synthetic_pool.py");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("piped stdout"))
            .read_line(&mut line)
            .expect("read the server's first line");
        let url = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line of synthetic_pool.py: {line:?}"))
            .to_string();
        SyntheticPool { url, child }
    }

    /// From now on every pagination token issued so far is refused, in AWS's words.
    pub fn refuse_tokens(&self) {
        let address = self.url.trim_start_matches("http://");
        let mut stream = TcpStream::connect(address).expect("connect to the synthetic pool");
        write!(
            stream,
            "POST /_pool/refuse-tokens HTTP/1.0\r\nHost: {address}\r\nContent-Length: 0\r\n\r\n"
        )
        .expect("send");
        let mut answer = String::new();
        stream.read_to_string(&mut answer).expect("read answer");
        assert!(answer.contains(" 200 "), "refuse-tokens: {answer}");
    }

    /// The server's statistics (`GET /_pool/stats`).
    pub fn stats(&self) -> serde_json::Value {
        let (status, body) = http_get(&self.url, "/_pool/stats");
        assert_eq!(status, 200, "{body}");
        serde_json::from_str(&body).expect("stats are JSON")
    }
}

impl Drop for SyntheticPool {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
