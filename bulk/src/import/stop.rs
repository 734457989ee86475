//! Ctrl-C / SIGTERM as a flag that waits and requests can be raced against, so a long wait for
//! an import job ends at once, with the state saved, and the job keeps running in Cognito.

use std::future::Future;
use std::time::Duration;

use tokio::sync::watch;

/// Becomes set when the process is asked to stop.
#[derive(Clone)]
pub struct StopSignal(watch::Receiver<bool>);

impl StopSignal {
    /// Starts listening for Ctrl-C and SIGTERM.
    pub fn listen() -> StopSignal {
        let (set, flag) = watch::channel(false);
        tokio::spawn(async move {
            crate::signals::stop_requested().await;
            let _ = set.send(true);
        });
        StopSignal(flag)
    }

    /// True once a stop was requested.
    pub fn requested(&self) -> bool {
        *self.0.borrow()
    }

    /// Runs `work` unless a stop is requested first (then `None`).
    pub async fn unless_stopped<T>(&mut self, work: impl Future<Output = T>) -> Option<T> {
        if self.requested() {
            return None;
        }
        tokio::select! {
            done = work => Some(done),
            _ = self.0.wait_for(|stop| *stop) => None,
        }
    }

    /// Sleeps for `duration`; false when a stop was requested meanwhile.
    pub async fn sleep(&mut self, duration: Duration) -> bool {
        self.unless_stopped(tokio::time::sleep(duration))
            .await
            .is_some()
    }
}
