//! Paging `ListUsers` shard by shard, concurrently, through the run's pacer.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_cognitoidentityprovider::types::UserType;
use aws_smithy_runtime_api::http::Response as HttpResponse;
use tokio::sync::mpsc;

use crate::errors::explain;
use crate::pacer::Pacer;
use crate::shards;

/// The most users one `ListUsers` page may hold (Cognito rejects more).
pub const PAGE_LIMIT: i32 = 60;
/// How often one shard may restart after a refused pagination token before the run stops.
const MAX_RESTARTS: u32 = 3;

/// What a scan reports to the writer.
pub enum ScanEvent {
    /// One page of a shard, in order.
    Page {
        /// Shard index.
        shard: usize,
        /// The page's users.
        users: Vec<UserType>,
        /// Token of the next page; `None` after the last page.
        next_token: Option<String>,
    },
    /// The shard's token was refused and its scan starts again from the first page.
    Restart {
        /// Shard index.
        shard: usize,
    },
    /// The shard's token was refused and its scan was abandoned ([`OnRefusal::HandBack`]): the
    /// writer decides how it continues and puts that work in the queue
    /// ([`WorkQueue::replace`]).
    Refused {
        /// Shard index.
        shard: usize,
    },
    /// A request failed for good.
    Failed(anyhow::Error),
}

/// A shard still to scan: its index, `sub` prefix and the token to continue from.
pub type ShardWork = (usize, String, Option<String>);

/// What a scan does when a shard's pagination token is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnRefusal {
    /// Start the shard again from its first page, up to [`MAX_RESTARTS`] times
    /// ([`ScanEvent::Restart`]).
    RestartHere,
    /// Abandon the shard and tell the writer ([`ScanEvent::Refused`]), which puts its
    /// continuation in the queue.
    HandBack,
}

/// The shards still to scan, shared by the scans: a scan waits for more work while another
/// shard is still being paged (a refused shard may come back as several).
pub struct WorkQueue {
    items: Mutex<VecDeque<ShardWork>>,
    /// Shards queued or being paged.
    open: AtomicUsize,
}

/// How long an idle scan waits before looking at the queue again.
const IDLE_WAIT: Duration = Duration::from_millis(50);

impl WorkQueue {
    /// A queue holding `work`.
    pub fn new(work: impl IntoIterator<Item = ShardWork>) -> Arc<WorkQueue> {
        let items: VecDeque<ShardWork> = work.into_iter().collect();
        Arc::new(WorkQueue {
            open: AtomicUsize::new(items.len()),
            items: Mutex::new(items),
        })
    }

    /// The next shard to page, or `None` once every shard is paged.
    async fn next(&self) -> Option<ShardWork> {
        loop {
            if let Some(work) = self.items.lock().expect("queue lock").pop_front() {
                return Some(work);
            }
            if self.open.load(Ordering::SeqCst) == 0 {
                return None;
            }
            tokio::time::sleep(IDLE_WAIT).await;
        }
    }

    /// A shard is paged to its end (or failed).
    fn finished(&self) {
        self.open.fetch_sub(1, Ordering::SeqCst);
    }

    /// Puts `work` in place of a shard handed back after [`ScanEvent::Refused`].
    pub fn replace(&self, work: impl IntoIterator<Item = ShardWork>) {
        let mut items = self.items.lock().expect("queue lock");
        for item in work {
            self.open.fetch_add(1, Ordering::SeqCst);
            items.push_back(item);
        }
        drop(items);
        self.finished();
    }
}

/// Scans shards from `queue` until every shard is paged, sending pages to `events`.
pub async fn scan_shards(
    client: Client,
    pacer: Arc<Pacer>,
    pool_id: String,
    queue: Arc<WorkQueue>,
    events: mpsc::Sender<ScanEvent>,
    on_refusal: OnRefusal,
) {
    while let Some((shard, prefix, token)) = queue.next().await {
        let scan = Shard {
            index: shard,
            prefix: &prefix,
            on_refusal,
        };
        match scan_one(&client, &pacer, &pool_id, scan, token, &events).await {
            Ok(Paged::ToTheEnd) => queue.finished(),
            Ok(Paged::HandedBack) => {}
            Err(()) => {
                queue.finished();
                return;
            }
        }
    }
}

/// One shard, as [`scan_one`] pages it.
struct Shard<'a> {
    index: usize,
    prefix: &'a str,
    on_refusal: OnRefusal,
}

/// How [`scan_one`] left a shard.
enum Paged {
    ToTheEnd,
    /// Abandoned after [`ScanEvent::Refused`]: the writer replaces it in the queue.
    HandedBack,
}

/// Pages one shard to its end. `Err` means the writer is gone or the run failed: stop working.
async fn scan_one(
    client: &Client,
    pacer: &Pacer,
    pool_id: &str,
    scan: Shard<'_>,
    mut token: Option<String>,
    events: &mpsc::Sender<ScanEvent>,
) -> Result<Paged, ()> {
    let shard = scan.index;
    let filter = shards::filter(scan.prefix);
    let mut restarts = 0;
    loop {
        let result = pacer
            .call(|| {
                client
                    .list_users()
                    .user_pool_id(pool_id)
                    .limit(PAGE_LIMIT)
                    .set_filter(filter.clone())
                    .set_pagination_token(token.clone())
                    .send()
            })
            .await;
        let event = match result {
            Ok(page) => {
                let next_token = page.pagination_token.filter(|t| !t.is_empty());
                let last = next_token.is_none();
                token = next_token.clone();
                let event = ScanEvent::Page {
                    shard,
                    users: page.users.unwrap_or_default(),
                    next_token,
                };
                events.send(event).await.map_err(|_| ())?;
                if last {
                    return Ok(Paged::ToTheEnd);
                }
                continue;
            }
            Err(err)
                if token.is_some()
                    && is_refused_token(&err)
                    && scan.on_refusal == OnRefusal::HandBack =>
            {
                events
                    .send(ScanEvent::Refused { shard })
                    .await
                    .map_err(|_| ())?;
                return Ok(Paged::HandedBack);
            }
            Err(err) if token.is_some() && is_refused_token(&err) && restarts < MAX_RESTARTS => {
                restarts += 1;
                token = None;
                ScanEvent::Restart { shard }
            }
            Err(err) => {
                let err = explain("ListUsers", pool_id, err);
                events.send(ScanEvent::Failed(err)).await.map_err(|_| ())?;
                return Err(());
            }
        };
        events.send(event).await.map_err(|_| ())?;
    }
}

/// True when an answer to a request that sent a pagination token may be a refusal of that token.
///
/// Tokens expire ("The PaginationToken expires after one hour", per the Cognito developer guide
/// on managing users), but AWS documents neither how a stale token is refused nor in what words:
/// the only wording on record is an `InvalidParameterException` saying "Paging marker … is
/// invalid for request …" (aws/aws-sdk-js#3705), and moto answers `InvalidToken`. So any
/// `InvalidParameterException` counts, whatever its message: the request's other parameters
/// were accepted on the shard's first page, and a restart that still fails is reported as it is
/// (the shard restarts from its first page, without a token, at most [`MAX_RESTARTS`] times).
fn is_refused_token<E: ProvideErrorMetadata>(err: &SdkError<E, HttpResponse>) -> bool {
    matches!(
        err.code(),
        Some("InvalidParameterException" | "InvalidToken")
    )
}

/// Reads every user of `pool_id` once, with `segments` concurrent shard scans, handing each
/// page's users to `each` in arrival order. For read-only reports (`plan`, `verify`); the export
/// has its own checkpointed loop.
pub async fn each_user(
    client: &Client,
    pacer: &Arc<Pacer>,
    pool_id: &str,
    segments: u8,
    mut each: impl FnMut(&UserType),
) -> anyhow::Result<()> {
    let work = shards::prefixes(segments)
        .into_iter()
        .enumerate()
        .map(|(i, prefix)| (i, prefix, None));
    let queue = WorkQueue::new(work);
    let (events, mut received) = mpsc::channel(usize::from(segments) * 2);
    let scans: Vec<_> = (0..segments)
        .map(|_| {
            tokio::spawn(scan_shards(
                client.clone(),
                pacer.clone(),
                pool_id.to_string(),
                queue.clone(),
                events.clone(),
                OnRefusal::RestartHere,
            ))
        })
        .collect();
    drop(events);
    let mut restarted = std::collections::HashSet::new();
    let mut result = Ok(());
    while let Some(event) = received.recv().await {
        match event {
            ScanEvent::Page { users, .. } => users.iter().for_each(&mut each),
            ScanEvent::Restart { shard } | ScanEvent::Refused { shard } => {
                restarted.insert(shard);
            }
            ScanEvent::Failed(err) => {
                result = Err(err);
                break;
            }
        }
    }
    for scan in scans {
        scan.abort();
    }
    if result.is_ok() && !restarted.is_empty() {
        anyhow::bail!(
            "a pagination token was refused (expired) during the scan of {pool_id}; run the report again"
        );
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_cognitoidentityprovider::operation::list_users::ListUsersError;
    use aws_smithy_runtime_api::http::StatusCode;
    use aws_smithy_types::body::SdkBody;
    use aws_smithy_types::error::ErrorMetadata;

    fn answer(code: &str, message: &str) -> SdkError<ListUsersError, HttpResponse> {
        let meta = ErrorMetadata::builder().code(code).message(message).build();
        let raw = HttpResponse::new(StatusCode::try_from(400).unwrap(), SdkBody::from("{}"));
        SdkError::service_error(ListUsersError::generic(meta), raw)
    }

    #[test]
    fn any_wording_of_a_refused_token_restarts_the_shard() {
        let aws = "Paging marker CAISsAIIARKJAggDEoQ is invalid for request adaa2d40";
        assert!(is_refused_token(&answer("InvalidParameterException", aws)));
        assert!(is_refused_token(&answer("InvalidParameterException", "")));
        assert!(is_refused_token(&answer("InvalidToken", "Invalid token")));
    }

    #[test]
    fn throttling_and_access_errors_are_not_token_refusals() {
        assert!(!is_refused_token(&answer(
            "TooManyRequestsException",
            "Rate exceeded"
        )));
        assert!(!is_refused_token(&answer(
            "NotAuthorizedException",
            "token"
        )));
        assert!(!is_refused_token(&answer(
            "ResourceNotFoundException",
            "pool"
        )));
    }
}
