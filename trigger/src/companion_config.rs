//! The companions' own settings, read once at cold start next to [`crate::config::Config`]
//! (which they share: the old pool, its client and role, the mapping's legacy-id attribute, the
//! tenant rule and the time budget).
//!
//! | variable | meaning |
//! |---|---|
//! | `GROUPS_MARKER_GROUP` | the new-pool group that marks users looked up without old groups (default [`DEFAULT_MARKER_GROUP`]); the deployment template creates it |
//! | `NEW_USER_POOL_ID` | the new pool's id, e.g. `eu-west-1_XyZ789`: PreTokenGeneration events of any other pool are answered untouched, with no call (default: unset, the event's `userPoolId` is taken as it comes) |
//! | `MIGRATED_EVENT_BUS` | an EventBridge event bus (name, or ARN) in the function's region: the token companion puts one "user migrated" event there per proven user it first handles ([`crate::migrated_event`]). Default: unset, no event |
//!
//! Why `NEW_USER_POOL_ID`: Cognito always names the calling pool in `userPoolId`, but anyone who
//! may invoke the function directly names whatever pool they like, and the companion reads and
//! writes the pool the event names. Set, it is the one pool the companion touches. Unset, the
//! function's role (the template grants the new-pool calls on `NewUserPoolArn` only) is what keeps
//! another pool out of reach.

use crate::config::ConfigError;

/// The marker group's default name.
pub const DEFAULT_MARKER_GROUP: &str = "cognito-migrate-no-old-groups";

/// Cognito's longest group name (`GroupName`, 1–128 characters).
const MAX_GROUP_NAME_CHARS: usize = 128;

/// Cognito's longest user pool id (`UserPoolId`, 1–55 characters).
const MAX_POOL_ID_CHARS: usize = 55;

/// EventBridge's longest `EventBusName` in a `PutEvents` entry (a name or an ARN).
const MAX_EVENT_BUS_CHARS: usize = 1600;

/// The checked companion settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompanionConfig {
    /// `GROUPS_MARKER_GROUP`.
    pub marker_group: String,
    /// `NEW_USER_POOL_ID`: the only pool the PreTokenGeneration companion answers for, if set.
    pub new_pool_id: Option<String>,
    /// `MIGRATED_EVENT_BUS`: the event bus of the "user migrated" events, if any.
    pub migrated_event_bus: Option<String>,
}

impl CompanionConfig {
    /// Reads the process environment.
    pub fn from_env() -> Result<CompanionConfig, ConfigError> {
        CompanionConfig::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the settings through `lookup`; empty values count as unset.
    pub fn from_lookup(
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<CompanionConfig, ConfigError> {
        let marker_group = lookup("GROUPS_MARKER_GROUP")
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
            .unwrap_or_else(|| DEFAULT_MARKER_GROUP.to_string());
        // Group names match [\p{L}\p{M}\p{S}\p{N}\p{P}]+ (CreateGroup GroupName).
        if marker_group.chars().count() > MAX_GROUP_NAME_CHARS
            || marker_group
                .chars()
                .any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(ConfigError::Invalid {
                name: "GROUPS_MARKER_GROUP",
                problem: format!(
                    "{marker_group} is not a group name (1-128 characters, no spaces or control characters)"
                ),
            });
        }
        let new_pool_id = lookup("NEW_USER_POOL_ID")
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty());
        if let Some(id) = &new_pool_id
            && !is_pool_id(id)
        {
            return Err(ConfigError::Invalid {
                name: "NEW_USER_POOL_ID",
                problem: format!(
                    "{id} is not a user pool id (region_suffix, e.g. eu-west-1_XyZ789; the new pool's Id in describe-user-pool)"
                ),
            });
        }
        let migrated_event_bus = lookup("MIGRATED_EVENT_BUS")
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty());
        if let Some(bus) = &migrated_event_bus
            && !is_event_bus(bus)
        {
            return Err(ConfigError::Invalid {
                name: "MIGRATED_EVENT_BUS",
                problem: format!(
                    "{bus} is not an event bus name or ARN (letters, digits, . - _ /, e.g. migrations or arn:aws:events:eu-west-1:111122223333:event-bus/migrations); unset it for no event"
                ),
            });
        }
        Ok(CompanionConfig {
            marker_group,
            new_pool_id,
            migrated_event_bus,
        })
    }
}

/// Whether `id` has the shape of a `UserPoolId` (`[\w-]+_[0-9a-zA-Z]+`, at most 55 characters).
fn is_pool_id(id: &str) -> bool {
    let Some((region, suffix)) = id.rsplit_once('_') else {
        return false;
    };
    id.chars().count() <= MAX_POOL_ID_CHARS
        && !region.is_empty()
        && region
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        && !suffix.is_empty()
        && suffix.chars().all(|c| c.is_ascii_alphanumeric())
}

/// Whether `bus` has the shape `PutEvents` takes for `EventBusName`:
/// `(arn:aws[\w-]*:events:<region>:<account>:event-bus/)?[/.\-_A-Za-z0-9]+`, at most 1600
/// characters.
fn is_event_bus(bus: &str) -> bool {
    let name = match bus.strip_prefix("arn:") {
        None => bus,
        Some(arn) => {
            let parts: Vec<&str> = arn.splitn(5, ':').collect();
            let [partition, "events", region, account, resource] = parts[..] else {
                return false;
            };
            let Some(name) = resource.strip_prefix("event-bus/") else {
                return false;
            };
            if !partition.starts_with("aws")
                || region.is_empty()
                || !region
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                || account.len() != 12
                || !account.chars().all(|c| c.is_ascii_digit())
            {
                return false;
            }
            name
        }
    };
    bus.chars().count() <= MAX_EVENT_BUS_CHARS
        && !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '.' | '-' | '_'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_marker_group_defaults_and_is_checked() {
        let config = |value: Option<&str>| {
            CompanionConfig::from_lookup(|name| {
                (name == "GROUPS_MARKER_GROUP")
                    .then(|| value.map(str::to_string))
                    .flatten()
            })
        };
        assert_eq!(config(None).unwrap().marker_group, DEFAULT_MARKER_GROUP);
        assert_eq!(
            config(Some(" ")).unwrap().marker_group,
            DEFAULT_MARKER_GROUP
        );
        assert_eq!(config(Some("no-groups")).unwrap().marker_group, "no-groups");
        let err = config(Some("two words")).unwrap_err().to_string();
        assert!(err.starts_with("GROUPS_MARKER_GROUP is invalid"), "{err}");
    }

    #[test]
    fn the_new_pool_id_is_optional_and_checked() {
        let config = |value: Option<&str>| {
            CompanionConfig::from_lookup(|name| {
                (name == "NEW_USER_POOL_ID")
                    .then(|| value.map(str::to_string))
                    .flatten()
            })
        };
        assert_eq!(config(None).unwrap().new_pool_id, None);
        assert_eq!(config(Some(" ")).unwrap().new_pool_id, None);
        assert_eq!(
            config(Some(" eu-west-1_XyZ789 "))
                .unwrap()
                .new_pool_id
                .as_deref(),
            Some("eu-west-1_XyZ789")
        );
        for bad in [
            "eu-west-1",
            "eu-west-1_",
            "_abc",
            "eu-west-1_a/b",
            "arn:aws:cognito-idp:x",
        ] {
            let err = config(Some(bad)).unwrap_err().to_string();
            assert!(
                err.starts_with("NEW_USER_POOL_ID is invalid"),
                "{bad}: {err}"
            );
        }
    }

    #[test]
    fn the_migrated_event_bus_is_optional_and_checked() {
        let config = |value: Option<&str>| {
            CompanionConfig::from_lookup(|name| {
                (name == "MIGRATED_EVENT_BUS")
                    .then(|| value.map(str::to_string))
                    .flatten()
            })
        };
        assert_eq!(config(None).unwrap().migrated_event_bus, None);
        assert_eq!(config(Some("  ")).unwrap().migrated_event_bus, None);
        for good in [
            "migrations",
            "default",
            "aws.partner/example.com/123/migrations",
            "arn:aws:events:eu-west-1:111122223333:event-bus/migrations",
            "arn:aws-us-gov:events:us-gov-west-1:111122223333:event-bus/default",
        ] {
            assert_eq!(
                config(Some(&format!(" {good} ")))
                    .unwrap()
                    .migrated_event_bus
                    .as_deref(),
                Some(good)
            );
        }
        for bad in [
            "two words",
            "bus:name",
            "arn:aws:events:eu-west-1:111122223333:rule/migrations",
            "arn:aws:sqs:eu-west-1:111122223333:event-bus/migrations",
            "arn:aws:events:eu-west-1:1111:event-bus/migrations",
            "arn:aws:events:eu-west-1:111122223333:event-bus/",
        ] {
            let err = config(Some(bad)).unwrap_err().to_string();
            assert!(
                err.starts_with("MIGRATED_EVENT_BUS is invalid"),
                "{bad}: {err}"
            );
        }
    }
}
