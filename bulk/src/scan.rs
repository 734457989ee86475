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
use crate::seen_users::SeenUsers;
use crate::shards::{self, AfterRefusal};

/// The most users one `ListUsers` page may hold (Cognito rejects more).
pub const PAGE_LIMIT: i32 = 60;

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
    /// The shard's token was refused and its scan was abandoned: the writer decides how it
    /// continues ([`shards::after_refusal`]) and puts that work in the queue
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
) {
    while let Some((shard, prefix, token)) = queue.next().await {
        let scan = Shard {
            index: shard,
            prefix: &prefix,
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
        match result {
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
            }
            Err(err) if token.is_some() && is_refused_token(&err) => {
                events
                    .send(ScanEvent::Refused { shard })
                    .await
                    .map_err(|_| ())?;
                return Ok(Paged::HandedBack);
            }
            Err(err) => {
                let err = explain("ListUsers", pool_id, err);
                events.send(ScanEvent::Failed(err)).await.map_err(|_| ())?;
                return Err(());
            }
        }
    }
}

/// True when an answer to a request that sent a pagination token may be a refusal of that token.
///
/// Tokens expire ("The PaginationToken expires after one hour", per the Cognito developer guide
/// on managing users), but AWS documents neither how a stale token is refused nor in what words:
/// the only wording on record is an `InvalidParameterException` saying "Paging marker … is
/// invalid for request …" (aws/aws-sdk-js#3705), and moto answers `InvalidToken`. So any
/// `InvalidParameterException` counts, whatever its message: the request's other parameters
/// were accepted on the shard's first page, and the parts that replace the shard start without a
/// token, so a failure that is not about the token is reported as it is on their first pages.
fn is_refused_token<E: ProvideErrorMetadata>(err: &SdkError<E, HttpResponse>) -> bool {
    matches!(
        err.code(),
        Some("InvalidParameterException" | "InvalidToken")
    )
}

/// Reads every user of `pool_id` once, with `segments` concurrent shard scans, handing each
/// page's users to `each` in arrival order. A shard whose token is refused goes on as
/// [`shards::after_refusal`] says, and the users it had read are not handed on again
/// ([`SeenUsers`]). For read-only reports (`plan`, `verify`, `status`); the export has its own
/// checkpointed loop.
pub async fn each_user(
    client: &Client,
    pacer: &Arc<Pacer>,
    pool_id: &str,
    segments: u8,
    mut each: impl FnMut(&UserType),
) -> anyhow::Result<()> {
    each_page(
        client,
        pacer,
        pool_id,
        segments,
        async |users: Vec<UserType>| {
            users.iter().for_each(&mut each);
            Ok(())
        },
    )
    .await
}

/// As [`each_user`], but hands `each` a page's users not seen before (in page order) and waits
/// for it before taking the next page, so `each` may call Cognito about them (`plan`'s factor
/// look-ups) while the scans wait (at most two pages a scan are read ahead).
pub async fn each_page(
    client: &Client,
    pacer: &Arc<Pacer>,
    pool_id: &str,
    segments: u8,
    mut each: impl AsyncFnMut(Vec<UserType>) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let mut cursors: Vec<(String, u32)> = shards::prefixes(segments)
        .into_iter()
        .map(|prefix| (prefix, 0))
        .collect();
    let work = cursors
        .iter()
        .enumerate()
        .map(|(i, (prefix, _))| (i, prefix.clone(), None));
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
            ))
        })
        .collect();
    drop(events);
    let mut seen = SeenUsers::default();
    let mut result = Ok(());
    while let Some(event) = received.recv().await {
        result = match event {
            ScanEvent::Page { users, .. } => {
                let fresh: anyhow::Result<Vec<UserType>> = users
                    .into_iter()
                    .filter_map(|user| match seen.first_time(&user) {
                        Ok(true) => Some(Ok(user)),
                        Ok(false) => None,
                        Err(err) => Some(Err(err)),
                    })
                    .collect();
                match fresh {
                    Ok(fresh) => each(fresh).await,
                    Err(err) => Err(err),
                }
            }
            ScanEvent::Refused { shard } => seen
                .refused()
                .and_then(|_| after_refusal(&mut cursors, shard))
                .map(|work| queue.replace(work)),
            ScanEvent::Failed(err) => Err(err),
        };
        if result.is_err() {
            break;
        }
    }
    for scan in scans {
        scan.abort();
    }
    result
}

/// Changes `cursors` (each shard's prefix and refusals at its narrowest) for a refused token of
/// shard `shard`, and returns the work that replaces it.
fn after_refusal(cursors: &mut Vec<(String, u32)>, shard: usize) -> anyhow::Result<Vec<ShardWork>> {
    let (prefix, refusals) = cursors[shard].clone();
    match shards::after_refusal(&prefix, refusals)? {
        AfterRefusal::Split(parts) => {
            tracing::warn!(
                shard = shards::label(&prefix),
                "pagination token refused (expired): reading the shard as 16 narrower parts"
            );
            let first = cursors.len();
            cursors.extend(parts.into_iter().map(|part| (part, 0)));
            Ok((first..cursors.len())
                .map(|i| (i, cursors[i].0.clone(), None))
                .collect())
        }
        AfterRefusal::Restart => {
            cursors[shard].1 += 1;
            Ok(vec![(shard, prefix, None)])
        }
    }
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
