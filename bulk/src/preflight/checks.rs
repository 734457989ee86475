//! The preflight checks as plain functions of what the pools describe, so each verdict and its
//! advice are unit-tested without a network.

use std::collections::BTreeSet;

use aws_sdk_cognitoidentityprovider::operation::get_user_pool_mfa_config::GetUserPoolMfaConfigOutput;
use aws_sdk_cognitoidentityprovider::types::{
    AdvancedSecurityEnabledModeType, AdvancedSecurityModeType, ExplicitAuthFlowsType,
    IdentityProviderType, PreventUserExistenceErrorTypes, UserPoolClientType, UserPoolMfaType,
    UserPoolTierType, UserPoolType,
};
use shared::from_sdk::schema_attribute_names;
use shared::{Mapping, Secret};

/// How a check came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Ready.
    Pass,
    /// Works, but something will be lost or is worth a look.
    Warn,
    /// Must be fixed before cutover.
    Fail,
}

/// One check's result, with what to do when it is not a pass.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Check {
    /// Short name of the check.
    pub name: String,
    /// Outcome.
    pub verdict: Verdict,
    /// What was found and, unless it passed, what to change.
    pub detail: String,
}

fn check(name: impl Into<String>, verdict: Verdict, detail: impl Into<String>) -> Check {
    Check {
        name: name.into(),
        verdict,
        detail: detail.into(),
    }
}

fn client_label(client: &UserPoolClientType) -> String {
    format!(
        "{} ({})",
        client.client_id().unwrap_or("?"),
        client.client_name().unwrap_or("unnamed")
    )
}

/// The old pool's app client must allow the admin password flow the trigger uses.
pub fn old_client_allows_admin_password_auth(client: &UserPoolClientType) -> Check {
    let flows = client.explicit_auth_flows();
    let allowed = flows.contains(&ExplicitAuthFlowsType::AllowAdminUserPasswordAuth)
        || flows.contains(&ExplicitAuthFlowsType::AdminNoSrpAuth);
    let name = "old app client allows ADMIN_USER_PASSWORD_AUTH";
    if allowed {
        check(name, Verdict::Pass, client_label(client))
    } else {
        check(
            name,
            Verdict::Fail,
            format!(
                "{} does not allow ALLOW_ADMIN_USER_PASSWORD_AUTH: add it to the client's ExplicitAuthFlows, \
                 or the trigger cannot check passwords",
                client_label(client)
            ),
        )
    }
}

/// The secret given to the trigger must be the old app client's secret (or none when it has none).
pub fn old_client_secret_matches(client: &UserPoolClientType, given: Option<&Secret>) -> Check {
    let name = "old app client secret";
    match (client.client_secret(), given) {
        (None, None) => check(name, Verdict::Pass, "the client has no secret; none given"),
        (None, Some(_)) => check(
            name,
            Verdict::Fail,
            "a secret was given but the old app client has none: remove OLD_CLIENT_SECRET from the trigger",
        ),
        (Some(_), None) => check(
            name,
            Verdict::Fail,
            "the old app client has a secret: give it to the trigger (OLD_CLIENT_SECRET or OLD_CLIENT_SECRET_ARN) \
             and here (COGNITO_MIGRATE_SOURCE_CLIENT_SECRET)",
        ),
        (Some(actual), Some(given)) if actual == given.expose() => {
            check(name, Verdict::Pass, "matches")
        }
        (Some(_), Some(_)) => check(
            name,
            Verdict::Fail,
            "the given secret does not match the old app client's: copy it again from the old pool's client",
        ),
    }
}

/// The new pool must call a UserMigration trigger.
pub fn new_pool_has_trigger(pool: &UserPoolType) -> Check {
    let name = "new pool has a UserMigration trigger";
    match pool.lambda_config().and_then(|c| c.user_migration()) {
        Some(arn) => check(name, Verdict::Pass, arn),
        None => check(
            name,
            Verdict::Fail,
            "the new pool has no UserMigration trigger: set LambdaConfig.UserMigration to the \
             cognito-migrate-trigger function (see deploy/template.yaml)",
        ),
    }
}

/// Each app client of the new pool must send passwords to the trigger and hide user existence.
pub fn new_client_ready(pool_id: &str, client: &UserPoolClientType) -> Vec<Check> {
    let label = format!("{} of {pool_id}", client_label(client));
    let flows = client.explicit_auth_flows();
    let password_flow = flows.contains(&ExplicitAuthFlowsType::AllowUserPasswordAuth)
        || flows.contains(&ExplicitAuthFlowsType::UserPasswordAuth);
    let flow = if password_flow {
        check(
            format!("new client {label} allows USER_PASSWORD_AUTH"),
            Verdict::Pass,
            "",
        )
    } else {
        check(
            format!("new client {label} allows USER_PASSWORD_AUTH"),
            Verdict::Fail,
            "add ALLOW_USER_PASSWORD_AUTH and have the app sign in with USER_PASSWORD_AUTH during the \
             migration: SRP never shows the password, so the trigger could not migrate it",
        )
    };
    let enabled =
        client.prevent_user_existence_errors() == Some(&PreventUserExistenceErrorTypes::Enabled);
    let existence = if enabled {
        check(
            format!("new client {label} prevents user existence errors"),
            Verdict::Pass,
            "",
        )
    } else {
        check(
            format!("new client {label} prevents user existence errors"),
            Verdict::Fail,
            "set PreventUserExistenceErrors to ENABLED, so unknown users and wrong passwords get the same answer",
        )
    };
    vec![flow, existence]
}

/// A signed-in user must not be able to write the attributes the migration trusts: the
/// legacy id (whose old groups the token companion copies) and, in a split per tenant, the
/// tenant. `protected` holds their new-pool names.
///
/// AWS (API reference, `CreateUserPoolClient`, `WriteAttributes`,
/// <https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_CreateUserPoolClient.html>):
/// the access token "authorizes them to set or modify their own attribute value for any attribute
/// in this list", and "When you don't specify the WriteAttributes for your app client, your app
/// can write the values of the Standard attributes of your user pool" — so an unset list lets
/// users write every standard attribute (custom ones are safe) and an explicit list lets them
/// write exactly what it names.
pub fn new_client_cannot_write_protected(
    pool_id: &str,
    client: &UserPoolClientType,
    protected: &[String],
) -> Check {
    let label = client_label(client);
    let listed = client.write_attributes();
    let writable: Vec<&str> = protected
        .iter()
        .map(String::as_str)
        .filter(|attribute| {
            if listed.is_empty() {
                !attribute.starts_with("custom:") && !attribute.starts_with("dev:")
            } else {
                listed.iter().any(|w| w == attribute)
            }
        })
        .collect();
    let name = format!("new client {label} of {pool_id} cannot write migration attributes");
    if writable.is_empty() {
        return check(name, Verdict::Pass, protected.join(", "));
    }
    let source = if listed.is_empty() {
        "its WriteAttributes is unset, which lets users write every standard attribute"
    } else {
        "its WriteAttributes lists them"
    };
    check(
        name,
        Verdict::Fail,
        format!(
            "signed-in users can set their own {} ({source}): give the client an explicit \
             WriteAttributes without them, so nobody can claim another user's old groups or tenant",
            writable.join(", ")
        ),
    )
}

/// The function part of a Lambda ARN, without a version or alias qualifier.
fn function_of(arn: &str) -> &str {
    match arn.split(':').collect::<Vec<_>>().as_slice() {
        [_, _, _, _, _, "function", _, _qualifier] => {
            arn.rsplit_once(':').map_or(arn, |(function, _)| function)
        }
        _ => arn,
    }
}

/// A new pool that lets people sign themselves up must run the sign-up guard: the PreSignUp
/// trigger, and the same function as UserMigration (the guard is that binary's `PreSignUp_*`
/// job, with the old pool it is configured for; a pool has one PreSignUp trigger, so another
/// function there means no guard).
///
/// Why: Cognito never calls UserMigration on SignUp, so without the guard anyone can sign up with
/// the user name, e-mail or phone of an old user who has not migrated yet. AWS (API reference,
/// `AdminCreateUserConfigType`,
/// <https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_AdminCreateUserConfigType.html>):
/// `AllowAdminCreateUserOnly` "When false, users can register themselves and create a new user
/// profile with the SignUp operation"; an unset configuration reads as false.
pub fn new_pool_guards_sign_up(pool: &UserPoolType) -> Check {
    let pool_id = pool.id().unwrap_or("(new pool)");
    let name = format!("new pool {pool_id} guards self sign-up");
    let admin_only = crate::pools::admin_create_only(pool);
    if admin_only {
        return check(
            name,
            Verdict::Pass,
            "self sign-up is off (AllowAdminCreateUserOnly)",
        );
    }
    let triggers = pool.lambda_config();
    let migration = triggers.and_then(|c| c.user_migration());
    match (triggers.and_then(|c| c.pre_sign_up()), migration) {
        (None, _) => check(
            name,
            Verdict::Fail,
            "the pool lets people sign themselves up but has no PreSignUp trigger, so anyone can take \
             an unmigrated old user's name, email or phone: set LambdaConfig.PreSignUp to the \
             UserMigration function (template parameter SignUpGuard=true), or set \
             AdminCreateUserConfig.AllowAdminCreateUserOnly to true for the migration window",
        ),
        (Some(pre_sign_up), Some(migration))
            if function_of(pre_sign_up) == function_of(migration) =>
        {
            check(name, Verdict::Pass, pre_sign_up)
        }
        (Some(pre_sign_up), _) => check(
            name,
            Verdict::Fail,
            format!(
                "the PreSignUp trigger {pre_sign_up} is not the UserMigration function, so sign-ups \
                 are not checked against the old pool: point PreSignUp at the UserMigration \
                 function (move other sign-up logic after the window), or set \
                 AdminCreateUserConfig.AllowAdminCreateUserOnly to true for the window"
            ),
        ),
    }
}

/// Where the new pool sends its PreTokenGeneration events: the function and the event version.
/// `PreTokenGenerationConfig` names both; the legacy `LambdaConfig.PreTokenGeneration` alone
/// names the function, read as version `V1_0` (the event it served before versions existed; AWS
/// names no version for it, and the test bed reads it the same way).
struct TokenTrigger<'a> {
    arn: &'a str,
    version: &'a str,
    legacy_only: bool,
}

fn token_trigger(pool: &UserPoolType) -> Option<TokenTrigger<'_>> {
    let triggers = pool.lambda_config()?;
    let config = triggers.pre_token_generation_config();
    match (config, triggers.pre_token_generation()) {
        (Some(config), _) => Some(TokenTrigger {
            arn: config.lambda_arn(),
            version: config.lambda_version().as_str(),
            legacy_only: false,
        }),
        (None, Some(arn)) => Some(TokenTrigger {
            arn,
            version: "V1_0",
            legacy_only: true,
        }),
        (None, None) => None,
    }
}

/// The new pool should call the token companion (PreTokenGeneration), and name it once.
///
/// **Absent: WARN, not FAIL.** The runbook (README, step 2) wires it and promises that migrated
/// users get "their old groups in the first token"; without it a user the trigger migrates signs
/// in with no `cognito:groups` until the next `cognito-migrate groups --sync` (step 6, run
/// periodically) copies them — less access for allow-groups, and no deny-group (`blocked`) in
/// those tokens. That is a cost to name, not a broken migration: nobody loses a password or
/// reaches another user's account, the template itself lets the companion be off
/// (`TokenGroups=false`), `groups --sync` is the documented catch-up, and `trigger/README.md`
/// (*Companions*) already tells apps with deny-groups to disable such users rather than rely on
/// a group, since even the companion sends tokens without groups when the old pool cannot be
/// asked. FAIL is kept for what breaks the window.
///
/// **Both fields, different functions: FAIL.** AWS documents both and says neither wins (API
/// reference, `LambdaConfigType`,
/// <https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_LambdaConfigType.html>):
/// `PreTokenGeneration` is "The legacy configuration of a pre token generation Lambda trigger in a
/// user pool. Set this parameter for legacy purposes. If you also set an ARN in
/// PreTokenGenerationConfig, its value must be identical to PreTokenGeneration. For new instances
/// of pre token generation triggers, set the LambdaArn of PreTokenGenerationConfig."; and of
/// `PreTokenGenerationConfig`: "If you also set an ARN in PreTokenGeneration, its value must be
/// identical to PreTokenGenerationConfig." Two different functions are a configuration AWS does
/// not define, so which one runs cannot be known.
pub fn new_pool_has_token_trigger(pool: &UserPoolType) -> Check {
    let pool_id = pool.id().unwrap_or("(new pool)");
    let name = format!("new pool {pool_id} has a PreTokenGeneration trigger");
    let legacy = pool.lambda_config().and_then(|c| c.pre_token_generation());
    let Some(trigger) = token_trigger(pool) else {
        return check(
            name,
            Verdict::Warn,
            "the new pool has no PreTokenGeneration trigger, so users the trigger migrates get \
             tokens without their old groups (no cognito:groups, no deny-group such as blocked) \
             until cognito-migrate groups --sync next runs: deploy the template with \
             TokenGroups=true and set LambdaConfig.PreTokenGenerationConfig to its token function \
             (the stack's LambdaConfig output), or run groups --sync often and disable blocked \
             users instead of relying on a group",
        );
    };
    match legacy {
        Some(legacy) if legacy != trigger.arn => check(
            name,
            Verdict::Fail,
            format!(
                "LambdaConfig.PreTokenGeneration ({legacy}) and \
                 PreTokenGenerationConfig.LambdaArn ({}) differ: AWS requires them to be \
                 identical and does not say which one Cognito calls. Set \
                 PreTokenGenerationConfig.LambdaArn to the token function and \
                 PreTokenGeneration to the same ARN (or leave it unset)",
                trigger.arn
            ),
        ),
        _ if trigger.legacy_only => check(
            name,
            Verdict::Pass,
            format!(
                "{} (legacy LambdaConfig.PreTokenGeneration: V1_0 events)",
                trigger.arn
            ),
        ),
        _ => check(
            name,
            Verdict::Pass,
            format!("{} ({} events)", trigger.arn, trigger.version),
        ),
    }
}

/// The token companion's event version must be one the pool's feature plan offers. AWS
/// (developer guide, *Pre token generation Lambda trigger*,
/// <https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-lambda-pre-token-generation.html>):
/// "With the Basic features of the version one or V1_0 pre token generation trigger event, you can
/// customize the identity (ID) token. In user pools with the Essentials or Plus feature plan, you
/// can generate the version two or V2_0 trigger event with access token customization, and the
/// version three or V3_0 trigger event with access token customization for machine-to-machine
/// (M2M) client-credentials grants." So `V2_0`/`V3_0` on a `LITE` pool fails. A pool whose
/// `UserPoolTier` is not reported (AWS reports it; the API reference says it "Defaults to
/// ESSENTIALS") warns: the plan could not be read. `None` when there is no token trigger
/// ([`new_pool_has_token_trigger`] says so).
pub fn new_pool_token_version_fits_plan(pool: &UserPoolType) -> Option<Check> {
    let trigger = token_trigger(pool)?;
    let pool_id = pool.id().unwrap_or("(new pool)");
    let name = format!("new pool {pool_id}'s PreTokenGeneration version fits its feature plan");
    let version = trigger.version;
    if version == "V1_0" {
        return Some(check(
            name,
            Verdict::Pass,
            "V1_0 events (every feature plan): the old groups reach the ID and access tokens, \
             migration_groups_unavailable the ID token only",
        ));
    }
    let fix = "switch the pool to the Essentials plan (UpdateUserPool UserPoolTier=ESSENTIALS) \
               or deploy with TokenLambdaVersion=V1_0 (the old groups still reach both tokens; \
               migration_groups_unavailable only the ID token)";
    Some(match pool.user_pool_tier() {
        Some(UserPoolTierType::Lite) => check(
            name,
            Verdict::Fail,
            format!(
                "PreTokenGenerationConfig.LambdaVersion is {version} but the pool's feature plan \
                 (UserPoolTier) is LITE: AWS offers {version} events only in pools with the \
                 Essentials or Plus plan: {fix}"
            ),
        ),
        Some(tier) => check(
            name,
            Verdict::Pass,
            format!("{version} events on {}", tier.as_str()),
        ),
        None => check(
            name,
            Verdict::Warn,
            format!(
                "PreTokenGenerationConfig.LambdaVersion is {version}, which needs the Essentials \
                 or Plus plan, and DescribeUserPool reported no UserPoolTier: check the pool's \
                 feature plan, or {fix}"
            ),
        ),
    })
}

/// The token companion should be a function of its own, as `deploy/template.yaml` makes it: the
/// template gives PreTokenGeneration its own function (`TokenFunction`) with its own role — the
/// only one that may write to the new pool (`AdminAddUserToGroup`) — and its own reserved
/// concurrency, while UserMigration and PreSignUp, which anyone can make Cognito call without an
/// account, run in a function that holds no right on the new pool. One function for all three
/// works (the binary picks the job from `triggerSource`), so it is a WARN pointing to the
/// template: that function's role then must write to the new pool, and a flood of sign-ins or
/// sign-ups takes the instances tokens need. (Whether the function is configured for *this* old
/// pool would take `lambda:GetFunctionConfiguration`, which preflight does not call.) `None`
/// when either trigger is missing (their own checks say so).
pub fn new_pool_token_function_separate(pool: &UserPoolType) -> Option<Check> {
    let trigger = token_trigger(pool)?;
    let migration = pool.lambda_config()?.user_migration()?;
    let pool_id = pool.id().unwrap_or("(new pool)");
    let name = format!("new pool {pool_id}'s PreTokenGeneration trigger is its own function");
    if function_of(trigger.arn) != function_of(migration) {
        return Some(check(name, Verdict::Pass, trigger.arn));
    }
    Some(check(
        name,
        Verdict::Warn,
        format!(
            "PreTokenGeneration calls {}, the UserMigration function; deploy/template.yaml gives \
             it a function of its own on purpose: its own role, the only one that may write to \
             the new pool (AdminAddUserToGroup), and its own reserved concurrency, so \
             unauthenticated sign-ins and sign-ups can neither use that right nor starve token \
             issuing. Point PreTokenGenerationConfig.LambdaArn at the stack's TokenFunctionArn \
             (TokenGroups=true)",
            trigger.arn
        ),
    ))
}

/// Whether the app client lets its signed-in users write `attribute` with `UpdateUserAttributes`:
/// the attributes its `WriteAttributes` lists or, when the list is unset, every standard
/// attribute (AWS: "When you don't specify the WriteAttributes for your app client, your app can
/// write the values of the Standard attributes of your user pool").
fn client_writes(client: &UserPoolClientType, attribute: &str) -> bool {
    let listed = client.write_attributes();
    if listed.is_empty() {
        !attribute.starts_with("custom:")
            && !attribute.starts_with("dev:")
            && !attribute.ends_with("_verified")
    } else {
        listed.iter().any(|w| w == attribute)
    }
}

/// The attributes that sign a user in or name one in a pool: its `AliasAttributes` and its
/// `UsernameAttributes`.
fn sign_in_attributes(pool: &UserPoolType) -> BTreeSet<&str> {
    pool.alias_attributes()
        .iter()
        .map(|a| a.as_str())
        .chain(pool.username_attributes().iter().map(|a| a.as_str()))
        .collect()
}

/// The sign-in attributes a client's users can change to any value at once: writable and, for
/// `email`/`phone_number`, not held back by `AttributesRequireVerificationBeforeUpdate` (AWS,
/// API reference `UserAttributeUpdateSettingsType`: "Amazon Cognito doesn't change the value of
/// the attribute until your user responds to the verification message and confirms the new
/// value."). That hold is void when the client may also write `<attribute>_verified`.
/// `preferred_username` has no verified state, so nothing holds it back.
fn sign_in_names_writable<'a>(pool: &'a UserPoolType, client: &UserPoolClientType) -> Vec<&'a str> {
    let held: Vec<&str> = pool
        .user_attribute_update_settings()
        .map(|s| s.attributes_require_verification_before_update())
        .unwrap_or_default()
        .iter()
        .map(|a| a.as_str())
        .collect();
    sign_in_attributes(pool)
        .into_iter()
        .filter(|attribute| client_writes(client, attribute))
        .filter(|attribute| {
            !held.contains(attribute) || client_writes(client, &format!("{attribute}_verified"))
        })
        .collect()
}

/// What to change so a client's users cannot re-point a sign-in name, for the attributes found.
fn sign_in_names_fix(client: &UserPoolClientType, writable: &[&str]) -> String {
    let source = if client.write_attributes().is_empty() {
        "its WriteAttributes is unset, which lets users write every standard attribute"
    } else {
        "its WriteAttributes lists them"
    };
    let verifiable: Vec<&str> = writable
        .iter()
        .copied()
        .filter(|a| *a == "email" || *a == "phone_number")
        .collect();
    let mut fix = format!(
        "signed-in users can set their own {} with UpdateUserAttributes ({source}), and that value \
         signs in (AliasAttributes/UsernameAttributes): an attacker can take a name an unmigrated \
         user signs in with (e.g. preferred_username=admin, or their e-mail) so that sign-ins and \
         look-ups by that name reach the attacker. Remove {} from the client's WriteAttributes \
         (give it an explicit list)",
        writable.join(", "),
        writable.join(", ")
    );
    if !verifiable.is_empty() {
        fix.push_str(&format!(
            ", or set the pool's UserAttributeUpdateSettings.AttributesRequireVerificationBeforeUpdate \
             to {} (and keep {}_verified out of WriteAttributes), so a new value only counts once verified",
            verifiable.join(" and "),
            verifiable.join("_verified/")
        ));
    }
    if writable.contains(&"preferred_username") {
        fix.push_str(
            "; preferred_username has no verification, so it can only be made safe by leaving it out of WriteAttributes",
        );
    }
    fix
}

/// No app client of the new pool may let its users re-point a name others sign in with: an
/// alias (`AliasAttributes`) or a `UsernameAttributes` attribute, unless the pool holds a changed
/// `email`/`phone_number` back until it is verified. No trigger sees `UpdateUserAttributes`, so
/// during the window an attacker who signed up could otherwise take an unmigrated user's name.
pub fn new_client_cannot_write_sign_in_names(
    pool: &UserPoolType,
    client: &UserPoolClientType,
) -> Check {
    client_cannot_write_sign_in_names("new", pool, client, Verdict::Fail)
}

/// The same for the old pool's app clients, as a warning: the old pool keeps its own names
/// unique, so a name changed there is no other old user's, but whatever it holds during the
/// window is what the trigger migrates.
pub fn old_client_cannot_write_sign_in_names(
    pool: &UserPoolType,
    client: &UserPoolClientType,
) -> Check {
    client_cannot_write_sign_in_names("old", pool, client, Verdict::Warn)
}

fn client_cannot_write_sign_in_names(
    side: &str,
    pool: &UserPoolType,
    client: &UserPoolClientType,
    verdict: Verdict,
) -> Check {
    let pool_id = pool.id().unwrap_or("(pool)");
    let name = format!(
        "{side} client {} of {pool_id} cannot write sign-in names",
        client_label(client)
    );
    let writable = sign_in_names_writable(pool, client);
    if writable.is_empty() {
        let names: Vec<&str> = sign_in_attributes(pool).into_iter().collect();
        let detail = if names.is_empty() {
            "the pool signs in by user name only".to_string()
        } else {
            format!("{} not writable or held until verified", names.join(", "))
        };
        return check(name, Verdict::Pass, detail);
    }
    check(name, verdict, sign_in_names_fix(client, &writable))
}

/// The old pool during the window: self sign-up lets anyone add an account the trigger will
/// trust. FAIL when its user names are free-form (no e-mail/phone alias or user-name attribute):
/// then an attacker can sign up with a victim's e-mail or phone number as the user name, and
/// when the victim types that into the new pool the trigger finds and migrates the attacker's
/// account under it. WARN when the pool's shape refuses such names (new accounts still migrate).
///
/// AWS (API reference, `AdminCreateUserConfigType`): `AllowAdminCreateUserOnly` "Set to True if
/// only the administrator is allowed to create user profiles. Set to False if users can sign
/// themselves up via an app."; unset reads as false.
pub fn old_pool_closed_for_window(pool: &UserPoolType) -> Check {
    let pool_id = pool.id().unwrap_or("(old pool)");
    let name = format!("old pool {pool_id} is closed to self sign-up for the window");
    let admin_only = crate::pools::admin_create_only(pool);
    if admin_only {
        return check(
            name,
            Verdict::Pass,
            "self sign-up is off (AllowAdminCreateUserOnly)",
        );
    }
    let shaped = sign_in_attributes(pool)
        .iter()
        .any(|a| *a == "email" || *a == "phone_number");
    let close = format!(
        "close it for the window: aws cognito-idp update-user-pool --user-pool-id {pool_id} \
         --admin-create-user-config AllowAdminCreateUserOnly=true, passing every other setting \
         of describe-user-pool again (UpdateUserPool resets what it is not sent: triggers, \
         policies, MFA, messages), and reopen sign-up in the new pool after cutover"
    );
    if shaped {
        check(
            name,
            Verdict::Warn,
            format!(
                "the old pool lets people sign themselves up, so accounts made during the window \
                 are migrated as if they were old users: {close}"
            ),
        )
    } else {
        check(
            name,
            Verdict::Fail,
            format!(
                "the old pool lets people sign themselves up with any user name, so an attacker can \
                 register a victim's e-mail or phone number as a user name there, and the trigger \
                 migrates that account when the victim signs in with it: {close}"
            ),
        )
    }
}

/// The trigger proves a password with `ADMIN_USER_PASSWORD_AUTH`, which runs no custom-auth
/// challenge (`DefineAuthChallenge`/`CreateAuthChallenge`/`VerifyAuthChallengeResponse` serve
/// `CUSTOM_AUTH` only) and gets no adaptive challenge of threat protection from a request
/// without the user's device context. An old pool that demands either would see its users
/// migrated on a password alone.
pub fn old_pool_challenges_carried(pool: &UserPoolType) -> Check {
    let pool_id = pool.id().unwrap_or("(old pool)");
    let name =
        format!("old pool {pool_id} asks for nothing beyond the password the trigger checks");
    let mut found = Vec::new();
    if let Some(triggers) = pool.lambda_config() {
        for (label, arn) in [
            ("DefineAuthChallenge", triggers.define_auth_challenge()),
            ("CreateAuthChallenge", triggers.create_auth_challenge()),
            (
                "VerifyAuthChallengeResponse",
                triggers.verify_auth_challenge_response(),
            ),
        ] {
            if let Some(arn) = arn {
                found.push(format!("LambdaConfig.{label} ({arn})"));
            }
        }
    }
    if let Some(add_ons) = pool.user_pool_add_ons() {
        if add_ons.advanced_security_mode() == &AdvancedSecurityModeType::Enforced {
            found.push("threat protection ENFORCED (UserPoolAddOns.AdvancedSecurityMode)".into());
        }
        if add_ons
            .advanced_security_additional_flows()
            .and_then(|f| f.custom_auth_mode())
            == Some(&AdvancedSecurityEnabledModeType::Enforced)
        {
            found.push(
                "threat protection ENFORCED for custom auth (UserPoolAddOns.AdvancedSecurityAdditionalFlows)"
                    .into(),
            );
        }
    }
    if found.is_empty() {
        return check(
            name,
            Verdict::Pass,
            "no custom-auth triggers, threat protection not enforced",
        );
    }
    check(
        name,
        Verdict::Fail,
        format!(
            "the old pool has {}: the trigger's ADMIN_USER_PASSWORD_AUTH check never meets those \
             challenges, so a password alone would migrate users who must pass them. Do not let the \
             trigger migrate these users: move them with the bulk import (they reset their password \
             and meet the new pool's rules), and give the new pool the same protection (the same \
             custom-auth triggers, threat protection ENFORCED, MFA ON) before cutover",
            found.join(", ")
        ),
    )
}

/// Every attribute of the old pool (after the mapping) must have a home in the new pool — the
/// same list `export` stops with and `plan` reports —, every name the mapping gives must exist
/// where it is used, and the legacy-`sub` attribute must exist.
pub fn mapping_attributes_exist(
    mapping: &Mapping,
    old_pool: &UserPoolType,
    new_pool: &UserPoolType,
) -> Check {
    let name = "new pool has every attribute the mapping writes";
    let writable: BTreeSet<String> = schema_attribute_names(new_pool).into_iter().collect();
    let mut problems = Vec::new();
    if let Err(mismatch) = shared::schema_fit::check(
        new_pool.id().unwrap_or("(new pool)"),
        schema_attribute_names(old_pool),
        mapping,
        &writable,
    ) {
        problems.push(mismatch.to_string());
    }
    let old_schema = schema_attribute_names(old_pool).into_iter().collect();
    problems.extend(
        shared::mapping_names::unknown_names(mapping, &old_schema, &writable)
            .iter()
            .map(|unknown| match unknown {
                shared::mapping_names::UnknownName {
                    part: shared::mapping_names::LEGACY_SUB_PART,
                    closest: None,
                    name,
                    ..
                } => format!(
                    "the new pool lacks {name}, which carries the old sub: add it \
                     (AddCustomAttributes, mutable String), or set legacy_sub_attribute to null in \
                     the mapping file to not carry the old sub"
                ),
                _ => format!("the mapping's {unknown}"),
            }),
    );
    if problems.is_empty() {
        check(name, Verdict::Pass, "")
    } else {
        check(name, Verdict::Fail, problems.join("; "))
    }
}

/// Every identity provider of the old pool exists in the new pool under the same name, type and
/// attribute mapping. A federated user is linked by the provider's name (`cognito-migrate links`,
/// `AdminLinkProviderForUser`'s `SourceUser` `ProviderName`), so a provider missing or renamed
/// leaves its users' links unmade and their next sign-in with it creates a new, empty user; a
/// different attribute mapping writes other values over the migrated attributes at each
/// federated sign-in. Secrets in `ProviderDetails` are never compared or shown.
pub fn new_pool_has_old_providers(
    new_pool_id: &str,
    old: &[IdentityProviderType],
    new: &[IdentityProviderType],
) -> Check {
    let name = format!("new pool {new_pool_id} has the old pool's identity providers");
    if old.is_empty() {
        return check(
            name,
            Verdict::Pass,
            "the old pool has no identity providers",
        );
    }
    let mut problems = Vec::new();
    for provider in old {
        let provider_name = provider.provider_name().unwrap_or_default();
        let Some(twin) = new
            .iter()
            .find(|p| p.provider_name() == provider.provider_name())
        else {
            problems.push(format!(
                "{provider_name:?} is missing: create it in the new pool under the same name, type \
                 and attribute mapping"
            ));
            continue;
        };
        if twin.provider_type() != provider.provider_type() {
            problems.push(format!(
                "{provider_name:?} is of type {} in the old pool and {} in the new one",
                provider.provider_type().map_or("?", |t| t.as_str()),
                twin.provider_type().map_or("?", |t| t.as_str())
            ));
        }
        let mapping = |p: &IdentityProviderType| -> std::collections::BTreeMap<String, String> {
            p.attribute_mapping()
                .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                .unwrap_or_default()
        };
        let (old_mapping, new_mapping) = (mapping(provider), mapping(twin));
        if old_mapping != new_mapping {
            let differing: Vec<&str> = old_mapping
                .keys()
                .chain(new_mapping.keys())
                .filter(|k| old_mapping.get(*k) != new_mapping.get(*k))
                .map(String::as_str)
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect();
            problems.push(format!(
                "{provider_name:?} maps other attributes ({}): copy the old pool's attribute \
                 mapping",
                differing.join(", ")
            ));
        }
    }
    if problems.is_empty() {
        let names: Vec<&str> = old.iter().filter_map(|p| p.provider_name()).collect();
        check(name, Verdict::Pass, names.join(", "))
    } else {
        check(
            name,
            Verdict::Fail,
            format!(
                "{}. Federated users and links (cognito-migrate links) need each provider under the \
                 same name",
                problems.join("; ")
            ),
        )
    }
}

/// An import job does not start in a pool without auto-verified attributes.
pub fn new_pool_auto_verifies(pool: &UserPoolType) -> Check {
    let name = "new pool has auto-verified attributes";
    let attributes: Vec<&str> = pool
        .auto_verified_attributes()
        .iter()
        .map(|a| a.as_str())
        .collect();
    if attributes.is_empty() {
        check(
            name,
            Verdict::Fail,
            "set AutoVerifiedAttributes to email and/or phone_number: AWS does not start an import job without one",
        )
    } else {
        check(name, Verdict::Pass, attributes.join(", "))
    }
}

/// MFA carried by the trigger (SMS) needs SMS MFA in the new pool; TOTP never moves. A new pool
/// without MFA under an old pool with it fails: migrated users would sign in on a password alone.
pub fn mfa_compatible(
    old_pool_id: &str,
    old: &GetUserPoolMfaConfigOutput,
    new_pool_id: &str,
    new: &GetUserPoolMfaConfigOutput,
) -> Check {
    let name = format!("MFA of {new_pool_id} is compatible with {old_pool_id}");
    let name = name.as_str();
    let mode = |c: &GetUserPoolMfaConfigOutput| {
        c.mfa_configuration()
            .cloned()
            .unwrap_or(UserPoolMfaType::Off)
    };
    let (old_mode, new_mode) = (mode(old), mode(new));
    if old_mode == UserPoolMfaType::Off {
        return check(name, Verdict::Pass, "the old pool has no MFA");
    }
    if new_mode == UserPoolMfaType::Off {
        return check(
            name,
            Verdict::Fail,
            format!(
                "the old pool {old_pool_id} has MFA {} but the new pool {new_pool_id} has it OFF: \
                 migrated users would lose their second factor and sign in with a password alone. \
                 Set the new pool's MFA to {} with SMS (SetUserPoolMfaConfig) before cutover",
                old_mode.as_str(),
                old_mode.as_str()
            ),
        );
    }
    let old_totp = old
        .software_token_mfa_configuration()
        .is_some_and(|c| c.enabled());
    if old.sms_mfa_configuration().is_some() && new.sms_mfa_configuration().is_none() {
        return check(
            name,
            Verdict::Fail,
            "the old pool offers SMS MFA but the new pool does not: configure SMS MFA in the new pool \
             (the trigger sets enableSMSMFA for SMS users)",
        );
    }
    if old_totp {
        return check(
            name,
            Verdict::Warn,
            "TOTP secrets cannot be exported: users with an authenticator app must enrol again in the new pool (export lists them in mfa-reenrol.csv)",
        );
    }
    check(
        name,
        Verdict::Pass,
        format!("old {}, new {}", old_mode.as_str(), new_mode.as_str()),
    )
}

/// The feature plan (`UserPoolTier`) a pool effectively has: AWS's default when unset
/// (`UserPoolTier`, API reference: "Defaults to ESSENTIALS.").
fn tier_of(pool: &UserPoolType) -> UserPoolTierType {
    pool.user_pool_tier()
        .cloned()
        .unwrap_or(UserPoolTierType::Essentials)
}

/// The new pool can do what the old pool's users sign in with: every passwordless first factor
/// (e-mail or SMS one-time codes, passkeys) the old pool offers, e-mail MFA, and threat protection,
/// each on a feature plan that has it. AWS: e-mail MFA "To activate this setting, your user pool
/// must be in the Essentials tier or higher" (API reference, `SetUserPoolMfaConfig`,
/// `EmailMfaConfiguration`, which also carries sign-in with one-time codes); "Threat protection is
/// available in the Plus feature plan" (developer guide, *Advanced security with threat
/// protection*); choice-based sign-in is listed with the Essentials features
/// (<https://docs.aws.amazon.com/cognito/latest/developerguide/feature-plans-features-essentials.html>).
/// A new pool on Lite, or without a factor the old users have, would strand them or drop a factor
/// without a word.
pub fn new_pool_plan_covers_old_pool(
    old: &UserPoolType,
    old_mfa: &GetUserPoolMfaConfigOutput,
    new: &UserPoolType,
    new_mfa: &GetUserPoolMfaConfigOutput,
) -> Check {
    let new_id = new.id().unwrap_or("(new pool)");
    let name = format!("new pool {new_id}'s feature plan covers what the old pool's users use");
    let (old_tier, new_tier) = (tier_of(old), tier_of(new));
    let rank = |tier: &UserPoolTierType| match tier {
        UserPoolTierType::Lite => 0,
        UserPoolTierType::Plus => 2,
        _ => 1,
    };
    let mut needs: Vec<(&str, UserPoolTierType)> = Vec::new();
    let mut problems = Vec::new();
    let old_factors = crate::pools::passwordless_first_factors(old);
    if !old_factors.is_empty() {
        needs.push(("passwordless sign-in", UserPoolTierType::Essentials));
        let new_factors = crate::pools::passwordless_first_factors(new);
        let missing: Vec<&str> = old_factors
            .iter()
            .filter(|f| !new_factors.contains(f))
            .map(|f| f.as_str())
            .collect();
        if !missing.is_empty() {
            problems.push(format!(
                "the old pool lets users sign in first with {} and the new pool does not: add them \
                 to the new pool's Policies.SignInPolicy.AllowedFirstAuthFactors, or those users \
                 cannot sign in",
                missing.join(", ")
            ));
        }
    }
    if old_mfa.email_mfa_configuration().is_some() {
        needs.push(("e-mail MFA", UserPoolTierType::Essentials));
        if new_mfa.email_mfa_configuration().is_none() {
            problems.push(
                "the old pool has e-mail MFA and the new pool does not: set EmailMfaConfiguration \
                 (SetUserPoolMfaConfig), or its users end with a password alone"
                    .to_string(),
            );
        }
    }
    let threat_protection = old
        .user_pool_add_ons()
        .is_some_and(|a| a.advanced_security_mode() != &AdvancedSecurityModeType::Off);
    if threat_protection {
        needs.push(("threat protection", UserPoolTierType::Plus));
    }
    for (feature, tier) in &needs {
        if rank(&new_tier) < rank(tier) {
            problems.push(format!(
                "the old pool's users use {feature}, which needs the {} plan or higher, and the new \
                 pool is on {}: UpdateUserPool with UserPoolTier {}",
                tier.as_str(),
                new_tier.as_str(),
                tier.as_str()
            ));
        }
    }
    if problems.is_empty() {
        check(
            name,
            Verdict::Pass,
            format!("old {}, new {}", old_tier.as_str(), new_tier.as_str()),
        )
    } else {
        check(name, Verdict::Fail, problems.join("; "))
    }
}

/// The import job needs an IAM role that lets Cognito write CloudWatch logs.
pub fn logs_role_given(arn: Option<&str>) -> Check {
    let name = "import logs role";
    match arn {
        Some(arn)
            if arn.starts_with("arn:aws") && arn.contains(":iam::") && arn.contains(":role/") =>
        {
            check(name, Verdict::Pass, arn)
        }
        Some(arn) => check(
            name,
            Verdict::Fail,
            format!("{arn} is not an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME)"),
        ),
        None => check(
            name,
            Verdict::Fail,
            "pass --logs-role-arn: a role trusted by cognito-idp.amazonaws.com that may write to /aws/cognito/* log groups",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_cognitoidentityprovider::types::builders::UserPoolTypeBuilder;
    use aws_sdk_cognitoidentityprovider::types::{
        AdminCreateUserConfigType, AdvancedSecurityAdditionalFlowsType, AliasAttributeType,
        LambdaConfigType, PreTokenGenerationLambdaVersionType, PreTokenGenerationVersionConfigType,
        SchemaAttributeType, SmsMfaConfigType, SoftwareTokenMfaConfigType,
        UserAttributeUpdateSettingsType, UserPoolAddOnsType, UsernameAttributeType,
        VerifiedAttributeType,
    };

    fn client(
        flows: &[ExplicitAuthFlowsType],
        secret: Option<&str>,
        pue: bool,
    ) -> UserPoolClientType {
        let mut builder = UserPoolClientType::builder()
            .client_id("c1")
            .client_name("web")
            .set_client_secret(secret.map(String::from));
        for flow in flows {
            builder = builder.explicit_auth_flows(flow.clone());
        }
        if pue {
            builder =
                builder.prevent_user_existence_errors(PreventUserExistenceErrorTypes::Enabled);
        }
        builder.build()
    }

    #[test]
    fn old_client_checks() {
        let ok = client(
            &[ExplicitAuthFlowsType::AllowAdminUserPasswordAuth],
            Some("s3cret"),
            false,
        );
        assert_eq!(
            old_client_allows_admin_password_auth(&ok).verdict,
            Verdict::Pass
        );
        let srp_only = client(&[ExplicitAuthFlowsType::AllowUserSrpAuth], None, false);
        let failed = old_client_allows_admin_password_auth(&srp_only);
        assert_eq!(failed.verdict, Verdict::Fail);
        assert!(failed.detail.contains("ALLOW_ADMIN_USER_PASSWORD_AUTH"));
        assert_eq!(
            old_client_secret_matches(&ok, Some(&Secret::new("s3cret"))).verdict,
            Verdict::Pass
        );
        let wrong = old_client_secret_matches(&ok, Some(&Secret::new("nope")));
        assert_eq!(wrong.verdict, Verdict::Fail);
        assert!(
            !wrong.detail.contains("s3cret") && !wrong.detail.contains("nope"),
            "secrets never printed"
        );
        assert_eq!(old_client_secret_matches(&ok, None).verdict, Verdict::Fail);
        assert_eq!(
            old_client_secret_matches(&srp_only, None).verdict,
            Verdict::Pass
        );
    }

    #[test]
    fn new_pool_checks() {
        let bare = UserPoolType::builder().build();
        assert_eq!(new_pool_has_trigger(&bare).verdict, Verdict::Fail);
        assert_eq!(new_pool_auto_verifies(&bare).verdict, Verdict::Fail);
        let ready = UserPoolType::builder()
            .lambda_config(
                LambdaConfigType::builder()
                    .user_migration("arn:aws:lambda:us-east-1:1:function:m")
                    .build(),
            )
            .auto_verified_attributes(VerifiedAttributeType::Email)
            .build();
        assert_eq!(new_pool_has_trigger(&ready).verdict, Verdict::Pass);
        assert_eq!(new_pool_auto_verifies(&ready).verdict, Verdict::Pass);
        let checks = new_client_ready(
            "p1",
            &client(&[ExplicitAuthFlowsType::AllowUserSrpAuth], None, false),
        );
        assert!(checks.iter().all(|c| c.verdict == Verdict::Fail));
        let checks = new_client_ready(
            "p1",
            &client(&[ExplicitAuthFlowsType::AllowUserPasswordAuth], None, true),
        );
        assert!(checks.iter().all(|c| c.verdict == Verdict::Pass));
    }

    #[test]
    fn users_cannot_write_the_legacy_id_or_tenant() {
        let protected = ["custom:legacy_sub".to_string(), "custom:tenant".to_string()];
        let unset = client(&[], None, true);
        assert_eq!(
            new_client_cannot_write_protected("p1", &unset, &protected).verdict,
            Verdict::Pass,
            "an unset list means the standard attributes only"
        );
        let standard_tenant = ["locale".to_string()];
        let failed = new_client_cannot_write_protected("p1", &unset, &standard_tenant);
        assert_eq!(failed.verdict, Verdict::Fail);
        assert!(failed.detail.contains("locale") && failed.detail.contains("unset"));
        let listed = UserPoolClientType::builder()
            .client_id("c1")
            .write_attributes("email")
            .write_attributes("custom:tenant")
            .build();
        let failed = new_client_cannot_write_protected("p1", &listed, &protected);
        assert_eq!(failed.verdict, Verdict::Fail);
        assert!(failed.detail.contains("custom:tenant") && !failed.detail.contains("legacy_sub"));
        assert!(failed.name.contains("p1") && failed.name.contains("c1"));
    }

    #[test]
    fn self_sign_up_needs_the_guard() {
        let migrate = "arn:aws:lambda:us-east-1:1:function:migrate";
        let pool = |pre_sign_up: Option<&str>, admin_only: Option<bool>| {
            UserPoolType::builder()
                .id("p1")
                .lambda_config(
                    LambdaConfigType::builder()
                        .user_migration(migrate)
                        .set_pre_sign_up(pre_sign_up.map(String::from))
                        .build(),
                )
                .set_admin_create_user_config(admin_only.map(|only| {
                    AdminCreateUserConfigType::builder()
                        .allow_admin_create_user_only(only)
                        .build()
                }))
                .build()
        };
        let failed = new_pool_guards_sign_up(&pool(None, None));
        assert_eq!(failed.verdict, Verdict::Fail);
        assert!(failed.name.contains("p1") && failed.detail.contains("LambdaConfig.PreSignUp"));
        assert_eq!(
            new_pool_guards_sign_up(&pool(None, Some(false))).verdict,
            Verdict::Fail
        );
        assert_eq!(
            new_pool_guards_sign_up(&pool(None, Some(true))).verdict,
            Verdict::Pass
        );
        assert_eq!(
            new_pool_guards_sign_up(&pool(Some(migrate), None)).verdict,
            Verdict::Pass
        );
        assert_eq!(
            new_pool_guards_sign_up(&pool(Some(&format!("{migrate}:live")), None)).verdict,
            Verdict::Pass,
            "an alias of the same function is the same guard"
        );
        let other = new_pool_guards_sign_up(&pool(
            Some("arn:aws:lambda:us-east-1:1:function:welcome"),
            None,
        ));
        assert_eq!(other.verdict, Verdict::Fail);
        assert!(other.detail.contains("function:welcome"));
    }

    const MIGRATE: &str = "arn:aws:lambda:us-east-1:1:function:migrate";
    const TOKEN: &str = "arn:aws:lambda:us-east-1:1:function:token";

    /// A new pool `p1` whose UserMigration is `MIGRATE`, with the token trigger as given: the
    /// legacy field, the versioned config, and the feature plan.
    fn token_pool(
        legacy: Option<&str>,
        config: Option<(&str, PreTokenGenerationLambdaVersionType)>,
        tier: Option<UserPoolTierType>,
    ) -> UserPoolType {
        UserPoolType::builder()
            .id("p1")
            .lambda_config(
                LambdaConfigType::builder()
                    .user_migration(MIGRATE)
                    .set_pre_token_generation(legacy.map(String::from))
                    .set_pre_token_generation_config(config.map(|(arn, version)| {
                        PreTokenGenerationVersionConfigType::builder()
                            .lambda_arn(arn)
                            .lambda_version(version)
                            .build()
                            .unwrap()
                    }))
                    .build(),
            )
            .set_user_pool_tier(tier)
            .build()
    }

    #[test]
    fn a_missing_token_trigger_warns_naming_the_groups_it_costs() {
        let missing = new_pool_has_token_trigger(&token_pool(None, None, None));
        assert_eq!(
            missing,
            check(
                "new pool p1 has a PreTokenGeneration trigger",
                Verdict::Warn,
                "the new pool has no PreTokenGeneration trigger, so users the trigger migrates get \
                 tokens without their old groups (no cognito:groups, no deny-group such as blocked) \
                 until cognito-migrate groups --sync next runs: deploy the template with \
                 TokenGroups=true and set LambdaConfig.PreTokenGenerationConfig to its token \
                 function (the stack's LambdaConfig output), or run groups --sync often and \
                 disable blocked users instead of relying on a group"
            )
        );
        let bare = UserPoolType::builder().id("p1").build();
        assert_eq!(new_pool_has_token_trigger(&bare).verdict, Verdict::Warn);
        assert_eq!(new_pool_token_version_fits_plan(&bare), None);
        assert_eq!(new_pool_token_function_separate(&bare), None);
    }

    #[test]
    fn the_token_trigger_passes_in_either_field_and_fails_when_they_differ() {
        let config = new_pool_has_token_trigger(&token_pool(
            None,
            Some((TOKEN, PreTokenGenerationLambdaVersionType::V20)),
            None,
        ));
        assert_eq!(config.verdict, Verdict::Pass);
        assert_eq!(config.detail, format!("{TOKEN} (V2_0 events)"));
        let legacy = new_pool_has_token_trigger(&token_pool(Some(TOKEN), None, None));
        assert_eq!(legacy.verdict, Verdict::Pass);
        assert_eq!(
            legacy.detail,
            format!("{TOKEN} (legacy LambdaConfig.PreTokenGeneration: V1_0 events)")
        );
        let both = token_pool(
            Some(TOKEN),
            Some((TOKEN, PreTokenGenerationLambdaVersionType::V10)),
            None,
        );
        assert_eq!(new_pool_has_token_trigger(&both).verdict, Verdict::Pass);
        let differ = new_pool_has_token_trigger(&token_pool(
            Some("arn:aws:lambda:us-east-1:1:function:old-claims"),
            Some((TOKEN, PreTokenGenerationLambdaVersionType::V10)),
            None,
        ));
        assert_eq!(
            differ,
            check(
                "new pool p1 has a PreTokenGeneration trigger",
                Verdict::Fail,
                format!(
                    "LambdaConfig.PreTokenGeneration (arn:aws:lambda:us-east-1:1:function:old-claims) \
                     and PreTokenGenerationConfig.LambdaArn ({TOKEN}) differ: AWS requires them to \
                     be identical and does not say which one Cognito calls. Set \
                     PreTokenGenerationConfig.LambdaArn to the token function and \
                     PreTokenGeneration to the same ARN (or leave it unset)"
                )
            )
        );
    }

    #[test]
    fn token_version_two_or_three_on_the_lite_plan_fails() {
        let name = "new pool p1's PreTokenGeneration version fits its feature plan";
        for version in [
            PreTokenGenerationLambdaVersionType::V20,
            PreTokenGenerationLambdaVersionType::V30,
        ] {
            let v = version.as_str().to_string();
            let lite = token_pool(
                None,
                Some((TOKEN, version.clone())),
                Some(UserPoolTierType::Lite),
            );
            assert_eq!(
                new_pool_token_version_fits_plan(&lite),
                Some(check(
                    name,
                    Verdict::Fail,
                    format!(
                        "PreTokenGenerationConfig.LambdaVersion is {v} but the pool's feature plan \
                         (UserPoolTier) is LITE: AWS offers {v} events only in pools with the \
                         Essentials or Plus plan: switch the pool to the Essentials plan \
                         (UpdateUserPool UserPoolTier=ESSENTIALS) or deploy with \
                         TokenLambdaVersion=V1_0 (the old groups still reach both tokens; \
                         migration_groups_unavailable only the ID token)"
                    )
                ))
            );
            for tier in [UserPoolTierType::Essentials, UserPoolTierType::Plus] {
                let fits = token_pool(None, Some((TOKEN, version.clone())), Some(tier.clone()));
                let passed = new_pool_token_version_fits_plan(&fits).unwrap();
                assert_eq!(passed.verdict, Verdict::Pass);
                assert_eq!(passed.detail, format!("{v} events on {}", tier.as_str()));
            }
            let unknown = token_pool(None, Some((TOKEN, version)), None);
            let warned = new_pool_token_version_fits_plan(&unknown).unwrap();
            assert_eq!(warned.verdict, Verdict::Warn);
            assert!(
                warned.detail.contains("reported no UserPoolTier"),
                "{warned:?}"
            );
        }
        for lite_v1 in [
            token_pool(
                None,
                Some((TOKEN, PreTokenGenerationLambdaVersionType::V10)),
                Some(UserPoolTierType::Lite),
            ),
            token_pool(Some(TOKEN), None, Some(UserPoolTierType::Lite)),
        ] {
            assert_eq!(
                new_pool_token_version_fits_plan(&lite_v1),
                Some(check(
                    name,
                    Verdict::Pass,
                    "V1_0 events (every feature plan): the old groups reach the ID and access \
                     tokens, migration_groups_unavailable the ID token only"
                ))
            );
        }
    }

    #[test]
    fn a_token_trigger_in_the_user_migration_function_warns_pointing_to_the_template() {
        let name = "new pool p1's PreTokenGeneration trigger is its own function";
        let own = token_pool(
            None,
            Some((TOKEN, PreTokenGenerationLambdaVersionType::V10)),
            None,
        );
        assert_eq!(
            new_pool_token_function_separate(&own),
            Some(check(name, Verdict::Pass, TOKEN))
        );
        let shared = format!("{MIGRATE}:live");
        let same = token_pool(Some(&shared), None, None);
        assert_eq!(
            new_pool_token_function_separate(&same),
            Some(check(
                name,
                Verdict::Warn,
                format!(
                    "PreTokenGeneration calls {shared}, the UserMigration function; \
                     deploy/template.yaml gives it a function of its own on purpose: its own \
                     role, the only one that may write to the new pool (AdminAddUserToGroup), and \
                     its own reserved concurrency, so unauthenticated sign-ins and sign-ups can \
                     neither use that right nor starve token issuing. Point \
                     PreTokenGenerationConfig.LambdaArn at the stack's TokenFunctionArn \
                     (TokenGroups=true)"
                )
            )),
            "an alias of the UserMigration function is that function"
        );
        let no_migration = UserPoolType::builder()
            .id("p1")
            .lambda_config(
                LambdaConfigType::builder()
                    .pre_token_generation(TOKEN)
                    .build(),
            )
            .build();
        assert_eq!(new_pool_token_function_separate(&no_migration), None);
    }

    #[test]
    fn mapping_attributes_must_exist() {
        let attr = |n: &str| SchemaAttributeType::builder().name(n).build();
        let old = UserPoolType::builder()
            .schema_attributes(attr("email"))
            .schema_attributes(attr("custom:tenant"))
            .build();
        let new = UserPoolType::builder()
            .schema_attributes(attr("email"))
            .schema_attributes(attr("custom:tenant"))
            .build();
        let failed = mapping_attributes_exist(&Mapping::default(), &old, &new);
        assert_eq!(failed.verdict, Verdict::Fail);
        assert!(
            failed.detail.contains("custom:legacy_sub"),
            "{}",
            failed.detail
        );
        assert_eq!(
            mapping_attributes_exist(&Mapping::default().without_legacy_sub(), &old, &new).verdict,
            Verdict::Pass
        );
        let bare_new = UserPoolType::builder()
            .schema_attributes(attr("email"))
            .build();
        let failed =
            mapping_attributes_exist(&Mapping::default().without_legacy_sub(), &old, &bare_new);
        assert!(failed.detail.contains("custom:tenant"));
    }

    fn pool_with(
        id: &str,
        shape: impl Fn(UserPoolTypeBuilder) -> UserPoolTypeBuilder,
    ) -> UserPoolType {
        shape(UserPoolType::builder().id(id)).build()
    }

    fn writer(listed: Option<&[&str]>) -> UserPoolClientType {
        UserPoolClientType::builder()
            .client_id("c1")
            .client_name("web")
            .set_write_attributes(listed.map(|l| l.iter().map(|s| s.to_string()).collect()))
            .build()
    }

    fn held(attributes: &[VerifiedAttributeType]) -> UserAttributeUpdateSettingsType {
        UserAttributeUpdateSettingsType::builder()
            .set_attributes_require_verification_before_update(Some(attributes.to_vec()))
            .build()
    }

    #[test]
    fn an_alias_users_can_write_fails_unless_verification_holds_it() {
        let alias_shape = |b: UserPoolTypeBuilder| {
            b.alias_attributes(AliasAttributeType::PreferredUsername)
                .alias_attributes(AliasAttributeType::Email)
        };
        let alias_pool = pool_with("p1", alias_shape);
        let failed = new_client_cannot_write_sign_in_names(&alias_pool, &writer(None));
        assert_eq!(failed.verdict, Verdict::Fail);
        assert!(failed.name.contains("p1") && failed.name.contains("c1"));
        assert!(
            failed.detail.contains("email, preferred_username")
                && failed.detail.contains("unset")
                && failed
                    .detail
                    .contains("AttributesRequireVerificationBeforeUpdate")
                && failed.detail.contains("WriteAttributes"),
            "{}",
            failed.detail
        );
        // Verification holds e-mail back, never preferred_username.
        let held_pool = pool_with("p1", |b| {
            alias_shape(b).user_attribute_update_settings(held(&[VerifiedAttributeType::Email]))
        });
        let failed = new_client_cannot_write_sign_in_names(&held_pool, &writer(None));
        assert_eq!(failed.verdict, Verdict::Fail);
        assert!(
            failed.detail.contains("own preferred_username with")
                && failed.detail.contains("no verification"),
            "{}",
            failed.detail
        );
        let names_only = writer(Some(&["name", "email"]));
        assert_eq!(
            new_client_cannot_write_sign_in_names(&held_pool, &names_only).verdict,
            Verdict::Pass
        );
        // ...unless the client may also mark the new value verified.
        let self_verifying = writer(Some(&["email", "email_verified"]));
        assert_eq!(
            new_client_cannot_write_sign_in_names(&held_pool, &self_verifying).verdict,
            Verdict::Fail
        );
        let plain = UserPoolType::builder().id("p2").build();
        let passed = new_client_cannot_write_sign_in_names(&plain, &writer(None));
        assert_eq!(passed.verdict, Verdict::Pass);
        assert!(passed.detail.contains("user name only"));
    }

    #[test]
    fn an_email_user_name_users_can_write_fails_and_old_clients_warn() {
        let email_shape =
            |b: UserPoolTypeBuilder| b.username_attributes(UsernameAttributeType::Email);
        let email_pool = pool_with("p3", email_shape);
        let failed = new_client_cannot_write_sign_in_names(&email_pool, &writer(Some(&["email"])));
        assert_eq!(failed.verdict, Verdict::Fail);
        assert!(failed.detail.contains("lists them") && !failed.detail.contains("no verification"));
        let warned = old_client_cannot_write_sign_in_names(&email_pool, &writer(None));
        assert_eq!(warned.verdict, Verdict::Warn);
        assert!(warned.name.starts_with("old client"));
        let held_pool = pool_with("p3", |b| {
            email_shape(b).user_attribute_update_settings(held(&[VerifiedAttributeType::Email]))
        });
        assert_eq!(
            new_client_cannot_write_sign_in_names(&held_pool, &writer(None)).verdict,
            Verdict::Pass
        );
    }

    #[test]
    fn an_old_pool_open_to_sign_up_fails_with_free_form_names_and_warns_otherwise() {
        let admin_only = |only: bool| {
            AdminCreateUserConfigType::builder()
                .allow_admin_create_user_only(only)
                .build()
        };
        let plain = UserPoolType::builder().id("old1").build();
        let failed = old_pool_closed_for_window(&plain);
        assert_eq!(failed.verdict, Verdict::Fail);
        assert!(
            failed.name.contains("old1")
                && failed.detail.contains("AllowAdminCreateUserOnly=true")
                && failed.detail.contains("resets"),
            "{}",
            failed.detail
        );
        let alias = UserPoolType::builder()
            .id("old2")
            .alias_attributes(AliasAttributeType::Email)
            .admin_create_user_config(admin_only(false))
            .build();
        assert_eq!(old_pool_closed_for_window(&alias).verdict, Verdict::Warn);
        let closed = pool_with("old1", |b| b.admin_create_user_config(admin_only(true)));
        assert_eq!(old_pool_closed_for_window(&closed).verdict, Verdict::Pass);
    }

    #[test]
    fn custom_auth_or_enforced_threat_protection_in_the_old_pool_fails() {
        let plain = UserPoolType::builder().id("old1").build();
        assert_eq!(old_pool_challenges_carried(&plain).verdict, Verdict::Pass);
        let custom = pool_with("old1", |b| {
            b.lambda_config(
                LambdaConfigType::builder()
                    .define_auth_challenge("arn:aws:lambda:us-east-1:1:function:define")
                    .build(),
            )
        });
        let failed = old_pool_challenges_carried(&custom);
        assert_eq!(failed.verdict, Verdict::Fail);
        assert!(
            failed.name.contains("old1")
                && failed.detail.contains("LambdaConfig.DefineAuthChallenge")
                && failed.detail.contains("bulk import"),
            "{}",
            failed.detail
        );
        let add_ons = |mode: AdvancedSecurityModeType,
                       custom: Option<AdvancedSecurityEnabledModeType>| {
            UserPoolAddOnsType::builder()
                .advanced_security_mode(mode)
                .set_advanced_security_additional_flows(custom.map(|m| {
                    AdvancedSecurityAdditionalFlowsType::builder()
                        .custom_auth_mode(m)
                        .build()
                }))
                .build()
                .unwrap()
        };
        let with = |a: UserPoolAddOnsType| pool_with("old1", |b| b.user_pool_add_ons(a.clone()));
        let enforced =
            old_pool_challenges_carried(&with(add_ons(AdvancedSecurityModeType::Enforced, None)));
        assert_eq!(enforced.verdict, Verdict::Fail);
        assert!(enforced.detail.contains("AdvancedSecurityMode"));
        let flows = old_pool_challenges_carried(&with(add_ons(
            AdvancedSecurityModeType::Audit,
            Some(AdvancedSecurityEnabledModeType::Enforced),
        )));
        assert_eq!(flows.verdict, Verdict::Fail);
        assert!(flows.detail.contains("AdvancedSecurityAdditionalFlows"));
        assert_eq!(
            old_pool_challenges_carried(&with(add_ons(AdvancedSecurityModeType::Audit, None)))
                .verdict,
            Verdict::Pass
        );
    }

    #[test]
    fn mfa_and_logs_role() {
        let off = GetUserPoolMfaConfigOutput::builder()
            .mfa_configuration(UserPoolMfaType::Off)
            .build();
        let sms = GetUserPoolMfaConfigOutput::builder()
            .mfa_configuration(UserPoolMfaType::Optional)
            .sms_mfa_configuration(SmsMfaConfigType::builder().build())
            .build();
        let totp = GetUserPoolMfaConfigOutput::builder()
            .mfa_configuration(UserPoolMfaType::Optional)
            .software_token_mfa_configuration(
                SoftwareTokenMfaConfigType::builder().enabled(true).build(),
            )
            .build();
        let mfa = |old, new| mfa_compatible("old1", old, "new1", new);
        assert_eq!(mfa(&off, &off).verdict, Verdict::Pass);
        let dropped = mfa(&sms, &off);
        assert_eq!(dropped.verdict, Verdict::Fail);
        assert!(
            dropped.name.contains("new1")
                && dropped.detail.contains("old1")
                && dropped.detail.contains("OPTIONAL")
                && dropped.detail.contains("SetUserPoolMfaConfig"),
            "{dropped:?}"
        );
        let on = GetUserPoolMfaConfigOutput::builder()
            .mfa_configuration(UserPoolMfaType::On)
            .software_token_mfa_configuration(
                SoftwareTokenMfaConfigType::builder().enabled(true).build(),
            )
            .build();
        assert_eq!(mfa(&on, &off).verdict, Verdict::Fail);
        assert_eq!(mfa(&sms, &totp).verdict, Verdict::Fail);
        assert_eq!(mfa(&totp, &totp).verdict, Verdict::Warn);
        assert_eq!(mfa(&sms, &sms).verdict, Verdict::Pass);
        assert_eq!(
            logs_role_given(Some("arn:aws:iam::123456789012:role/import")).verdict,
            Verdict::Pass
        );
        assert_eq!(logs_role_given(Some("import")).verdict, Verdict::Fail);
        assert_eq!(logs_role_given(None).verdict, Verdict::Fail);
    }

    #[test]
    fn the_old_pools_identity_providers_must_be_in_the_new_pool_alike() {
        use aws_sdk_cognitoidentityprovider::types::IdentityProviderTypeType;
        let provider = |name: &str, kind: IdentityProviderTypeType, email: &str| {
            IdentityProviderType::builder()
                .provider_name(name)
                .provider_type(kind)
                .attribute_mapping("email", email)
                .provider_details("client_secret", "never shown")
                .build()
        };
        let google = provider("Google", IdentityProviderTypeType::Google, "email");
        let saml = provider("Corp", IdentityProviderTypeType::Saml, "mail");
        assert_eq!(
            new_pool_has_old_providers("new-1", &[], &[]).verdict,
            Verdict::Pass
        );
        let same = new_pool_has_old_providers(
            "new-1",
            &[google.clone(), saml.clone()],
            &[saml.clone(), google.clone()],
        );
        assert_eq!(
            (same.verdict, same.detail.as_str()),
            (Verdict::Pass, "Google, Corp")
        );
        let other = provider("Corp", IdentityProviderTypeType::Saml, "emailaddress");
        let failed = new_pool_has_old_providers("new-1", &[google, saml], &[other]);
        assert_eq!(failed.verdict, Verdict::Fail);
        assert_eq!(
            failed.detail,
            "\"Google\" is missing: create it in the new pool under the same name, type and \
             attribute mapping; \"Corp\" maps other attributes (email): copy the old pool's \
             attribute mapping. Federated users and links (cognito-migrate links) need each \
             provider under the same name"
        );
        assert!(!failed.detail.contains("never shown"));
    }

    #[test]
    fn the_new_pools_plan_must_offer_what_the_old_pools_users_sign_in_with() {
        use aws_sdk_cognitoidentityprovider::types::{
            AuthFactorType, EmailMfaConfigType, SignInPolicyType, UserPoolAddOnsType,
            UserPoolPolicyType,
        };
        let pool = |id: &str, tier: Option<UserPoolTierType>, factors: &[AuthFactorType]| {
            UserPoolType::builder()
                .id(id)
                .set_user_pool_tier(tier)
                .policies(
                    UserPoolPolicyType::builder()
                        .sign_in_policy(
                            SignInPolicyType::builder()
                                .set_allowed_first_auth_factors(Some(factors.to_vec()))
                                .build(),
                        )
                        .build(),
                )
                .build()
        };
        let no_mfa = GetUserPoolMfaConfigOutput::builder().build();
        let email_mfa = GetUserPoolMfaConfigOutput::builder()
            .email_mfa_configuration(EmailMfaConfigType::builder().build())
            .build();
        let password = [AuthFactorType::Password];
        let passwordless = [
            AuthFactorType::Password,
            AuthFactorType::EmailOtp,
            AuthFactorType::WebAuthn,
        ];

        let plain = new_pool_plan_covers_old_pool(
            &pool("old", None, &password),
            &no_mfa,
            &pool("new", Some(UserPoolTierType::Lite), &password),
            &no_mfa,
        );
        assert_eq!(
            (plain.verdict, plain.detail.as_str()),
            (Verdict::Pass, "old ESSENTIALS, new LITE")
        );

        let lite = new_pool_plan_covers_old_pool(
            &pool("old", Some(UserPoolTierType::Essentials), &passwordless),
            &email_mfa,
            &pool(
                "new",
                Some(UserPoolTierType::Lite),
                &[AuthFactorType::Password, AuthFactorType::EmailOtp],
            ),
            &no_mfa,
        );
        assert_eq!(lite.verdict, Verdict::Fail);
        assert_eq!(
            lite.detail,
            "the old pool lets users sign in first with WEB_AUTHN and the new pool does not: add \
             them to the new pool's Policies.SignInPolicy.AllowedFirstAuthFactors, or those users \
             cannot sign in; the old pool has e-mail MFA and the new pool does not: set \
             EmailMfaConfiguration (SetUserPoolMfaConfig), or its users end with a password alone; \
             the old pool's users use passwordless sign-in, which needs the ESSENTIALS plan or \
             higher, and the new pool is on LITE: UpdateUserPool with UserPoolTier ESSENTIALS; the \
             old pool's users use e-mail MFA, which needs the ESSENTIALS plan or higher, and the new \
             pool is on LITE: UpdateUserPool with UserPoolTier ESSENTIALS"
        );

        let protected = UserPoolType::builder()
            .id("old")
            .user_pool_add_ons(
                UserPoolAddOnsType::builder()
                    .advanced_security_mode(AdvancedSecurityModeType::Audit)
                    .build()
                    .unwrap(),
            )
            .build();
        let essentials = new_pool_plan_covers_old_pool(
            &protected,
            &no_mfa,
            &pool("new", None, &password),
            &no_mfa,
        );
        assert_eq!(essentials.verdict, Verdict::Fail);
        assert!(
            essentials
                .detail
                .contains("threat protection, which needs the PLUS plan"),
            "{}",
            essentials.detail
        );
        let same = new_pool_plan_covers_old_pool(
            &pool("old", None, &passwordless),
            &email_mfa,
            &pool("new", Some(UserPoolTierType::Plus), &passwordless),
            &email_mfa,
        );
        assert_eq!(same.verdict, Verdict::Pass);
    }
}
