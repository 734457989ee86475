//! The export's scan: every unfinished shard paged into the sink, each page's MFA looked up beside
//! the scan ([`ExportScan`], the export's [`ScanState`]), so an export with look-ups takes about
//! the longer of its `ListUsers` pages at `--rps` and its look-ups at `--mfa-rps` (each page's
//! look-ups no longer wait for the previous page's slowest answer).

use std::path::Path;
use std::sync::Arc;

use super::ExportArgs;
use super::mfa;
use super::sink::Sink;
use crate::in_order::InOrder;
use crate::pacer::Pacer;
use crate::progress::Progress;
use crate::scan::{self, Page, PoolScan, ScanState, Scanned};

/// Pages every unfinished shard with `--segments` concurrent scans into the sink.
/// Returns whether a signal interrupted the run.
pub(super) async fn scan_all(
    args: &ExportArgs,
    source: &aws_sdk_cognitoidentityprovider::Client,
    pacer: &Arc<Pacer>,
    lookup: Option<mfa::Lookup<'_>>,
    sink: &mut Sink<'_>,
    progress: &mut Progress,
) -> anyhow::Result<bool> {
    let pool = PoolScan {
        client: source,
        pacer,
        pool_id: &args.old.source_pool_id,
        segments: args.scan.segments,
    };
    let mut state = ExportScan {
        source,
        pool_id: &args.old.source_pool_id,
        out: &args.out,
        lookup,
        pending: InOrder::new(scan::PAGES_IN_LOOK_UP),
        sink,
        progress,
    };
    let scanned = scan::scan(pool, &mut state, crate::signals::stop_requested()).await?;
    Ok(scanned == Scanned::Stopped)
}

/// What was looked up of a page's users: one answer per user, in page order (empty without a
/// look-up).
type PageMfa = anyhow::Result<Vec<Option<mfa::LookedUp>>>;

/// The export's side of the scan: each page's MFA looked up beside the scan (up to
/// [`scan::PAGES_IN_LOOK_UP`] pages at once), its users filed by the sink in arrival order once
/// they are read, whose checkpoint holds the cursors: a page still being looked up when the run
/// stops or fails is dropped unwritten, and its cursor has not moved past it.
struct ExportScan<'s, 'a> {
    source: &'s aws_sdk_cognitoidentityprovider::Client,
    pool_id: &'s str,
    out: &'s Path,
    lookup: Option<mfa::Lookup<'s>>,
    pending: InOrder<(Page, PageMfa)>,
    sink: &'s mut Sink<'a>,
    progress: &'s mut Progress,
}

impl ExportScan<'_, '_> {
    /// Files a page whose look-ups are done, and moves its cursor.
    fn write(&mut self, page: Page, mfa: PageMfa) -> anyhow::Result<()> {
        let mfa = mfa.map_err(|err| self.failed(err))?;
        self.sink
            .page(page.shard, &page.users, &mfa, page.next_token)?;
        let c = self.sink.totals();
        self.progress.update(
            c.seen,
            &format!(
                "(exported {}, rejected {}, skipped {})",
                c.exported, c.rejected, c.skipped
            ),
        );
        Ok(())
    }

    /// The next page whose look-ups are done (see [`InOrder::ready`]), or every pending one in
    /// turn when `all`.
    async fn looked_up(&mut self, all: bool) -> anyhow::Result<Option<(Page, PageMfa)>> {
        let next = match all {
            true => self.pending.next().await,
            false => self.pending.ready().await,
        };
        next.map_err(|err| self.failed(err))
    }
}

impl ScanState for ExportScan<'_, '_> {
    fn cursors(&mut self) -> &mut Vec<scan::ShardCursor> {
        self.sink.cursors()
    }

    async fn page(&mut self, page: Page) -> anyhow::Result<()> {
        let Some(lookup) = self.lookup else {
            return self.write(page, Ok(Vec::new()));
        };
        let mfa = mfa::look_up(self.source, lookup, self.pool_id, &page.users);
        self.pending.push(async move { (page, mfa.await) });
        while let Some((page, mfa)) = self.looked_up(false).await? {
            self.write(page, mfa)?;
        }
        Ok(())
    }

    async fn settle(&mut self) -> anyhow::Result<()> {
        while let Some((page, mfa)) = self.looked_up(true).await? {
            self.write(page, mfa)?;
        }
        Ok(())
    }

    fn refused(&mut self, shard: usize) -> anyhow::Result<()> {
        self.sink.refused(shard)
    }

    /// Saves the checkpoint, so `--resume` continues from what was read.
    fn failed(&mut self, err: anyhow::Error) -> anyhow::Error {
        if let Err(not_saved) = self.sink.save() {
            return not_saved;
        }
        err.context(format!(
            "export stopped; what was read so far is checkpointed in {}: fix the cause, then rerun with --resume",
            self.out.display()
        ))
    }
}
