//! Support for the `import` and `groups` tests: running those subcommands, a private moto (with
//! the project's extension) for tests that need slow jobs or the account to themselves, the fault
//! proxy in front of an emulator, the import jobs' log lines, and hand-written import files.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::cli::cognito_migrate;

/// A role ARN that passes CreateUserImportJob's pattern (the test bed does not assume it).
pub const LOGS_ROLE_ARN: &str = "arn:aws:iam::123456789012:role/CognitoImportLogs";

/// `cognito-migrate import` into `pool` from `dir`, with extra arguments, not yet run.
pub fn import_command(endpoint: &str, pool: &str, dir: &Path, extra: &[&str]) -> Command {
    let mut command = cognito_migrate(endpoint);
    command
        .args([
            "import",
            "--target-pool-id",
            pool,
            "--logs-role-arn",
            LOGS_ROLE_ARN,
        ])
        .arg("--dir")
        .arg(dir)
        .args(extra);
    command
}

/// Runs `cognito-migrate import` to its end.
pub fn import(endpoint: &str, pool: &str, dir: &Path, extra: &[&str]) -> Output {
    import_command(endpoint, pool, dir, extra)
        .output()
        .expect("cognito-migrate runs")
}

/// `import-state.json` of `dir`.
pub fn import_state(dir: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(dir.join("import-state.json")).expect("import-state.json");
    serde_json::from_str(&text).expect("import-state.json is JSON")
}

/// Writes an import file by hand in the export's layout (`header` then `rows`, each a line of
/// already-encoded values) and a `summary.json` saying the export is complete.
pub fn write_import_file(dir: &Path, name: &str, header: &[String], rows: &[String]) {
    let mut text = header.join(",");
    text.push('\n');
    for row in rows {
        text.push_str(row);
        text.push('\n');
    }
    std::fs::write(dir.join(name), text).expect("write import file");
    std::fs::write(dir.join("summary.json"), r#"{"complete": true}"#).expect("write summary");
}

/// One line of an import file for `header`: the given values, every other column empty.
pub fn import_line(header: &[String], values: &[(&str, &str)]) -> String {
    header
        .iter()
        .map(|column| {
            values
                .iter()
                .find(|(name, _)| name == column)
                .map(|(_, value)| value.to_string())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// GET on a plain-http test bed address; returns (status, body).
pub fn http_get(base_url: &str, path: &str) -> (u16, String) {
    let address = base_url.trim_start_matches("http://").trim_end_matches('/');
    let mut stream = TcpStream::connect(address).expect("connect to the test bed");
    write!(
        stream,
        "GET {path} HTTP/1.0\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    )
    .expect("send request");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("read answer");
    let status = answer
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = answer
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_string())
        .unwrap_or_default();
    (status, body)
}

/// The CloudWatch-style result lines of an import job, from the test bed.
pub fn import_log(endpoint: &str, job_id: &str) -> Vec<String> {
    let (status, body) = http_get(endpoint, &format!("/_testbed/import-logs/{job_id}"));
    assert_eq!(status, 200, "import log of {job_id}: {body}");
    body.lines().map(str::to_string).collect()
}

/// A moto server with the project's extension, started for one test (so its import jobs have the
/// account to themselves and its knobs, e.g. `TESTBED_IMPORT_STEP_SECONDS`, are the test's own).
/// Stopped when dropped.
pub struct PrivateMoto {
    /// Its address, e.g. `http://127.0.0.1:40123`.
    pub url: String,
    child: Child,
}

pub(crate) fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ lives in the repository")
        .to_path_buf()
}

/// The test bed's Python (with moto), which runs private motos and the fault proxy; fails the test
/// saying how to install it when it is missing.
fn testbed_python(root: &Path) -> PathBuf {
    let python = root.join(".testbed/venv/bin/python");
    assert!(
        python.exists(),
        "{} is missing: run scripts/testbed install (or scripts/testbed start)",
        python.display()
    );
    python
}

impl PrivateMoto {
    /// Starts one with the given environment and waits until it answers.
    pub fn start(env: &[(&str, &str)]) -> PrivateMoto {
        let root = repo_root();
        let python = testbed_python(&root);
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let mut command = Command::new(python);
        command
            .arg(root.join("tests/emulator/moto_ext.py"))
            .args(["--host", "127.0.0.1", "--port", &port.to_string()])
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let child = command.spawn().expect("start moto_ext.py");
        let moto = PrivateMoto {
            url: format!("http://127.0.0.1:{port}"),
            child,
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        while not_answering_yet(&moto.url) {
            assert!(Instant::now() < deadline, "moto_ext.py did not answer");
            std::thread::sleep(Duration::from_millis(100));
        }
        moto
    }
}

/// True while the server does not answer its health check yet.
fn not_answering_yet(url: &str) -> bool {
    let address = url.trim_start_matches("http://");
    let Ok(mut stream) = TcpStream::connect(address) else {
        return true;
    };
    if write!(
        stream,
        "GET /_testbed/health HTTP/1.0\r\nHost: {address}\r\n\r\n"
    )
    .is_err()
    {
        return true;
    }
    let mut first = String::new();
    BufReader::new(stream).read_line(&mut first).ok();
    !first.contains(" 200 ")
}

impl Drop for PrivateMoto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `tests/faults/fault_proxy.py` in front of an emulator, started for one test; stopped when
/// dropped.
pub struct FaultProxy {
    /// Its address, to use as the endpoint.
    pub url: String,
    child: Child,
}

impl FaultProxy {
    /// Starts one in front of `upstream` and waits for its `listening on URL` line.
    pub fn start(upstream: &str) -> FaultProxy {
        let root = repo_root();
        let mut child = Command::new(testbed_python(&root))
            .arg(root.join("tests/faults/fault_proxy.py"))
            .args(["--port", "0", "--upstream", upstream])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start fault_proxy.py");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("piped stdout"))
            .read_line(&mut line)
            .expect("read the proxy's first line");
        let url = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line of fault_proxy.py: {line:?}"))
            .to_string();
        FaultProxy { url, child }
    }

    /// Replaces the proxy's fault configuration (JSON, see the script's docstring).
    pub fn configure(&self, config: &str) {
        let address = self.url.trim_start_matches("http://");
        let mut stream = TcpStream::connect(address).expect("connect to the proxy");
        write!(
            stream,
            "PUT /_proxy/config HTTP/1.0\r\nHost: {address}\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\n\r\n{config}",
            config.len()
        )
        .expect("send config");
        let mut answer = String::new();
        stream.read_to_string(&mut answer).expect("read answer");
        assert!(answer.contains(" 200 "), "proxy config refused: {answer}");
    }

    /// The proxy's statistics (`GET /_proxy/stats`).
    pub fn stats(&self) -> serde_json::Value {
        let (status, body) = http_get(&self.url, "/_proxy/stats");
        assert_eq!(status, 200, "{body}");
        serde_json::from_str(&body).expect("stats are JSON")
    }

    /// Requests per Cognito operation (`AdminGetUser`, `ListUsers`, ...) forwarded so far.
    pub fn requests_by_operation(&self) -> std::collections::BTreeMap<String, u64> {
        self.stats()["by_operation"]
            .as_object()
            .map(|operations| {
                operations
                    .iter()
                    .map(|(operation, seen)| {
                        let name = operation.rsplit('.').next().unwrap_or(operation);
                        (name.to_string(), seen["requests"].as_u64().unwrap_or(0))
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
