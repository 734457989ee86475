//! Progress of long work: a bar on a terminal, plain periodic lines otherwise.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Reports how many items of an (estimated) total are done.
pub struct Progress {
    bar: Option<ProgressBar>,
    what: &'static str,
    total: u64,
    done: u64,
    started: Instant,
    last_line: Instant,
    interval: Duration,
}

impl Progress {
    /// Starts reporting on `what` (e.g. "users"), with `total` as the estimate (0 if unknown).
    /// Draws a bar when stderr is a terminal, else prints a line every `interval`.
    pub fn new(what: &'static str, total: u64, interval: Duration) -> Progress {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::with_draw_target(Some(total.max(1)), ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template(
                    "{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} {msg} ({per_sec}, ETA {eta})",
                )
                .expect("valid template"),
            );
            bar.enable_steady_tick(Duration::from_millis(200));
            bar
        });
        Progress {
            bar,
            what,
            total,
            done: 0,
            started: Instant::now(),
            last_line: Instant::now(),
            interval,
        }
    }

    /// Sets the count of items done, and a short status after it.
    pub fn update(&mut self, done: u64, status: &str) {
        self.done = done;
        if let Some(bar) = &self.bar {
            if done > bar.length().unwrap_or(0) {
                bar.set_length(done);
            }
            bar.set_position(done);
            bar.set_message(format!("{} {status}", self.what));
        } else if self.last_line.elapsed() >= self.interval {
            self.last_line = Instant::now();
            eprintln!("{}", self.line(status));
        }
    }

    fn line(&self, status: &str) -> String {
        let seconds = self.started.elapsed().as_secs_f64().max(0.001);
        let rate = self.done as f64 / seconds;
        let of_total = if self.total > 0 {
            format!("/~{}", self.total)
        } else {
            String::new()
        };
        format!(
            "progress: {}{of_total} {} {status}, {rate:.0} {}/s, {seconds:.0} s elapsed",
            self.done, self.what, self.what
        )
    }

    /// Removes the bar (before a summary or an error is printed).
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
