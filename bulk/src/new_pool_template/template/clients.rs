//! The app clients: their flows with `USER_PASSWORD_AUTH` for the window, and write lists that
//! never hold the legacy id, the tenant or a sign-in value not held back until verified.

use super::*;

/// A legacy flow name as its `ALLOW_` equivalent: a client cannot mix the two kinds.
pub(super) fn allow_flow(flow: &ExplicitAuthFlowsType) -> &'static str {
    match flow {
        ExplicitAuthFlowsType::AdminNoSrpAuth
        | ExplicitAuthFlowsType::AllowAdminUserPasswordAuth => "ALLOW_ADMIN_USER_PASSWORD_AUTH",
        ExplicitAuthFlowsType::CustomAuthFlowOnly | ExplicitAuthFlowsType::AllowCustomAuth => {
            "ALLOW_CUSTOM_AUTH"
        }
        ExplicitAuthFlowsType::UserPasswordAuth | ExplicitAuthFlowsType::AllowUserPasswordAuth => {
            "ALLOW_USER_PASSWORD_AUTH"
        }
        ExplicitAuthFlowsType::AllowUserAuth => "ALLOW_USER_AUTH",
        ExplicitAuthFlowsType::AllowRefreshTokenAuth => "ALLOW_REFRESH_TOKEN_AUTH",
        _ => "ALLOW_USER_SRP_AUTH",
    }
}

/// The flows of a client: its own (AWS's defaults when unset), refresh tokens unless the client
/// rotates them (AWS: rotation "is incompatible with the REFRESH_TOKEN_AUTH authentication
/// flow"), and during the window `ALLOW_USER_PASSWORD_AUTH`, the only flow that shows the
/// trigger the password.
pub(super) fn flows(client: &UserPoolClientType, window: Window) -> BTreeSet<&'static str> {
    let mut flows: BTreeSet<&str> = client
        .explicit_auth_flows()
        .iter()
        .map(allow_flow)
        .collect();
    if flows.is_empty() {
        flows.extend(["ALLOW_USER_SRP_AUTH", "ALLOW_CUSTOM_AUTH"]);
    }
    if rotates_refresh_tokens(client) {
        flows.remove("ALLOW_REFRESH_TOKEN_AUTH");
    } else {
        flows.insert("ALLOW_REFRESH_TOKEN_AUTH");
    }
    if window == Window::During {
        flows.insert("ALLOW_USER_PASSWORD_AUTH");
    }
    flows
}

fn rotates_refresh_tokens(client: &UserPoolClientType) -> bool {
    client
        .refresh_token_rotation()
        .is_some_and(|r| r.feature() == &FeatureType::Enabled)
}

/// What a client may write: its list (or, unset, every mutable standard attribute of the old
/// pool, which is what an unset list means), without the legacy id, the tenant, a sign-in
/// attribute nothing holds back (`preferred_username`) and the verified flags of the e-mail/phone
/// that sign in (writing them would void the hold).
pub(super) fn write_attributes(
    old: &PoolConfiguration,
    choices: &Choices,
    client: &UserPoolClientType,
) -> (Vec<String>, Vec<String>) {
    let listed: Vec<String> = if client.write_attributes().is_empty() {
        let immutable: BTreeSet<&str> = old
            .settings
            .pool
            .schema_attributes()
            .iter()
            .filter(|a| a.mutable() == Some(false))
            .filter_map(|a| a.name())
            .collect();
        WRITABLE_STANDARD
            .iter()
            .filter(|n| !immutable.contains(*n))
            .map(|n| n.to_string())
            .collect()
    } else {
        client
            .write_attributes()
            .iter()
            .map(|a| choices.rename.get(a).cloned().unwrap_or_else(|| a.clone()))
            .collect()
    };
    let mut protected: BTreeSet<String> = BTreeSet::new();
    protected.extend(choices.legacy_sub.iter().cloned());
    protected.extend(choices.tenant_attribute.iter().cloned());
    for attribute in choices.shape.sign_in_attributes() {
        if choices.shape.verifiable().contains(attribute) {
            protected.insert(format!("{attribute}_verified"));
        } else {
            protected.insert((*attribute).to_string());
        }
    }
    listed.into_iter().partition(|a| !protected.contains(a))
}

#[allow(clippy::too_many_arguments)]
pub(super) fn app_client(
    old: &PoolConfiguration,
    choices: &Choices,
    window: Window,
    client: &UserPoolClientType,
    providers: &BTreeMap<String, String>,
    servers: &[String],
    report: &mut Vec<String>,
) -> Value {
    let name = client.client_name().unwrap_or_default();
    let mut p = Map::new();
    p.insert("ClientName".into(), json!(name));
    p.insert("UserPoolId".into(), reference(POOL));
    let secret = client.client_secret().is_some();
    p.insert("GenerateSecret".into(), json!(secret));
    if secret {
        report.push(format!(
            "client {name}: a client secret cannot be carried; the new client gets a new one \
             (GenerateSecret): give it to the apps"
        ));
    }
    p.insert("ExplicitAuthFlows".into(), strings(flows(client, window)));
    p.insert("PreventUserExistenceErrors".into(), json!("ENABLED"));
    if client.refresh_token_validity() > 0 {
        p.insert(
            "RefreshTokenValidity".into(),
            json!(client.refresh_token_validity()),
        );
    }
    insert_some(
        &mut p,
        "AccessTokenValidity",
        client.access_token_validity().map(|v| json!(v)),
    );
    insert_some(
        &mut p,
        "IdTokenValidity",
        client.id_token_validity().map(|v| json!(v)),
    );
    if let Some(units) = client.token_validity_units() {
        insert_some(
            &mut p,
            "TokenValidityUnits",
            set_fields([
                (
                    "AccessToken",
                    units.access_token().map(|v| json!(v.as_str())),
                ),
                ("IdToken", units.id_token().map(|v| json!(v.as_str()))),
                (
                    "RefreshToken",
                    units.refresh_token().map(|v| json!(v.as_str())),
                ),
            ]),
        );
    }
    if let Some(rotation) = client.refresh_token_rotation() {
        let mut r = Map::new();
        r.insert("Feature".into(), json!(rotation.feature().as_str()));
        insert_some(
            &mut r,
            "RetryGracePeriodSeconds",
            rotation.retry_grace_period_seconds().map(|v| json!(v)),
        );
        p.insert("RefreshTokenRotation".into(), Value::Object(r));
    }
    insert_some(
        &mut p,
        "AuthSessionValidity",
        client.auth_session_validity().map(|v| json!(v)),
    );
    insert_some(
        &mut p,
        "ReadAttributes",
        nonempty_strings(
            client
                .read_attributes()
                .iter()
                .map(|a| choices.rename.get(a).unwrap_or(a)),
        ),
    );
    let (writable, removed) = write_attributes(old, choices, client);
    if !removed.is_empty() {
        report.push(format!(
            "client {name}: not writable in the new pool: {} (the migration trusts them, or they \
             sign in)",
            removed.join(", ")
        ));
    }
    if writable.is_empty() {
        report.push(format!(
            "client {name}: writes no attribute; an empty WriteAttributes reads as unset (every \
             standard attribute): check the created client"
        ));
    }
    insert_some(&mut p, "WriteAttributes", nonempty_strings(&writable));
    insert_some(
        &mut p,
        "CallbackURLs",
        nonempty_strings(client.callback_urls()),
    );
    insert_some(&mut p, "LogoutURLs", nonempty_strings(client.logout_urls()));
    insert_some(
        &mut p,
        "DefaultRedirectURI",
        client.default_redirect_uri().map(|v| json!(v)),
    );
    insert_some(
        &mut p,
        "AllowedOAuthFlows",
        nonempty_strings(client.allowed_o_auth_flows().iter().map(|f| f.as_str())),
    );
    insert_some(
        &mut p,
        "AllowedOAuthScopes",
        nonempty_strings(client.allowed_o_auth_scopes()),
    );
    if client.allowed_o_auth_flows_user_pool_client() == Some(true) {
        p.insert("AllowedOAuthFlowsUserPoolClient".into(), json!(true));
    }
    insert_some(
        &mut p,
        "SupportedIdentityProviders",
        nonempty_strings(client.supported_identity_providers()),
    );
    insert_some(
        &mut p,
        "EnableTokenRevocation",
        client.enable_token_revocation().map(|v| json!(v)),
    );
    insert_some(
        &mut p,
        "EnablePropagateAdditionalUserContextData",
        client
            .enable_propagate_additional_user_context_data()
            .map(|v| json!(v)),
    );
    if client.analytics_configuration().is_some() {
        report.push(format!(
            "client {name}: its Pinpoint analytics configuration is not carried (it names an \
             application and a role): set AnalyticsConfiguration yourself"
        ));
    }
    let mut depends: Vec<String> = client
        .supported_identity_providers()
        .iter()
        .filter_map(|p| providers.get(p).cloned())
        .collect();
    if client
        .allowed_o_auth_scopes()
        .iter()
        .any(|s| s.contains('/'))
    {
        depends.extend(servers.iter().cloned());
    }
    let mut resource =
        json!({ "Type": "AWS::Cognito::UserPoolClient", "Properties": Value::Object(p) });
    if !depends.is_empty() {
        resource["DependsOn"] = strings(depends);
    }
    resource
}
