//! The one sharded `ListUsers` scan: every pool read of the crate that pages users goes through
//! [`scan`], shard by shard, concurrently, through the run's pacer.
//!
//! Where the scan stands is a list of [`ShardCursor`]s that the caller keeps, with what a page
//! does and how progress survives a crash ([`ScanState`]): the export's checkpoint, the new-pool
//! index's store, or nothing for the read-only reports ([`each_user`], [`each_page`]). A refused
//! pagination token changes that list one way for all of them ([`shards::after_refusal`]).

use std::collections::VecDeque;
use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_cognitoidentityprovider::types::UserType;
use aws_smithy_runtime_api::http::Response as HttpResponse;
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;

use crate::errors::explain;
use crate::in_order::InOrder;
use crate::pacer::Pacer;
use crate::seen_users::SeenUsers;
use crate::shards::{self, AfterRefusal};

/// The most users one `ListUsers` page may hold (Cognito rejects more).
pub const PAGE_LIMIT: i32 = 60;

/// Where one shard's scan stands; the export's checkpoint and the new-pool index keep these as
/// they are.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShardCursor {
    /// `sub` prefix of the shard (empty: the whole pool).
    pub prefix: String,
    /// Token of the next page to fetch; `None` with `done == false` means "from the start".
    pub next_token: Option<String>,
    /// Every page has been read, or the shard was split into narrower parts that follow it in
    /// the list.
    pub done: bool,
    /// For a part of a split shard: the label of the shard of the scan's start it was split from
    /// (the export's ledger of the users read before the split). Written `ledger` by earlier
    /// versions.
    #[serde(default, alias = "ledger", skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
    /// Refused tokens of a shard that can be split no further (see [`shards::after_refusal`]).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub refusals: u32,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

impl ShardCursor {
    /// A shard of `prefix` to read from its first page.
    pub fn new(prefix: String) -> ShardCursor {
        ShardCursor {
            prefix,
            next_token: None,
            done: false,
            origin: None,
            refusals: 0,
        }
    }

    /// Moves the cursor past a page whose next page has `next_token` (`None`: the last page).
    pub fn paged(&mut self, next_token: Option<String>) {
        self.done = next_token.is_none();
        self.next_token = next_token;
    }

    /// The label of the shard of the scan's start this one is, or is a part of.
    pub fn origin_label(&self) -> &str {
        self.origin
            .as_deref()
            .unwrap_or_else(|| shards::label(&self.prefix))
    }

    /// True when some of the users this shard reads may have been read before: it was read
    /// again from its first page, or it is a part of a split shard.
    pub fn read_again(&self) -> bool {
        self.origin.is_some() || self.refusals > 0
    }
}

/// What a caller does with a scan: keeps its cursors, files its pages and records refusals, in
/// the order its persistence needs.
pub trait ScanState {
    /// The cursors, one per shard (the parts of split shards appended), that the scan reads and,
    /// after a refused token, changes.
    fn cursors(&mut self) -> &mut Vec<ShardCursor>;

    /// Files one page, and moves its shard's cursor past it ([`ShardCursor::paged`]).
    fn page(&mut self, page: Page) -> impl Future<Output = anyhow::Result<()>>;

    /// Records the cursors after a refused token of shard `shard` changed them.
    fn refused(&mut self, shard: usize) -> anyhow::Result<()>;

    /// Files every page handed to [`ScanState::page`] that is not filed yet (a state that looks
    /// a page's users up beside the scan files it once they are read). [`scan`] calls it before
    /// a refused token changes the cursors and once every shard is read; on a stop or a failure
    /// it is not called, and the pages not filed are dropped (their cursors never moved).
    fn settle(&mut self) -> impl Future<Output = anyhow::Result<()>> {
        std::future::ready(Ok(()))
    }

    /// The error the scan stops with when a request fails for good or a shard is refused too
    /// often (the export saves its checkpoint and says how to resume).
    fn failed(&mut self, err: anyhow::Error) -> anyhow::Error {
        err
    }
}

/// One page of a shard, in order.
pub struct Page {
    /// Shard index.
    pub shard: usize,
    /// The page's users.
    pub users: Vec<UserType>,
    /// Token of the next page; `None` after the last page.
    pub next_token: Option<String>,
}

/// The pool a scan reads, and how.
#[derive(Clone, Copy)]
pub struct PoolScan<'a> {
    /// Client for the pool's region and account.
    pub client: &'a Client,
    /// The run's pacer (one rate limit for every request).
    pub pacer: &'a Arc<Pacer>,
    /// The pool.
    pub pool_id: &'a str,
    /// Concurrent shard scans.
    pub segments: u8,
}

/// How a scan ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scanned {
    /// Every shard was read to its end.
    ToTheEnd,
    /// The `stop` future fired first (a signal): the caller's state says where it stands.
    Stopped,
}

/// Pages every shard of `state` that is not done, with `pool.segments` concurrent scans, handing
/// pages to `state` in arrival order and one at a time, until every shard is read, a request
/// fails, or `stop` fires. A shard whose token is refused goes on as
/// [`shards::after_refusal`] says: split into 16 narrower parts appended to the cursors (the
/// shard counts as done), or from its first page again.
pub async fn scan(
    pool: PoolScan<'_>,
    state: &mut impl ScanState,
    stop: impl Future<Output = ()>,
) -> anyhow::Result<Scanned> {
    let work: Vec<ShardWork> = state
        .cursors()
        .iter()
        .enumerate()
        .filter(|(_, c)| !c.done)
        .map(|(i, c)| (i, c.prefix.clone(), c.next_token.clone()))
        .collect();
    let queue = WorkQueue::new(work);
    let (events, received) = mpsc::channel(usize::from(pool.segments) * 2);
    let scans: Vec<_> = (0..pool.segments)
        .map(|_| {
            tokio::spawn(scan_shards(
                pool.client.clone(),
                pool.pacer.clone(),
                pool.pool_id.to_string(),
                queue.clone(),
                events.clone(),
            ))
        })
        .collect();
    drop(events);
    let result = drive(received, &queue, state, stop).await;
    for scan in scans {
        scan.abort();
    }
    result
}

/// Hands the shard scans' events to `state` until the scans are done, one fails, or `stop`
/// fires; settles `state` before a refusal changes the cursors and at the end.
async fn drive(
    mut received: mpsc::Receiver<ScanEvent>,
    queue: &WorkQueue,
    state: &mut impl ScanState,
    stop: impl Future<Output = ()>,
) -> anyhow::Result<Scanned> {
    let mut stop = std::pin::pin!(stop);
    loop {
        let event = tokio::select! {
            event = received.recv() => event,
            _ = &mut stop => return Ok(Scanned::Stopped),
        };
        let handled = match event {
            None => {
                return tokio::select! {
                    settled = state.settle() => settled.map(|()| Scanned::ToTheEnd),
                    _ = &mut stop => Ok(Scanned::Stopped),
                };
            }
            Some(ScanEvent::Page(page)) => tokio::select! {
                paged = state.page(page) => paged,
                _ = &mut stop => return Ok(Scanned::Stopped),
            },
            Some(ScanEvent::Refused { shard }) => {
                let settled = tokio::select! {
                    settled = state.settle() => settled,
                    _ = &mut stop => return Ok(Scanned::Stopped),
                };
                settled.and_then(|()| match after_refusal(state.cursors(), shard) {
                    Ok(work) => state.refused(shard).map(|()| queue.replace(work)),
                    Err(err) => Err(state.failed(err)),
                })
            }
            Some(ScanEvent::Failed(err)) => Err(state.failed(err)),
        };
        handled?;
    }
}

/// Changes `cursors` for a refused token of shard `shard` and returns the work that replaces it:
/// a split shard counts as done and its parts are appended, each from its first page; a shard
/// that can be split no further starts again from its own.
fn after_refusal(cursors: &mut Vec<ShardCursor>, shard: usize) -> anyhow::Result<Vec<ShardWork>> {
    let after = shards::after_refusal(&cursors[shard].prefix, cursors[shard].refusals)?;
    let cursor = &mut cursors[shard];
    cursor.next_token = None;
    match after {
        AfterRefusal::Split(parts) => {
            tracing::warn!(
                shard = shards::label(&cursor.prefix),
                "pagination token refused (expired): reading the shard as 16 narrower parts"
            );
            cursor.done = true;
            let origin = cursor.origin_label().to_string();
            let first = cursors.len();
            cursors.extend(parts.into_iter().map(|prefix| ShardCursor {
                origin: Some(origin.clone()),
                ..ShardCursor::new(prefix)
            }));
            Ok((first..cursors.len())
                .map(|i| (i, cursors[i].prefix.clone(), None))
                .collect())
        }
        AfterRefusal::Restart => {
            cursor.done = false;
            cursor.refusals += 1;
            Ok(vec![(shard, cursor.prefix.clone(), None)])
        }
    }
}

/// Reads every user of `pool` once, handing each page's users to `each` in arrival order. A
/// shard whose token is refused goes on as [`shards::after_refusal`] says, and the users it had
/// read are not handed on again ([`SeenUsers`]). For read-only reports (`plan`, `verify`,
/// `status`, `id-map`), which keep no cursors.
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
/// for it before taking the next page, so `each` may call Cognito about them while the scans
/// wait (at most two pages a scan are read ahead).
pub async fn each_page(
    client: &Client,
    pacer: &Arc<Pacer>,
    pool_id: &str,
    segments: u8,
    mut each: impl AsyncFnMut(Vec<UserType>) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    each_looked_up_page(
        client,
        pacer,
        pool_id,
        segments,
        |_: &[UserType]| std::future::ready(Ok(())),
        async |users, ()| each(users).await,
    )
    .await
}

/// As [`each_page`], but what `look_up` finds about a page's fresh users is read beside the scan:
/// `look_up` starts when the page arrives, up to [`PAGES_IN_LOOK_UP`] pages are looked up at
/// once, and `each` gets each page with what was found, in arrival order.
pub async fn each_looked_up_page<L, Fut, T>(
    client: &Client,
    pacer: &Arc<Pacer>,
    pool_id: &str,
    segments: u8,
    look_up: L,
    each: impl AsyncFnMut(Vec<UserType>, T) -> anyhow::Result<()>,
) -> anyhow::Result<()>
where
    L: FnMut(&[UserType]) -> Fut,
    Fut: Future<Output = anyhow::Result<T>> + Send + 'static,
    T: Send + 'static,
{
    let pool = PoolScan {
        client,
        pacer,
        pool_id,
        segments,
    };
    let mut state = Unkept::new(shards::prefixes(segments), look_up, each);
    scan(pool, &mut state, std::future::pending()).await?;
    Ok(())
}

/// How many pages have their users looked up at once beside the scan (export's MFA, the reports'
/// factors). Two already keep the look-ups' pacer busy across one page's slowest answer (the
/// pacer serves requests in the order they asked, so the next page's requests are queued while
/// the last of a page's are answered); four also cover an answer held up by retries (the first
/// back-offs are 250 and 500 ms: 240 queued requests last 2 s at 120/s, 12 s at 20/s). More would
/// only cost memory and pages read again after a stop (their cursors move only once written).
pub const PAGES_IN_LOOK_UP: usize = 4;

/// A page whose users are being looked up: its shard, the token after it, and its fresh users.
type PageLookUp<T> = (usize, Option<String>, Vec<UserType>, anyhow::Result<T>);

/// A read-only scan's state: cursors in memory, the users already handed on, and the pages whose
/// users are being looked up.
struct Unkept<L, T, E> {
    cursors: Vec<ShardCursor>,
    seen: SeenUsers,
    look_up: L,
    pending: InOrder<PageLookUp<T>>,
    each: E,
}

impl<L, Fut, T, E> Unkept<L, T, E>
where
    L: FnMut(&[UserType]) -> Fut,
    Fut: Future<Output = anyhow::Result<T>> + Send + 'static,
    T: Send + 'static,
    E: AsyncFnMut(Vec<UserType>, T) -> anyhow::Result<()>,
{
    fn new(prefixes: Vec<String>, look_up: L, each: E) -> Self {
        Unkept {
            cursors: prefixes.into_iter().map(ShardCursor::new).collect(),
            seen: SeenUsers::default(),
            look_up,
            pending: InOrder::new(PAGES_IN_LOOK_UP),
            each,
        }
    }

    /// Moves the page's cursor and hands its users on.
    async fn hand_on(&mut self, looked_up: PageLookUp<T>) -> anyhow::Result<()> {
        let (shard, next_token, fresh, found) = looked_up;
        self.cursors[shard].paged(next_token);
        (self.each)(fresh, found?).await
    }
}

impl<L, Fut, T, E> ScanState for Unkept<L, T, E>
where
    L: FnMut(&[UserType]) -> Fut,
    Fut: Future<Output = anyhow::Result<T>> + Send + 'static,
    T: Send + 'static,
    E: AsyncFnMut(Vec<UserType>, T) -> anyhow::Result<()>,
{
    fn cursors(&mut self) -> &mut Vec<ShardCursor> {
        &mut self.cursors
    }

    async fn page(&mut self, page: Page) -> anyhow::Result<()> {
        let mut fresh = Vec::with_capacity(page.users.len());
        for user in page.users {
            if self.seen.first_time(&user)? {
                fresh.push(user);
            }
        }
        let found = (self.look_up)(&fresh);
        let (shard, next_token) = (page.shard, page.next_token);
        self.pending
            .push(async move { (shard, next_token, fresh, found.await) });
        while let Some(looked_up) = self.pending.ready().await? {
            self.hand_on(looked_up).await?;
        }
        Ok(())
    }

    fn refused(&mut self, _shard: usize) -> anyhow::Result<()> {
        self.seen.refused()
    }

    async fn settle(&mut self) -> anyhow::Result<()> {
        while let Some(looked_up) = self.pending.next().await? {
            self.hand_on(looked_up).await?;
        }
        Ok(())
    }
}

/// What a shard scan reports to the driver.
enum ScanEvent {
    /// One page of a shard, in order.
    Page(Page),
    /// The shard's token was refused and its scan was abandoned: the driver decides how it
    /// continues ([`after_refusal`]) and puts that work in the queue ([`WorkQueue::replace`]).
    Refused {
        /// Shard index.
        shard: usize,
    },
    /// A request failed for good.
    Failed(anyhow::Error),
}

/// A shard still to scan: its index, `sub` prefix and the token to continue from.
type ShardWork = (usize, String, Option<String>);

/// The shards still to scan, shared by the scans: a scan waits for more work while another
/// shard is still being paged (a refused shard may come back as several).
struct WorkQueue {
    items: Mutex<VecDeque<ShardWork>>,
    /// Shards queued or being paged.
    open: AtomicUsize,
}

/// How long an idle scan waits before looking at the queue again.
const IDLE_WAIT: Duration = Duration::from_millis(50);

impl WorkQueue {
    /// A queue holding `work`.
    fn new(work: impl IntoIterator<Item = ShardWork>) -> Arc<WorkQueue> {
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
    fn replace(&self, work: impl IntoIterator<Item = ShardWork>) {
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
async fn scan_shards(
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
                let event = ScanEvent::Page(Page {
                    shard,
                    users: page.users.unwrap_or_default(),
                    next_token,
                });
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

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_cognitoidentityprovider::operation::list_users::ListUsersError;
    use aws_smithy_runtime_api::http::StatusCode;
    use aws_smithy_types::body::SdkBody;
    use aws_smithy_types::error::ErrorMetadata;
    use tokio::sync::oneshot;

    fn answer(code: &str, message: &str) -> SdkError<ListUsersError, HttpResponse> {
        let meta = ErrorMetadata::builder().code(code).message(message).build();
        let raw = HttpResponse::new(StatusCode::try_from(400).unwrap(), SdkBody::from("{}"));
        SdkError::service_error(ListUsersError::generic(meta), raw)
    }

    /// A read-only scan's state over one shard (the whole pool) whose page look-ups finish when
    /// the test releases them (one gate per page, in order), recording the users handed on.
    fn gated(
        gates: Vec<oneshot::Receiver<()>>,
        handed: &Mutex<Vec<String>>,
    ) -> impl ScanState + '_ {
        let mut gates = VecDeque::from(gates);
        let look_up = move |_: &[UserType]| {
            let gate = gates.pop_front().expect("a gate per page");
            async move { gate.await.map_err(|_| anyhow::anyhow!("gate dropped")) }
        };
        let each = async |users: Vec<UserType>, ()| {
            let mut handed = handed.lock().unwrap();
            handed.extend(users.iter().filter_map(|u| u.username().map(String::from)));
            Ok(())
        };
        Unkept::new(vec![String::new()], look_up, each)
    }

    fn page(name: &str, next_token: &str) -> ScanEvent {
        ScanEvent::Page(Page {
            shard: 0,
            users: vec![UserType::builder().username(name).build()],
            next_token: Some(next_token.to_string()),
        })
    }

    /// Fires `gate` once the driver has waited a little (it runs on the test's one thread).
    fn later(gate: oneshot::Sender<()>) {
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(20)).await;
            let _ = gate.send(());
        });
    }

    #[tokio::test]
    async fn pages_being_looked_up_are_written_before_a_refusal_changes_the_cursors() {
        let handed = Mutex::new(Vec::new());
        let (release, gate) = oneshot::channel();
        let mut state = gated(vec![gate], &handed);
        let queue = WorkQueue::new([(0, String::new(), None)]);
        let (events, received) = mpsc::channel(4);
        events.send(page("ann", "t1")).await.unwrap();
        events.send(ScanEvent::Refused { shard: 0 }).await.unwrap();
        drop(events);
        later(release);
        let scanned = drive(received, &queue, &mut state, std::future::pending()).await;
        assert_eq!(scanned.unwrap(), Scanned::ToTheEnd);
        assert_eq!(*handed.lock().unwrap(), ["ann"]);
        // Written after the refusal, the page would have moved the refused shard to "t1" again.
        let cursors = state.cursors();
        assert!(cursors[0].done && cursors[0].next_token.is_none());
        assert_eq!(cursors.len(), 17, "the shard's 16 parts follow it");
    }

    #[tokio::test]
    async fn a_stop_drops_the_pages_still_being_looked_up_unwritten() {
        let handed = Mutex::new(Vec::new());
        let (first_done, first) = oneshot::channel();
        let (_never, second) = oneshot::channel();
        let mut state = gated(vec![first, second], &handed);
        let queue = WorkQueue::new([(0, String::new(), None)]);
        let (events, received) = mpsc::channel(4);
        first_done.send(()).unwrap();
        events.send(page("ann", "t1")).await.unwrap();
        let (signal, stop) = oneshot::channel();
        // Bob's page arrives once ann's look-up is done (ann is then written), the stop after.
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(20)).await;
            events.send(page("bob", "t2")).await.unwrap();
            later(signal);
            std::future::pending::<()>().await;
        });
        let stop = async {
            let _ = stop.await;
        };
        let scanned = drive(received, &queue, &mut state, stop).await;
        assert_eq!(scanned.unwrap(), Scanned::Stopped);
        assert_eq!(
            *handed.lock().unwrap(),
            ["ann"],
            "bob's page was never written"
        );
        assert_eq!(state.cursors()[0].next_token.as_deref(), Some("t1"));
    }

    #[tokio::test]
    async fn a_failure_drops_the_pages_still_being_looked_up_unwritten() {
        let handed = Mutex::new(Vec::new());
        let (_never, gate) = oneshot::channel();
        let mut state = gated(vec![gate], &handed);
        let queue = WorkQueue::new([(0, String::new(), None)]);
        let (events, received) = mpsc::channel(4);
        events.send(page("ann", "t1")).await.unwrap();
        let failure = anyhow::anyhow!("ListUsers failed");
        events.send(ScanEvent::Failed(failure)).await.unwrap();
        let scanned = drive(received, &queue, &mut state, std::future::pending()).await;
        assert_eq!(scanned.unwrap_err().to_string(), "ListUsers failed");
        assert!(handed.lock().unwrap().is_empty());
        let cursor = &state.cursors()[0];
        assert!(
            cursor.next_token.is_none() && !cursor.done,
            "resume reads it again"
        );
    }

    #[test]
    fn a_refused_shard_is_done_and_its_parts_follow_it_then_the_narrowest_restart() {
        let mut cursors = vec![ShardCursor::new("a".into())];
        cursors[0].paged(Some("t".into()));
        let work = after_refusal(&mut cursors, 0).unwrap();
        assert_eq!(work.len(), 16);
        assert_eq!(work[1], (2, "a1".to_string(), None));
        assert!(cursors[0].done && cursors[0].next_token.is_none());
        assert_eq!(cursors[2].origin_label(), "a");
        assert!(cursors[2].read_again() && !cursors[0].read_again());
        let mut narrowest = vec![ShardCursor::new("01234567".into())];
        narrowest[0].paged(Some("t".into()));
        let work = after_refusal(&mut narrowest, 0).unwrap();
        assert_eq!(work, [(0, "01234567".to_string(), None)]);
        assert_eq!((narrowest[0].done, narrowest[0].refusals), (false, 1));
        assert!(narrowest[0].read_again());
    }

    #[test]
    fn a_cursor_of_an_earlier_checkpoint_reads_its_ledger_as_its_origin() {
        let earlier =
            r#"{"prefix":"a3","next_token":null,"done":false,"restarted":true,"ledger":"a"}"#;
        let cursor: ShardCursor = serde_json::from_str(earlier).unwrap();
        assert_eq!(cursor.origin_label(), "a");
        assert!(cursor.read_again());
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
