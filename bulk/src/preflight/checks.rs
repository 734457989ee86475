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
pub fn new_client_ready(client: &UserPoolClientType) -> Vec<Check> {
    let label = client_label(client);
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
        LambdaConfigType, SchemaAttributeType, SmsMfaConfigType, SoftwareTokenMfaConfigType,
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
        let checks = new_client_ready(&client(
            &[ExplicitAuthFlowsType::AllowUserSrpAuth],
            None,
            false,
        ));
        assert!(checks.iter().all(|c| c.verdict == Verdict::Fail));
        let checks = new_client_ready(&client(
            &[ExplicitAuthFlowsType::AllowUserPasswordAuth],
            None,
            true,
        ));
        assert!(checks.iter().all(|c| c.verdict == Verdict::Pass));
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
