//! AWS options shared by every subcommand, and the SDK clients built from them.
//!
//! Precedence, as in the aws CLI: a per-side flag (`--source-region`) beats the both-sides flag
//! (`--region`), which beats the environment (`AWS_REGION`, `AWS_PROFILE`, `AWS_ENDPOINT_URL`),
//! which beats the profile's settings. Without any of them the region is the one the pool id
//! names (`eu-west-1_AbC123` → `eu-west-1`). Pool ids are checked when the flags are parsed
//! ([`pool_id_arg`]), before any request.

use std::time::Duration;

use aws_config::default_provider::region::DefaultRegionChain;
use aws_config::meta::region::RegionProviderChain;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, SdkConfig};
use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::config::Region;
use clap::Args;

/// Region, profile and endpoint for both pools, with per-side overrides.
#[derive(Debug, Clone, Default, Args)]
pub struct AwsArgs {
    /// AWS region of both pools [env: AWS_REGION]. Overridden per side by --source-region/--target-region.
    #[arg(long, global = true)]
    pub region: Option<String>,
    /// Named profile for both pools [env: AWS_PROFILE].
    #[arg(long, global = true)]
    pub profile: Option<String>,
    /// Endpoint URL for both pools, e.g. a local emulator [env: AWS_ENDPOINT_URL].
    #[arg(long, global = true)]
    pub endpoint_url: Option<String>,
    /// Region of the old (source) pool.
    #[arg(long, global = true)]
    pub source_region: Option<String>,
    /// Profile for the old (source) pool.
    #[arg(long, global = true)]
    pub source_profile: Option<String>,
    /// Endpoint URL for the old (source) pool.
    #[arg(long, global = true)]
    pub source_endpoint_url: Option<String>,
    /// Region of the new (target) pool.
    #[arg(long, global = true)]
    pub target_region: Option<String>,
    /// Profile for the new (target) pool.
    #[arg(long, global = true)]
    pub target_profile: Option<String>,
    /// Endpoint URL for the new (target) pool.
    #[arg(long, global = true)]
    pub target_endpoint_url: Option<String>,
}

/// Which pool a client talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The old pool, read from.
    Source,
    /// The new pool, written to.
    Target,
}

/// The resolved settings of one side.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SideSettings {
    /// Region, if given by a flag (else the SDK's chain decides).
    pub region: Option<String>,
    /// Profile, if given by a flag.
    pub profile: Option<String>,
    /// Endpoint, if given by a flag.
    pub endpoint_url: Option<String>,
}

impl AwsArgs {
    /// The flags in force for one side: the per-side flag, else the both-sides flag.
    pub fn side(&self, side: Side) -> SideSettings {
        let (region, profile, endpoint_url) = match side {
            Side::Source => (
                &self.source_region,
                &self.source_profile,
                &self.source_endpoint_url,
            ),
            Side::Target => (
                &self.target_region,
                &self.target_profile,
                &self.target_endpoint_url,
            ),
        };
        SideSettings {
            region: region.clone().or_else(|| self.region.clone()),
            profile: profile.clone().or_else(|| self.profile.clone()),
            endpoint_url: endpoint_url.clone().or_else(|| self.endpoint_url.clone()),
        }
    }

    /// A Cognito client for one side, for `pool_id` when there is one pool (its region is the
    /// last resort). SDK retries are off: every attempt goes through the run's rate limiter and
    /// retry policy ([`crate::pacer`]), so the request rate never exceeds `--rps`.
    pub async fn client(&self, side: Side, pool_id: Option<&str>) -> Client {
        Client::new(&self.sdk_config(side, pool_id).await)
    }

    /// The SDK settings of one side, for clients of other services that go with the pool (the
    /// canary reads CloudWatch Logs in the new pool's account and region): the same profile,
    /// region, endpoint, timeouts and no SDK retries.
    pub async fn sdk_config(&self, side: Side, pool_id: Option<&str>) -> SdkConfig {
        let settings = self.side(side);
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .retry_config(RetryConfig::disabled())
            .timeout_config(
                TimeoutConfig::builder()
                    .connect_timeout(Duration::from_secs(5))
                    .operation_attempt_timeout(Duration::from_secs(30))
                    .build(),
            );
        if let Some(profile) = &settings.profile {
            loader = loader.profile_name(profile);
        }
        let mut chain = DefaultRegionChain::builder();
        if let Some(profile) = &settings.profile {
            chain = chain.profile_name(profile);
        }
        let from_pool = pool_id
            .and_then(shared::pool_id::region)
            .map(|region| Region::new(region.to_string()));
        loader = loader.region(
            RegionProviderChain::first_try(settings.region.clone().map(Region::new))
                .or_else(chain.build())
                .or_else(from_pool),
        );
        if let Some(endpoint) = &settings.endpoint_url {
            loader = loader.endpoint_url(endpoint);
        }
        loader.load().await
    }
}

impl AwsArgs {
    /// The profile a side uses by name, and what named it: its own flag, `--profile`, or
    /// `AWS_PROFILE`. `None` when nothing names one (the SDK's default chain decides).
    fn named_profile(&self, side: Side) -> Option<(String, &'static str)> {
        let own = match side {
            Side::Source => self.source_profile.clone().map(|p| (p, "--source-profile")),
            Side::Target => self.target_profile.clone().map(|p| (p, "--target-profile")),
        };
        own.or_else(|| self.profile.clone().map(|p| (p, "--profile")))
            .or_else(|| {
                std::env::var("AWS_PROFILE")
                    .ok()
                    .filter(|p| !p.is_empty())
                    .map(|p| (p, "AWS_PROFILE"))
            })
    }

    /// Fails before any request when a profile named by a flag or by `AWS_PROFILE` is in neither
    /// AWS file, naming the profile, what named it and the files looked in. (The SDK would
    /// otherwise report a chain of providers that were "not enabled".)
    pub async fn check_profiles(&self) -> anyhow::Result<()> {
        let named: Vec<_> = [Side::Source, Side::Target]
            .into_iter()
            .filter_map(|side| self.named_profile(side))
            .collect();
        if named.is_empty() {
            return Ok(());
        }
        let config = profile_file("AWS_CONFIG_FILE", "~/.aws/config");
        let credentials = profile_file("AWS_SHARED_CREDENTIALS_FILE", "~/.aws/credentials");
        let set = aws_config::profile::load(
            &aws_types::os_shim_internal::Fs::real(),
            &aws_types::os_shim_internal::Env::real(),
            &Default::default(),
            None,
        )
        .await
        .map_err(|e| {
            anyhow::anyhow!("cannot read the AWS profiles in {config} or {credentials}: {e}")
        })?;
        for (profile, source) in named {
            if set.get_profile(&profile).is_none() {
                anyhow::bail!(
                    "profile {profile} (from {source}) is in neither {config} nor {credentials}: create it (aws \
                     configure --profile {profile}) or name an existing one"
                );
            }
        }
        Ok(())
    }
}

/// Where the SDK reads one AWS file: the variable's value, else the default path.
fn profile_file(variable: &str, default: &str) -> String {
    std::env::var(variable)
        .ok()
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| default.to_string())
}

/// Parses a `--*-pool-id` flag: a user pool id, or an error saying what one looks like.
pub fn pool_id_arg(value: &str) -> Result<String, String> {
    shared::pool_id::check(value).map(|()| value.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_side_flags_beat_both_sides_flags() {
        let args = AwsArgs {
            region: Some("eu-west-1".into()),
            endpoint_url: Some("http://both".into()),
            target_region: Some("us-east-1".into()),
            source_profile: Some("old".into()),
            ..AwsArgs::default()
        };
        assert_eq!(
            args.side(Side::Source),
            SideSettings {
                region: Some("eu-west-1".into()),
                profile: Some("old".into()),
                endpoint_url: Some("http://both".into())
            }
        );
        assert_eq!(args.side(Side::Target).region.as_deref(), Some("us-east-1"));
        assert_eq!(args.side(Side::Target).profile, None);
    }
}
