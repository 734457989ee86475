//! The export's scan: every unfinished shard paged into the sink, each page's MFA looked up on
//! the way ([`ExportScan`], the export's [`ScanState`]).

use std::path::Path;
use std::sync::Arc;

use super::ExportArgs;
use super::mfa;
use super::sink::Sink;
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
        pool_id: &args.source_pool_id,
        segments: args.segments,
    };
    let mut state = ExportScan {
        source,
        pool_id: &args.source_pool_id,
        out: &args.out,
        lookup,
        sink,
        progress,
    };
    let scanned = scan::scan(pool, &mut state, crate::signals::stop_requested()).await?;
    Ok(scanned == Scanned::Stopped)
}

/// The export's side of the scan: each page's MFA looked up, its users filed by the sink, whose
/// checkpoint holds the cursors.
struct ExportScan<'s, 'a> {
    source: &'s aws_sdk_cognitoidentityprovider::Client,
    pool_id: &'s str,
    out: &'s Path,
    lookup: Option<mfa::Lookup<'s>>,
    sink: &'s mut Sink<'a>,
    progress: &'s mut Progress,
}

impl ScanState for ExportScan<'_, '_> {
    fn cursors(&mut self) -> &mut Vec<scan::ShardCursor> {
        self.sink.cursors()
    }

    async fn page(&mut self, page: Page) -> anyhow::Result<()> {
        let mfa = match &self.lookup {
            Some(lookup) => mfa::look_up(self.source, *lookup, self.pool_id, &page.users)
                .await
                .map_err(|err| self.failed(err))?,
            None => Vec::new(),
        };
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
