//! The companions' own settings, read once at cold start next to [`crate::config::Config`]
//! (which they share: the old pool, its client and role, the mapping's legacy-id attribute, the
//! tenant rule and the time budget).
//!
//! | variable | meaning |
//! |---|---|
//! | `GROUPS_MARKER_GROUP` | the new-pool group that marks users looked up without old groups (default [`DEFAULT_MARKER_GROUP`]); the deployment template creates it |

use crate::config::ConfigError;

/// The marker group's default name.
pub const DEFAULT_MARKER_GROUP: &str = "cognito-migrate-no-old-groups";

/// Cognito's longest group name (`GroupName`, 1–128 characters).
const MAX_GROUP_NAME_CHARS: usize = 128;

/// The checked companion settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompanionConfig {
    /// `GROUPS_MARKER_GROUP`.
    pub marker_group: String,
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
        Ok(CompanionConfig { marker_group })
    }
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
}
