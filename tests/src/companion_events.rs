//! The events Cognito sends the trigger's companions, in the shapes AWS documents, for tests
//! that invoke the trigger directly through the Lambda host and for tests where an emulator's
//! pool fires them.
//!
//! PreSignUp: <https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-lambda-pre-sign-up.html>
//! (`request.userAttributes`, `validationData`, `clientMetadata`; `response.autoConfirmUser`,
//! `autoVerifyEmail`, `autoVerifyPhone`). PreTokenGeneration:
//! <https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-lambda-pre-token-generation.html>
//! (`request.userAttributes`, `groupConfiguration`, `clientMetadata`, version 2 also `scopes`;
//! `response.claimsOverrideDetails` in version 1, `claimsAndScopeOverrideDetails` in 2).

use serde_json::{Map, Value, json};

/// The app client id the events carry.
pub const NEW_CLIENT_ID: &str = "newpoolclient0000000000001";

/// The sentence a refused sign-up shows (Cognito prefixes "PreSignUp failed with error ").
pub const ACCOUNT_EXISTS: &str =
    "An account with the given user name, email or phone number already exists";

/// The sentence a sign-up shows while the old pool cannot be asked.
pub const SIGN_UP_UNAVAILABLE: &str =
    "Sign-up is not available right now, please try again in a few minutes";

/// The claim a token carries when the old pool could not be asked for its groups.
pub const GROUPS_UNAVAILABLE_CLAIM: &str = "migration_groups_unavailable";

fn attributes(pairs: &[(&str, &str)]) -> Map<String, Value> {
    pairs
        .iter()
        .map(|(name, value)| (name.to_string(), json!(value)))
        .collect()
}

/// A PreSignUp event: `source` is `PreSignUp_SignUp`, `PreSignUp_AdminCreateUser` or
/// `PreSignUp_ExternalProvider`.
pub fn pre_sign_up_event(
    source: &str,
    pool_id: &str,
    user_name: &str,
    user_attributes: &[(&str, &str)],
) -> Value {
    json!({
        "version": "1",
        "triggerSource": source,
        "region": "us-east-1",
        "userPoolId": pool_id,
        "userName": user_name,
        "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": NEW_CLIENT_ID},
        "request": {
            "userAttributes": attributes(user_attributes),
            "validationData": null,
            "clientMetadata": null
        },
        "response": {"autoConfirmUser": false, "autoVerifyEmail": false, "autoVerifyPhone": false}
    })
}

/// A PreTokenGeneration event of `version` 1 or 2 for the new-pool user `user_name`, whose
/// groups in the new pool are `groups`. `source` is `TokenGeneration_Authentication`,
/// `TokenGeneration_RefreshTokens`, `TokenGeneration_HostedAuth`, ...
pub fn pre_token_event(
    version: u8,
    source: &str,
    pool_id: &str,
    user_name: &str,
    user_attributes: &[(&str, &str)],
    groups: &[String],
) -> Value {
    let mut request = json!({
        "userAttributes": attributes(user_attributes),
        "groupConfiguration": {"groupsToOverride": groups, "iamRolesToOverride": [], "preferredRole": null},
        "clientMetadata": {}
    });
    let response = if version == 1 {
        json!({"claimsOverrideDetails": null})
    } else {
        request["scopes"] = json!(["openid", "email", "aws.cognito.signin.user.admin"]);
        json!({"claimsAndScopeOverrideDetails": null})
    };
    json!({
        "version": version.to_string(),
        "triggerSource": source,
        "region": "us-east-1",
        "userPoolId": pool_id,
        "userName": user_name,
        "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": NEW_CLIENT_ID},
        "request": request,
        "response": response
    })
}

/// The groups an answered token event sets (`groupOverrideDetails.groupsToOverride`), sorted;
/// `None` when the answer sets none.
pub fn groups_in_answer(answer: &Value) -> Option<Vec<String>> {
    let details = answer["response"]
        .get("claimsOverrideDetails")
        .or_else(|| answer["response"].get("claimsAndScopeOverrideDetails"))?;
    let mut groups: Vec<String> = details
        .get("groupOverrideDetails")?
        .get("groupsToOverride")?
        .as_array()?
        .iter()
        .filter_map(|g| g.as_str().map(str::to_string))
        .collect();
    groups.sort();
    Some(groups)
}
