//! Ctrl-C and SIGTERM as a request to stop cleanly (checkpoint first): a future to race the
//! main loop against, and a flag that long waits (an import job's polling) can be raced against.

use std::future::Future;
use std::time::Duration;

use tokio::sync::watch;

/// Completes when the process is asked to stop (Ctrl-C / SIGINT, or SIGTERM).
pub async fn stop_requested() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut terminate =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
                .expect("installing a SIGTERM handler");
        tokio::select! {
            _ = interrupt => {},
            _ = terminate.recv() => {},
        }
    }
    #[cfg(not(unix))]
    {
        let _ = interrupt.await;
    }
}

/// Becomes set when the process is asked to stop.
#[derive(Clone)]
pub struct StopSignal(watch::Receiver<bool>);

impl StopSignal {
    /// Starts listening for Ctrl-C and SIGTERM.
    pub fn listen() -> StopSignal {
        let (set, flag) = watch::channel(false);
        tokio::spawn(async move {
            stop_requested().await;
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
