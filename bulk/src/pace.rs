//! How fast a command calls Cognito, and how often a long one reports progress: the same flags in
//! every command, one struct each, flattened in.

use std::num::NonZeroU32;
use std::time::Duration;

use crate::pacer::Pacer;

/// `--rps`, `--max-retries`. `DEFAULT_RPS` and `MAX_RPS` are the
/// command's own: commands that page `ListUsers` stop at its quota of 30 requests/s per account.
#[derive(Debug, Clone, clap::Args)]
pub struct PaceArgs<const DEFAULT_RPS: u32, const MAX_RPS: u32> {
    /// Requests per second for the whole run, retries included. The account's quotas are shared
    /// with production traffic: the default leaves most of them free.
    #[arg(long, default_value_t = DEFAULT_RPS, value_parser = clap::value_parser!(u32).range(1..=i64::from(MAX_RPS)))]
    pub rps: u32,
    /// Retries per request for throttling and transient faults.
    #[arg(long, default_value_t = 8)]
    pub max_retries: usize,
}

/// `--progress-interval`, in the commands that run long enough to report progress.
#[derive(Debug, Clone, clap::Args)]
pub struct ProgressArgs {
    /// Seconds between progress lines when stderr is not a terminal.
    #[arg(long, default_value_t = 10)]
    pub progress_interval: u64,
}

impl ProgressArgs {
    /// Time between progress lines.
    pub fn interval(&self) -> Duration {
        Duration::from_secs(self.progress_interval)
    }
}

/// What every command that scans pools takes: the pace of its requests, how often it reports
/// progress, and how many shard scans run at once.
#[derive(Debug, Clone, clap::Args)]
pub struct ScanArgs {
    /// How fast Cognito is called, and retries.
    #[command(flatten)]
    pub pace: ScanPace,
    /// How often progress is reported.
    #[command(flatten)]
    pub progress: ProgressArgs,
    /// Concurrent scans of each pool read (1-16). More than one splits a pool into 16 `sub`
    /// prefixes paged in parallel, so the rate is reached even when one round trip is slow.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u8).range(1..=16))]
    pub segments: u8,
}

/// ListUsers is limited to 30 requests per second per account, and the limit cannot be raised.
pub const LIST_USERS_QUOTA: u32 = 30;

/// The pace of commands that page `ListUsers`: 10 requests/s unless told, at most its quota.
pub type ScanPace = PaceArgs<10, LIST_USERS_QUOTA>;

impl<const DEFAULT_RPS: u32, const MAX_RPS: u32> PaceArgs<DEFAULT_RPS, MAX_RPS> {
    /// The run's pacer.
    pub fn pacer(&self) -> Pacer {
        Pacer::new(
            NonZeroU32::new(self.rps).expect("clap allows 1 and up"),
            self.max_retries,
        )
    }
}
