//! The resources beside the pool: groups, resource servers and identity providers (secrets as
//! `NoEcho` parameters).

use super::*;

pub(super) fn group_resource(group: &GroupType) -> Value {
    let mut p = Map::new();
    p.insert(
        "GroupName".into(),
        json!(group.group_name().unwrap_or_default()),
    );
    p.insert("UserPoolId".into(), reference(POOL));
    insert_some(&mut p, "Description", group.description().map(|v| json!(v)));
    insert_some(&mut p, "Precedence", group.precedence().map(|v| json!(v)));
    insert_some(&mut p, "RoleArn", group.role_arn().map(|v| json!(v)));
    json!({ "Type": "AWS::Cognito::UserPoolGroup", "Properties": Value::Object(p) })
}

pub(super) fn resource_server(server: &ResourceServerType) -> Value {
    let scopes: Vec<Value> = server
        .scopes()
        .iter()
        .map(|s| json!({ "ScopeName": s.scope_name(), "ScopeDescription": s.scope_description() }))
        .collect();
    let mut p = Map::new();
    p.insert(
        "Identifier".into(),
        json!(server.identifier().unwrap_or_default()),
    );
    p.insert("Name".into(), json!(server.name().unwrap_or_default()));
    p.insert("UserPoolId".into(), reference(POOL));
    if !scopes.is_empty() {
        p.insert("Scopes".into(), Value::Array(scopes));
    }
    json!({ "Type": "AWS::Cognito::UserPoolResourceServer", "Properties": Value::Object(p) })
}

pub(super) fn identity_provider(
    id: &str,
    provider: &IdentityProviderType,
    parts: &mut Parts,
    report: &mut Vec<String>,
) -> Value {
    let name = provider.provider_name().unwrap_or_default();
    let mut details = Map::new();
    let old_details: BTreeMap<&String, &String> =
        provider.provider_details().into_iter().flatten().collect();
    for (key, value) in old_details {
        if COMPUTED_DETAILS.contains(&key.as_str()) {
            continue;
        }
        if SECRET_DETAILS.contains(&key.as_str()) {
            let camel: String = key
                .split('_')
                .map(|w| {
                    let mut c = w.chars();
                    c.next()
                        .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                        .unwrap_or_default()
                })
                .collect();
            let parameter = format!("{id}{camel}");
            parts.parameters.insert(
                parameter.clone(),
                json!({ "Type": "String", "NoEcho": true, "Description": format!("The {key} of identity provider {name} (secret: not read from the old pool).") }),
            );
            report.push(format!(
                "identity provider {name}: its {key} is the NoEcho parameter {parameter}"
            ));
            details.insert(key.clone(), reference(&parameter));
        } else {
            details.insert(key.clone(), json!(value));
        }
    }
    let mut p = Map::new();
    p.insert("ProviderName".into(), json!(name));
    insert_some(
        &mut p,
        "ProviderType",
        provider.provider_type().map(|t| json!(t.as_str())),
    );
    p.insert("ProviderDetails".into(), Value::Object(details));
    p.insert("UserPoolId".into(), reference(POOL));
    if let Some(mapping) = provider.attribute_mapping().filter(|m| !m.is_empty()) {
        let mapping: BTreeMap<&String, &String> = mapping.iter().collect();
        p.insert("AttributeMapping".into(), json!(mapping));
    }
    insert_some(
        &mut p,
        "IdpIdentifiers",
        nonempty_strings(provider.idp_identifiers()),
    );
    if provider.acr_mapping().is_some_and(|m| !m.is_empty()) {
        report.push(format!(
            "identity provider {name}: its AcrMapping is not a CloudFormation property: set it \
             with UpdateIdentityProvider after the stack is created"
        ));
    }
    json!({ "Type": "AWS::Cognito::UserPoolIdentityProvider", "Properties": Value::Object(p) })
}
