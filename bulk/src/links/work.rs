//! The old users `links` acts on — federated users and native users linked to an identity
//! provider — read from the old pool once and kept on disk (an anonymous temporary file, one JSON
//! line per user), so memory stays flat however many there are.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, BufWriter, Seek, Write};
use std::sync::Arc;

use anyhow::Context;
use aws_sdk_cognitoidentityprovider::Client;
use serde::{Deserialize, Serialize};
use shared::from_sdk::user_from_list;
use shared::linked_identities::{self, IDENTITIES, LinkedIdentity};
use shared::{SourceStatus, SourceUser};

use crate::pacer::Pacer;
use crate::progress::Progress;
use crate::scan;

/// One old user with identities, as kept between the scan and the links.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkedUser {
    /// The old user name (`Google_1234…` for a federated user).
    pub username: String,
    /// The old status (`EXTERNAL_PROVIDER` for a federated user).
    pub status: String,
    /// False when disabled in the old pool.
    pub enabled: bool,
    /// Every attribute the old pool listed, `sub` and `identities` included.
    pub attributes: BTreeMap<String, String>,
}

impl LinkedUser {
    /// The user as the mapping reads it.
    pub fn source_user(&self) -> SourceUser {
        SourceUser {
            username: self.username.clone(),
            status: SourceStatus::parse(&self.status),
            enabled: self.enabled,
            attributes: self.attributes.clone(),
            mfa: Default::default(),
            factors: None,
        }
    }

    /// Its identities, or why they cannot be read.
    pub fn identities(&self) -> Result<Vec<LinkedIdentity>, String> {
        linked_identities::parse(self.attributes.get(IDENTITIES).map(String::as_str))
    }

    /// True for a user a federated sign-in created (no password, no native profile).
    pub fn federated(&self) -> bool {
        self.status == SourceStatus::ExternalProvider.as_str()
    }
}

/// The users with identities, on disk.
pub struct LinkedUsers {
    file: std::fs::File,
    /// How many.
    pub count: u64,
    /// How many of them were federated.
    pub federated: u64,
}

impl LinkedUsers {
    /// Pages the old pool and keeps every user with identities (or federated).
    pub async fn read(
        client: &Client,
        pacer: &Arc<Pacer>,
        pool_id: &str,
        segments: u8,
        progress_interval: std::time::Duration,
    ) -> anyhow::Result<LinkedUsers> {
        eprintln!("reading the old pool {pool_id} for users with identities…");
        let file = tempfile::tempfile().context("cannot create a temporary file for the users")?;
        let mut out = BufWriter::new(file);
        let (mut count, mut federated, mut read) = (0u64, 0u64, 0u64);
        let mut failure: Option<std::io::Error> = None;
        let mut progress = Progress::new("old-pool users", 0, progress_interval);
        scan::each_user(client, pacer, pool_id, segments, |listed| {
            read += 1;
            progress.update(read, "read");
            let user = user_from_list(listed);
            let is_federated = user.status == SourceStatus::ExternalProvider;
            if !is_federated && !user.attributes.contains_key(IDENTITIES) {
                return;
            }
            let kept = LinkedUser {
                username: user.username,
                status: user.status.as_str().to_string(),
                enabled: user.enabled,
                attributes: user.attributes,
            };
            count += 1;
            federated += u64::from(is_federated);
            if failure.is_none()
                && let Err(err) = serde_json::to_writer(&mut out, &kept)
                    .map_err(std::io::Error::other)
                    .and_then(|()| out.write_all(b"\n"))
            {
                failure = Some(err);
            }
        })
        .await?;
        progress.finish();
        if let Some(err) = failure {
            return Err(err).context("cannot write the users with identities to a temporary file");
        }
        let mut file = out.into_inner().map_err(|e| e.into_error())?;
        file.rewind()?;
        Ok(LinkedUsers {
            file,
            count,
            federated,
        })
    }

    /// The users, in the order read.
    pub fn iter(self) -> impl Iterator<Item = anyhow::Result<LinkedUser>> {
        BufReader::new(self.file).lines().map(|line| {
            let line = line.context("cannot read the temporary file of users")?;
            serde_json::from_str(&line).context("the temporary file of users is damaged")
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kept_user_reads_back_as_the_mapping_sees_it() {
        let user = LinkedUser {
            username: "Google_1234".into(),
            status: "EXTERNAL_PROVIDER".into(),
            enabled: true,
            attributes: [
                ("sub".to_string(), "s-1".to_string()),
                (
                    IDENTITIES.to_string(),
                    r#"[{"userId":"1234","providerName":"Google"}]"#.to_string(),
                ),
            ]
            .into(),
        };
        assert!(user.federated());
        assert_eq!(user.source_user().sub(), "s-1");
        assert_eq!(user.identities().unwrap()[0].provider_name, "Google");
        let line = serde_json::to_string(&user).unwrap();
        assert_eq!(serde_json::from_str::<LinkedUser>(&line).unwrap(), user);
    }
}
