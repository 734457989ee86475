//! Spawned tasks whose results are taken in the order they were started, however they finish: a
//! scan's pages go on looking their users up while later pages start theirs, and still reach the
//! checkpoint in the order that moves each cursor one page at a time.
//!
//! The queue holds at most a few tasks ([`InOrder::ready`] waits for the oldest once more than
//! `depth` are pending). Dropping it aborts every task not taken: what they would have produced is
//! never seen, so a caller that writes results as it takes them has written nothing of theirs.

use std::collections::VecDeque;
use std::future::Future;

use tokio::task::JoinHandle;

/// Tasks in the order they were started.
pub struct InOrder<T> {
    pending: VecDeque<JoinHandle<T>>,
    depth: usize,
}

impl<T: Send + 'static> InOrder<T> {
    /// An empty queue that holds up to `depth` pending tasks before [`InOrder::ready`] waits.
    pub fn new(depth: usize) -> InOrder<T> {
        InOrder {
            pending: VecDeque::with_capacity(depth + 1),
            depth,
        }
    }

    /// Starts `task` behind every task already pending.
    pub fn push(&mut self, task: impl Future<Output = T> + Send + 'static) {
        self.pending.push_back(tokio::spawn(task));
    }

    /// The oldest task's result if it has finished, or, while more than `depth` tasks are
    /// pending, once it finishes; `None` when the oldest is still running within the depth (or
    /// nothing is pending). Take results with it until `None` after each [`InOrder::push`].
    pub async fn ready(&mut self) -> anyhow::Result<Option<T>> {
        let due = self.pending.len() > self.depth;
        match self.pending.front() {
            Some(oldest) if due || oldest.is_finished() => self.next().await,
            _ => Ok(None),
        }
    }

    /// The oldest task's result once it finishes, or `None` when nothing is pending. Take
    /// results with it until `None` to settle every pending task.
    pub async fn next(&mut self) -> anyhow::Result<Option<T>> {
        let Some(oldest) = self.pending.pop_front() else {
            return Ok(None);
        };
        Ok(Some(oldest.await?))
    }
}

impl<T> Drop for InOrder<T> {
    fn drop(&mut self) {
        for task in &self.pending {
            task.abort();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    use tokio::sync::oneshot;

    #[tokio::test]
    async fn results_come_in_the_order_started_though_the_last_finished_first() {
        let mut queue = InOrder::new(4);
        let (first_done, first) = oneshot::channel::<()>();
        queue.push(async move {
            first.await.unwrap();
            "first"
        });
        queue.push(async { "second" });
        tokio::task::yield_now().await;
        assert_eq!(
            queue.ready().await.unwrap(),
            None,
            "the first is still running"
        );
        first_done.send(()).unwrap();
        assert_eq!(queue.next().await.unwrap(), Some("first"));
        assert_eq!(queue.next().await.unwrap(), Some("second"));
        assert_eq!(queue.next().await.unwrap(), None);
    }

    #[tokio::test]
    async fn beyond_its_depth_ready_waits_for_the_oldest() {
        let mut queue = InOrder::new(1);
        let (release, released) = oneshot::channel::<()>();
        queue.push(async move {
            released.await.unwrap();
            1
        });
        queue.push(async { 2 });
        let waiting = tokio::spawn(async move {
            let oldest = queue.ready().await.unwrap();
            (oldest, queue)
        });
        tokio::task::yield_now().await;
        assert!(!waiting.is_finished(), "two pending, depth one: it waits");
        release.send(()).unwrap();
        let (oldest, mut queue) = waiting.await.unwrap();
        assert_eq!(oldest, Some(1));
        assert_eq!(queue.next().await.unwrap(), Some(2));
    }

    #[tokio::test]
    async fn dropping_the_queue_aborts_what_was_not_taken() {
        let finished = Arc::new(AtomicBool::new(false));
        let (release, released) = oneshot::channel::<()>();
        let mut queue = InOrder::new(4);
        let flag = finished.clone();
        queue.push(async move {
            let _ = released.await;
            flag.store(true, Ordering::SeqCst);
        });
        drop(queue);
        let _ = release.send(());
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        assert!(!finished.load(Ordering::SeqCst), "the task was aborted");
    }
}
