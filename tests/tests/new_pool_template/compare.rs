//! The pool built from a template against what was asked, field by field: what moto's
//! `DescribeUserPool`, `GetUserPoolMfaConfig`, `DescribeUserPoolClient`,
//! `DescribeIdentityProvider`, `GetGroup` and `DescribeResourceServer` say of the new pool,
//! against what they say of the old pool with the chosen sign-in shape and the migration
//! window's rules applied. Every difference is named (`UserPool.MfaConfiguration: asked
//! "OPTIONAL", built "OFF"`); AWS's own fields (ids, dates, counts, secrets) are left out.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::from_template::{SECRET_PARAMETER, cognito};

/// What the new pool should be beyond the old pool's configuration.
pub struct Asked {
    /// Pool fields the choice sets (the sign-in shape, the window's rules): field → value,
    /// `null` for "absent".
    pub pool: Map<String, Value>,
    /// Schema entries the new pool adds (the legacy id), as `DescribeUserPool` lists them.
    pub added_schema: Vec<Value>,
    /// Per client name, fields that differ from the old client by the window's rules beyond
    /// the ones every client gets (`PreventUserExistenceErrors`, `ALLOW_REFRESH_TOKEN_AUTH`,
    /// and during the window `ALLOW_USER_PASSWORD_AUTH`).
    pub clients: BTreeMap<String, Map<String, Value>>,
    /// The pool of the migration window (every client signs in with `USER_PASSWORD_AUTH`), or
    /// the one after it.
    pub during_window: bool,
}

/// Fields that are AWS's own, never a setting.
const POOL_OWN: [&str; 7] = [
    "Id",
    "Arn",
    "CreationDate",
    "LastModifiedDate",
    "EstimatedNumberOfUsers",
    "Status",
    "Domain",
];
const CHILD_OWN: [&str; 5] = [
    "UserPoolId",
    "CreationDate",
    "LastModifiedDate",
    "ClientId",
    "ClientSecret",
];

/// Every named difference between the new pool `new` and the old pool `old` with `asked`.
pub async fn differences(moto: &str, old: &str, new: &str, asked: &Asked) -> Vec<String> {
    let mut found = Vec::new();
    let describe = |id: &str| json!({ "UserPoolId": id });
    let old_pool = cognito(moto, "DescribeUserPool", &describe(old)).await["UserPool"].clone();
    let new_pool = cognito(moto, "DescribeUserPool", &describe(new)).await["UserPool"].clone();
    let old_mfa = cognito(moto, "GetUserPoolMfaConfig", &describe(old)).await;
    let new_mfa = cognito(moto, "GetUserPoolMfaConfig", &describe(new)).await;
    let mut expected = without(&old_pool, &POOL_OWN);
    let mut built = without(&new_pool, &POOL_OWN);
    // The old pool's MFA mode and SMS message are what GetUserPoolMfaConfig says: AWS's
    // DescribeUserPool says the same, moto's keeps what CreateUserPool/UpdateUserPool last gave.
    expected["MfaConfiguration"] = old_mfa["MfaConfiguration"].clone();
    if let Some(message) = old_mfa["SmsMfaConfiguration"].get("SmsAuthenticationMessage") {
        expected["SmsAuthenticationMessage"] = message.clone();
    }
    // Deprecated, and replaced by PasswordPolicy.TemporaryPasswordValidityDays (compared):
    // moto echoes it only where it was given.
    for pool in [&mut expected, &mut built] {
        if let Some(config) = pool["AdminCreateUserConfig"].as_object_mut() {
            config.remove("UnusedAccountValidityDays");
        }
    }
    for (field, value) in &asked.pool {
        expected[field] = value.clone();
    }
    if let Some(schema) = expected["SchemaAttributes"].as_array_mut() {
        schema.extend(asked.added_schema.iter().cloned());
    }
    compare("UserPool", &expected, &built, &mut found);
    compare("GetUserPoolMfaConfig", &old_mfa, &new_mfa, &mut found);

    let old_clients = clients(moto, old).await;
    let new_clients = clients(moto, new).await;
    for (name, old_client) in &old_clients {
        let mut expected = without(old_client, &CHILD_OWN);
        expected["PreventUserExistenceErrors"] = json!("ENABLED");
        let mut flows: Vec<Value> = old_client["ExplicitAuthFlows"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let window_flow = asked.during_window.then_some("ALLOW_USER_PASSWORD_AUTH");
        for flow in window_flow.into_iter().chain(["ALLOW_REFRESH_TOKEN_AUTH"]) {
            if !flows.contains(&json!(flow)) {
                flows.push(json!(flow));
            }
        }
        expected["ExplicitAuthFlows"] = Value::Array(flows);
        for (field, value) in asked.clients.get(name).into_iter().flatten() {
            expected[field] = value.clone();
        }
        let built = new_clients
            .get(name)
            .map(|c| without(c, &CHILD_OWN))
            .unwrap_or(Value::Null);
        compare(&format!("client {name}"), &expected, &built, &mut found);
        if old_client.get("ClientSecret").is_some()
            != new_clients
                .get(name)
                .is_some_and(|c| c.get("ClientSecret").is_some())
        {
            found.push(format!("client {name}: has a secret in one pool only"));
        }
    }
    extra("client", &old_clients, &new_clients, &mut found);

    let old_providers = providers(moto, old).await;
    let new_providers = providers(moto, new).await;
    for (name, old_provider) in &old_providers {
        let mut expected = without(old_provider, &CHILD_OWN);
        if let Some(details) = expected["ProviderDetails"].as_object_mut() {
            for secret in ["client_secret", "private_key"] {
                if details.contains_key(secret) {
                    details.insert(secret.into(), json!(SECRET_PARAMETER));
                }
            }
        }
        let built = new_providers
            .get(name)
            .map(|p| without(p, &CHILD_OWN))
            .unwrap_or(Value::Null);
        compare(
            &format!("identity provider {name}"),
            &expected,
            &built,
            &mut found,
        );
    }
    extra(
        "identity provider",
        &old_providers,
        &new_providers,
        &mut found,
    );

    let old_groups = groups(moto, old).await;
    let new_groups = groups(moto, new).await;
    for (name, old_group) in &old_groups {
        let built = new_groups
            .get(name)
            .map(|g| without(g, &CHILD_OWN))
            .unwrap_or(Value::Null);
        compare(
            &format!("group {name}"),
            &without(old_group, &CHILD_OWN),
            &built,
            &mut found,
        );
    }
    extra("group", &old_groups, &new_groups, &mut found);

    let old_servers = resource_servers(moto, old).await;
    let new_servers = resource_servers(moto, new).await;
    for (id, old_server) in &old_servers {
        let built = new_servers
            .get(id)
            .map(|s| without(s, &CHILD_OWN))
            .unwrap_or(Value::Null);
        compare(
            &format!("resource server {id}"),
            &without(old_server, &CHILD_OWN),
            &built,
            &mut found,
        );
    }
    extra("resource server", &old_servers, &new_servers, &mut found);
    found
}

/// `value` without `fields`, and without the empty values AWS leaves out or lists as empty
/// alike (`null`, `[]`, `{}`).
fn without(value: &Value, fields: &[&str]) -> Value {
    let mut value = value.clone();
    if let Some(map) = value.as_object_mut() {
        for field in fields {
            map.remove(*field);
        }
    }
    value
}

fn is_empty(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::Array(items) => items.is_empty(),
        Value::Object(map) => map.is_empty(),
        _ => false,
    }
}

/// A list in an order of its own: AWS keeps no meaningful order in these lists.
fn sorted(items: &[Value]) -> Vec<Value> {
    let mut items = items.to_vec();
    items.sort_by_key(|v| v.to_string());
    items
}

/// A list of named entries (schema attributes, scopes) by name, so each entry is compared field
/// by field; `None` for other lists.
fn keyed(items: &[Value]) -> Option<BTreeMap<String, Value>> {
    items
        .iter()
        .map(|item| {
            ["Name", "ScopeName"]
                .iter()
                .find_map(|key| item.get(*key).and_then(Value::as_str))
                .map(|name| (name.to_string(), item.clone()))
        })
        .collect()
}

/// Names each difference between `asked` and `built` under `path`.
fn compare(path: &str, asked: &Value, built: &Value, found: &mut Vec<String>) {
    match (asked, built) {
        (Value::Object(a), Value::Object(b)) => {
            let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
            keys.sort();
            keys.dedup();
            for key in keys {
                let (x, y) = (
                    a.get(key).unwrap_or(&Value::Null),
                    b.get(key).unwrap_or(&Value::Null),
                );
                if is_empty(x) && is_empty(y) {
                    continue;
                }
                compare(&format!("{path}.{key}"), x, y, found);
            }
        }
        (Value::Array(a), Value::Array(b)) if keyed(a).is_some() && keyed(b).is_some() => {
            let (a, b) = (keyed(a).unwrap_or_default(), keyed(b).unwrap_or_default());
            let mut names: Vec<&String> = a.keys().chain(b.keys()).collect();
            names.sort();
            names.dedup();
            for name in names {
                let (x, y) = (
                    a.get(name).unwrap_or(&Value::Null),
                    b.get(name).unwrap_or(&Value::Null),
                );
                compare(&format!("{path}[{name}]"), x, y, found);
            }
        }
        (Value::Array(a), Value::Array(b)) if sorted(a) == sorted(b) => {}
        _ if asked == built => {}
        _ => found.push(format!("{path}: asked {asked}, built {built}")),
    }
}

/// What the new pool has and the old one has not.
fn extra(
    kind: &str,
    old: &BTreeMap<String, Value>,
    new: &BTreeMap<String, Value>,
    found: &mut Vec<String>,
) {
    for name in new.keys().filter(|n| !old.contains_key(*n)) {
        found.push(format!("{kind} {name}: in the new pool only"));
    }
}

async fn clients(moto: &str, pool: &str) -> BTreeMap<String, Value> {
    let listed = cognito(
        moto,
        "ListUserPoolClients",
        &json!({ "UserPoolId": pool, "MaxResults": 60 }),
    )
    .await;
    let mut clients = BTreeMap::new();
    for client in listed["UserPoolClients"].as_array().into_iter().flatten() {
        let body = json!({ "UserPoolId": pool, "ClientId": client["ClientId"] });
        let described =
            cognito(moto, "DescribeUserPoolClient", &body).await["UserPoolClient"].clone();
        clients.insert(
            described["ClientName"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
            described,
        );
    }
    clients
}

async fn providers(moto: &str, pool: &str) -> BTreeMap<String, Value> {
    let listed = cognito(
        moto,
        "ListIdentityProviders",
        &json!({ "UserPoolId": pool, "MaxResults": 60 }),
    )
    .await;
    let mut providers = BTreeMap::new();
    for provider in listed["Providers"].as_array().into_iter().flatten() {
        let body = json!({ "UserPoolId": pool, "ProviderName": provider["ProviderName"] });
        let described =
            cognito(moto, "DescribeIdentityProvider", &body).await["IdentityProvider"].clone();
        providers.insert(
            provider["ProviderName"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
            described,
        );
    }
    providers
}

async fn groups(moto: &str, pool: &str) -> BTreeMap<String, Value> {
    let listed = cognito(
        moto,
        "ListGroups",
        &json!({ "UserPoolId": pool, "Limit": 60 }),
    )
    .await;
    let mut groups = BTreeMap::new();
    for group in listed["Groups"].as_array().into_iter().flatten() {
        let body = json!({ "UserPoolId": pool, "GroupName": group["GroupName"] });
        let got = cognito(moto, "GetGroup", &body).await["Group"].clone();
        groups.insert(
            group["GroupName"].as_str().unwrap_or_default().to_string(),
            got,
        );
    }
    groups
}

async fn resource_servers(moto: &str, pool: &str) -> BTreeMap<String, Value> {
    let listed = cognito(
        moto,
        "ListResourceServers",
        &json!({ "UserPoolId": pool, "MaxResults": 50 }),
    )
    .await;
    let mut servers = BTreeMap::new();
    for server in listed["ResourceServers"].as_array().into_iter().flatten() {
        let body = json!({ "UserPoolId": pool, "Identifier": server["Identifier"] });
        let described =
            cognito(moto, "DescribeResourceServer", &body).await["ResourceServer"].clone();
        servers.insert(
            server["Identifier"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
            described,
        );
    }
    servers
}
