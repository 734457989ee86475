//! The PreTokenGeneration event of a user: the response shape (`version`), the user and pool,
//! the attributes and the groups Cognito put in it, read through the common [`Header`]; and the
//! answer written into its `response` ([`TokenAnswer::write_into`]).
//!
//! AWS: "The groupOverrideDetails object is replaced with the one you provide. If you provide an
//! empty or null object in the response, then the groups are suppressed." — so the answer either
//! leaves the response alone or copies the request's roles next to the groups it sets.
//! Reference: <https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-lambda-pre-token-generation.html>

use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::event::{Header, with_response};

/// The claim added when the new pool could not be read or the old pool could not be asked, so
/// the token may lack groups.
pub const GROUPS_UNAVAILABLE_CLAIM: &str = "migration_groups_unavailable";

/// The shape of the response Cognito expects, from the event's `version`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenVersion {
    /// Version 1: `response.claimsOverrideDetails` (ID token; the groups claim of both tokens).
    V1,
    /// Versions 2 and 3: `response.claimsAndScopeOverrideDetails` (ID and access tokens).
    V2,
}

impl TokenVersion {
    /// The shape `event`'s `version` asks for (missing or `null`: version 1); `None` when it is
    /// not a string, which makes the event unreadable.
    fn of(event: &Value) -> Option<TokenVersion> {
        match event.get("version") {
            None | Some(Value::Null) => Some(TokenVersion::V1),
            Some(Value::String(version)) if version == "2" || version == "3" => {
                Some(TokenVersion::V2)
            }
            Some(Value::String(_)) => Some(TokenVersion::V1),
            Some(_) => None,
        }
    }
}

/// What the companion needs from a PreTokenGeneration event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRequest {
    /// `triggerSource`.
    pub trigger_source: String,
    /// The response shape.
    pub version: TokenVersion,
    /// The user's name in the new pool (`userName`).
    pub user_name: String,
    /// The new pool that called (`userPoolId`).
    pub user_pool_id: String,
    /// `request.userAttributes`.
    pub user_attributes: Map<String, Value>,
    /// `request.groupConfiguration.groupsToOverride`: the user's groups in the new pool.
    pub groups: Vec<String>,
    /// `request.groupConfiguration.iamRolesToOverride`.
    pub iam_roles: Vec<String>,
    /// `request.groupConfiguration.preferredRole`.
    pub preferred_role: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawRequest {
    #[serde(default)]
    user_attributes: Option<Map<String, Value>>,
    #[serde(default)]
    group_configuration: Option<RawGroups>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawGroups {
    #[serde(default)]
    groups_to_override: Option<Vec<String>>,
    #[serde(default)]
    iam_roles_to_override: Option<Vec<String>>,
    #[serde(default)]
    preferred_role: Option<String>,
}

impl TokenRequest {
    /// Reads a PreTokenGeneration event of a user; `None` for anything else (a
    /// client-credentials token, a malformed event), which is answered untouched.
    pub fn parse(event: &Value) -> Option<TokenRequest> {
        let version = TokenVersion::of(event)?;
        let raw = Header::<RawRequest>::read(event)?;
        let (Some(trigger_source), Some(user_name), Some(user_pool_id), Some(request)) = (
            raw.trigger_source,
            raw.user_name,
            raw.user_pool_id,
            raw.request,
        ) else {
            return None;
        };
        if !trigger_source.starts_with("TokenGeneration_")
            || trigger_source == "TokenGeneration_ClientCredentials"
            || user_name.is_empty()
        {
            return None;
        }
        let (groups, iam_roles, preferred_role) = match request.group_configuration {
            Some(g) => (
                g.groups_to_override.unwrap_or_default(),
                g.iam_roles_to_override.unwrap_or_default(),
                g.preferred_role,
            ),
            None => (Vec::new(), Vec::new(), None),
        };
        Some(TokenRequest {
            trigger_source,
            version,
            user_name,
            user_pool_id,
            user_attributes: request.user_attributes.unwrap_or_default(),
            groups,
            iam_roles,
            preferred_role,
        })
    }

    /// The value of `name` in the event's `request.userAttributes`, when it is a non-empty
    /// string. Only ever a reason to grant less: the event is not evidence.
    pub(crate) fn attribute(&self, name: &str) -> Option<&str> {
        self.user_attributes
            .get(name)
            .and_then(Value::as_str)
            .filter(|v| !v.is_empty())
    }
}

/// How the token is answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenAnswer {
    /// The event untouched: the token carries what the new pool has.
    Untouched,
    /// These groups in the token (the request's roles kept beside them).
    Groups(Vec<String>),
    /// The token without groups, flagged with [`GROUPS_UNAVAILABLE_CLAIM`].
    GroupsUnavailable,
}

impl TokenAnswer {
    /// The event with this answer written into its `response`; everything else is returned as
    /// Cognito sent it.
    pub fn write_into(&self, request: &TokenRequest, event: Value) -> Value {
        let details = match self {
            TokenAnswer::Untouched => return event,
            TokenAnswer::Groups(groups) => {
                let mut group_details = json!({
                    "groupsToOverride": groups,
                    "iamRolesToOverride": request.iam_roles,
                });
                if let Some(role) = &request.preferred_role {
                    group_details["preferredRole"] = json!(role);
                }
                json!({"groupOverrideDetails": group_details})
            }
            TokenAnswer::GroupsUnavailable => {
                let claims = json!({"claimsToAddOrOverride": {GROUPS_UNAVAILABLE_CLAIM: "true"}});
                match request.version {
                    TokenVersion::V1 => claims,
                    TokenVersion::V2 => {
                        json!({"idTokenGeneration": claims, "accessTokenGeneration": claims})
                    }
                }
            }
        };
        let key = match request.version {
            TokenVersion::V1 => "claimsOverrideDetails",
            TokenVersion::V2 => "claimsAndScopeOverrideDetails",
        };
        with_response(event, json!({ key: details }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LEGACY: &str = "11111111-2222-4333-8444-555555555555";

    #[test]
    fn the_checked_in_events_parse_and_only_the_response_changes() {
        for (text, version, groups) in [
            (
                include_str!("../../fixtures/pre-token-generation-v1.json"),
                TokenVersion::V1,
                vec![],
            ),
            (
                include_str!("../../fixtures/pre-token-generation-v2.json"),
                TokenVersion::V2,
                vec!["staff".to_string()],
            ),
        ] {
            let event: Value = serde_json::from_str(text).unwrap();
            let request = TokenRequest::parse(&event).unwrap();
            assert_eq!(request.version, version);
            assert_eq!(request.groups, groups);
            assert_eq!(request.attribute("custom:legacy_sub"), Some(LEGACY));
            let answer =
                TokenAnswer::Groups(vec!["admins".into()]).write_into(&request, event.clone());
            let mut without_response = answer.clone();
            without_response["response"] = event["response"].clone();
            assert_eq!(without_response, event, "only the response changes");
            assert_eq!(
                groups_in(&answer),
                json!(["admins"]),
                "the request's roles stay beside the groups"
            );
            let details = answer["response"]
                .as_object()
                .unwrap()
                .values()
                .next()
                .unwrap();
            assert_eq!(
                details["groupOverrideDetails"]["iamRolesToOverride"],
                event["request"]["groupConfiguration"]["iamRolesToOverride"]
            );
        }
    }

    fn groups_in(answer: &Value) -> Value {
        let details = answer["response"]
            .as_object()
            .unwrap()
            .values()
            .next()
            .unwrap();
        details["groupOverrideDetails"]["groupsToOverride"].clone()
    }
}
