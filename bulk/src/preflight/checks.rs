//! The preflight checks as plain functions of what the pools describe, so each verdict and its
//! advice are unit-tested without a network.

use std::collections::BTreeSet;

use aws_sdk_cognitoidentityprovider::operation::get_user_pool_mfa_config::GetUserPoolMfaConfigOutput;
use aws_sdk_cognitoidentityprovider::types::{
    ExplicitAuthFlowsType, PreventUserExistenceErrorTypes, UserPoolClientType, UserPoolMfaType,
    UserPoolType,
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
    let admin_only = pool
        .admin_create_user_config()
        .is_some_and(|c| c.allow_admin_create_user_only());
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

/// Every attribute of the old pool (after the mapping) must have a home in the new pool — the
/// same list `export` stops with and `plan` reports — and the legacy-`sub` attribute must exist.
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
    if let Some(legacy) = &mapping.legacy_sub_attribute
        && !writable.contains(legacy)
    {
        problems.push(format!(
            "the new pool lacks {legacy}, which carries the old sub: add it (AddCustomAttributes, mutable String), \
             or set legacy_sub_attribute to null in the mapping file to not carry the old sub"
        ));
    }
    if problems.is_empty() {
        check(name, Verdict::Pass, "")
    } else {
        check(name, Verdict::Fail, problems.join("; "))
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

/// MFA carried by the trigger (SMS) needs SMS MFA in the new pool; TOTP never moves.
pub fn mfa_compatible(old: &GetUserPoolMfaConfigOutput, new: &GetUserPoolMfaConfigOutput) -> Check {
    let name = "MFA configurations are compatible";
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
            Verdict::Warn,
            "the old pool uses MFA but the new pool has it off: migrated users lose their second factor",
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
    use aws_sdk_cognitoidentityprovider::types::{
        AdminCreateUserConfigType, LambdaConfigType, SchemaAttributeType, SmsMfaConfigType,
        SoftwareTokenMfaConfigType, VerifiedAttributeType,
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
        assert_eq!(mfa_compatible(&off, &off).verdict, Verdict::Pass);
        assert_eq!(mfa_compatible(&sms, &off).verdict, Verdict::Warn);
        assert_eq!(mfa_compatible(&sms, &totp).verdict, Verdict::Fail);
        assert_eq!(mfa_compatible(&totp, &totp).verdict, Verdict::Warn);
        assert_eq!(mfa_compatible(&sms, &sms).verdict, Verdict::Pass);
        assert_eq!(
            logs_role_given(Some("arn:aws:iam::123456789012:role/import")).verdict,
            Verdict::Pass
        );
        assert_eq!(logs_role_given(Some("import")).verdict, Verdict::Fail);
        assert_eq!(logs_role_given(None).verdict, Verdict::Fail);
    }
}
