//! Creating pools, app clients and users through the real API of an emulator.

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::error::ProvideErrorMetadata;
use aws_sdk_cognitoidentityprovider::operation::admin_get_user::AdminGetUserOutput;
use aws_sdk_cognitoidentityprovider::types::{
    AdminCreateUserConfigType, AliasAttributeType, AttributeDataType, AttributeType, AuthFlowType,
    ExplicitAuthFlowsType, LambdaConfigType, MessageActionType, PreventUserExistenceErrorTypes,
    SchemaAttributeType, SoftwareTokenMfaSettingsType, StringAttributeConstraintsType,
    UserAttributeUpdateSettingsType, UsernameAttributeType, UsernameConfigurationType,
    VerifiedAttributeType,
};

use crate::testbed::Testbed;

/// A pool to create.
#[derive(Debug, Clone, Default)]
pub struct PoolSpec {
    /// Name of the pool.
    pub name: String,
    /// Custom string attributes to add, without the `custom:` prefix.
    pub custom_attributes: Vec<String>,
    /// Contacts the pool verifies automatically (`email`, `phone_number`).
    pub auto_verified: Vec<VerifiedAttributeType>,
    /// `UsernameAttributes`: e-mail and/or phone as the user name.
    pub username_attributes: Vec<UsernameAttributeType>,
    /// `AliasAttributes`: what else may be typed instead of the user name.
    pub alias_attributes: Vec<AliasAttributeType>,
    /// `UsernameConfiguration` (case sensitivity); the API's default when `None`.
    pub username_configuration: Option<UsernameConfigurationType>,
    /// `LambdaConfig`: the pool's triggers.
    pub lambda_config: Option<LambdaConfigType>,
    /// `AdminCreateUserConfig.AllowAdminCreateUserOnly`: nobody signs up (the old pool closed
    /// for the migration window).
    pub admin_create_only: bool,
    /// `UserAttributeUpdateSettings.AttributesRequireVerificationBeforeUpdate`.
    pub verify_before_update: Vec<VerifiedAttributeType>,
}

impl PoolSpec {
    /// A pool with the given name that auto-verifies email and has no custom attributes.
    pub fn named(name: &str) -> PoolSpec {
        PoolSpec {
            name: name.to_string(),
            custom_attributes: Vec::new(),
            auto_verified: vec![VerifiedAttributeType::Email],
            ..PoolSpec::default()
        }
    }

    /// Adds custom string attributes.
    pub fn with_custom(mut self, names: &[&str]) -> PoolSpec {
        self.custom_attributes
            .extend(names.iter().map(|n| n.to_string()));
        self
    }
}

/// An old and a new pool in the test bed's moto, fresh for one test of export, plan or verify.
pub struct MigrationPools {
    /// moto's address, for the CLI's `--endpoint-url`.
    pub endpoint: String,
    /// A client for moto.
    pub client: Client,
    /// The old pool's id.
    pub old: String,
    /// The new pool's id.
    pub new: String,
}

impl MigrationPools {
    /// `{name}-old`, and `{name}-new` with the legacy-id attribute (`custom:legacy_sub`): the pair
    /// most migrations start from.
    pub async fn create(name: &str) -> MigrationPools {
        MigrationPools::create_with(
            &PoolSpec::named(&format!("{name}-old")),
            &PoolSpec::named(&format!("{name}-new")).with_custom(&["legacy_sub"]),
        )
        .await
    }

    /// The pools `old` and `new` describe.
    pub async fn create_with(old: &PoolSpec, new: &PoolSpec) -> MigrationPools {
        let testbed = Testbed::from_env();
        let client = testbed.moto_client().await;
        let old = create_pool(&client, old).await;
        let new = create_pool(&client, new).await;
        MigrationPools {
            endpoint: testbed.moto_url,
            client,
            old,
            new,
        }
    }

    /// The new pool's import columns (`GetCSVHeader`).
    pub async fn header(&self) -> Vec<String> {
        csv_header(&self.client, &self.new).await
    }
}

/// Creates a pool and returns its id. Custom attributes are added after creation so the pool
/// keeps its standard attributes (moto drops them when a `Schema` is given at creation).
pub async fn create_pool(client: &Client, spec: &PoolSpec) -> String {
    let pool = client
        .create_user_pool()
        .pool_name(&spec.name)
        .set_auto_verified_attributes(Some(spec.auto_verified.clone()))
        .set_username_attributes(
            (!spec.username_attributes.is_empty()).then(|| spec.username_attributes.clone()),
        )
        .set_alias_attributes(
            (!spec.alias_attributes.is_empty()).then(|| spec.alias_attributes.clone()),
        )
        .set_username_configuration(spec.username_configuration.clone())
        .set_lambda_config(spec.lambda_config.clone())
        .set_admin_create_user_config(spec.admin_create_only.then(|| {
            AdminCreateUserConfigType::builder()
                .allow_admin_create_user_only(true)
                .build()
        }))
        .set_user_attribute_update_settings((!spec.verify_before_update.is_empty()).then(|| {
            UserAttributeUpdateSettingsType::builder()
                .set_attributes_require_verification_before_update(Some(
                    spec.verify_before_update.clone(),
                ))
                .build()
        }))
        .send()
        .await
        .expect("CreateUserPool")
        .user_pool
        .expect("pool in response");
    let id = pool.id.expect("pool id");
    if !spec.custom_attributes.is_empty() {
        let schema = spec
            .custom_attributes
            .iter()
            .map(|name| {
                SchemaAttributeType::builder()
                    .name(name)
                    .attribute_data_type(AttributeDataType::String)
                    .mutable(true)
                    .string_attribute_constraints(
                        StringAttributeConstraintsType::builder()
                            .max_length("2048")
                            .build(),
                    )
                    .build()
            })
            .collect();
        client
            .add_custom_attributes()
            .user_pool_id(&id)
            .set_custom_attributes(Some(schema))
            .send()
            .await
            .expect("AddCustomAttributes");
    }
    id
}

/// Creates an app client that allows the admin password flow; returns `(client_id, secret)`.
pub async fn create_app_client(
    client: &Client,
    pool_id: &str,
    with_secret: bool,
) -> (String, Option<String>) {
    let created = client
        .create_user_pool_client()
        .user_pool_id(pool_id)
        .client_name("migration")
        .generate_secret(with_secret)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowAdminUserPasswordAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
        .send()
        .await
        .expect("CreateUserPoolClient")
        .user_pool_client
        .expect("client in response");
    (created.client_id.expect("client id"), created.client_secret)
}

/// Creates the new pool's app client as the migration needs it: password sign-in, refresh, and
/// PreventUserExistenceErrors ENABLED; returns its id.
pub async fn create_sign_in_client(client: &Client, pool_id: &str) -> String {
    client
        .create_user_pool_client()
        .user_pool_id(pool_id)
        .client_name("app")
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
        .prevent_user_existence_errors(PreventUserExistenceErrorTypes::Enabled)
        .send()
        .await
        .expect("CreateUserPoolClient")
        .user_pool_client
        .and_then(|c| c.client_id)
        .expect("client id")
}

/// Creates a user with the given attributes and, when `password` is given, a permanent password
/// (status CONFIRMED); without one the user stays FORCE_CHANGE_PASSWORD.
pub async fn create_user(
    client: &Client,
    pool_id: &str,
    username: &str,
    attributes: &[(&str, &str)],
    password: Option<&str>,
) {
    let attributes = attributes
        .iter()
        .map(|(name, value)| {
            AttributeType::builder()
                .name(*name)
                .value(*value)
                .build()
                .expect("attribute")
        })
        .collect();
    client
        .admin_create_user()
        .user_pool_id(pool_id)
        .username(username)
        .set_user_attributes(Some(attributes))
        .message_action(MessageActionType::Suppress)
        .temporary_password("Temp-Passw0rd!")
        .send()
        .await
        .unwrap_or_else(|e| panic!("AdminCreateUser {username}: {e:?}"));
    if let Some(password) = password {
        client
            .admin_set_user_password()
            .user_pool_id(pool_id)
            .username(username)
            .password(password)
            .permanent(true)
            .send()
            .await
            .unwrap_or_else(|e| panic!("AdminSetUserPassword {username}: {e:?}"));
    }
}

/// Creates a user as [`create_user`] does, then adds it to each of `groups` (created when the pool
/// lacks them).
pub async fn create_member(
    client: &Client,
    pool_id: &str,
    username: &str,
    attributes: &[(&str, &str)],
    password: Option<&str>,
    groups: &[&str],
) {
    create_user(client, pool_id, username, attributes, password).await;
    for group in groups {
        add_to_group(client, pool_id, username, group).await;
    }
}

/// Creates a user as [`create_member`] does, with a verified `USERNAME@example.com` besides
/// `extra` attributes.
pub async fn create_verified_member(
    client: &Client,
    pool_id: &str,
    username: &str,
    extra: &[(&str, &str)],
    password: Option<&str>,
    groups: &[&str],
) {
    let email = format!("{username}@example.com");
    let mut attributes = vec![("email", email.as_str()), ("email_verified", "true")];
    attributes.extend_from_slice(extra);
    create_member(client, pool_id, username, &attributes, password, groups).await;
}

/// The names of the groups `username` is in, in `pool_id` (`AdminListGroupsForUser`).
pub async fn groups_of(client: &Client, pool_id: &str, username: &str) -> Vec<String> {
    client
        .admin_list_groups_for_user()
        .user_pool_id(pool_id)
        .username(username)
        .send()
        .await
        .expect("AdminListGroupsForUser")
        .groups()
        .iter()
        .filter_map(|g| g.group_name().map(str::to_string))
        .collect()
}

/// The user `username` of `pool_id`, or `None` when the pool has no such user; any other error
/// fails the test.
pub async fn find_user(
    client: &Client,
    pool_id: &str,
    username: &str,
) -> Option<AdminGetUserOutput> {
    match client
        .admin_get_user()
        .user_pool_id(pool_id)
        .username(username)
        .send()
        .await
    {
        Ok(user) => Some(user),
        Err(e) if e.code() == Some("UserNotFoundException") => None,
        Err(e) => panic!("AdminGetUser {username} in {pool_id}: {e:?}"),
    }
}

/// The `sub` of `username` in `pool_id` (the user must exist).
pub async fn sub_of(client: &Client, pool_id: &str, username: &str) -> String {
    client
        .admin_get_user()
        .user_pool_id(pool_id)
        .username(username)
        .send()
        .await
        .unwrap_or_else(|e| panic!("AdminGetUser {username}: {e:?}"))
        .user_attributes()
        .iter()
        .find(|a| a.name() == "sub")
        .and_then(|a| a.value())
        .expect("a sub")
        .to_string()
}

/// The new pool's import columns, exactly as `GetCSVHeader` returns them.
pub async fn csv_header(client: &Client, pool_id: &str) -> Vec<String> {
    client
        .get_csv_header()
        .user_pool_id(pool_id)
        .send()
        .await
        .expect("GetCSVHeader")
        .csv_header
        .expect("a header")
}

/// Creates the group `group` in `pool_id`.
pub async fn create_group(client: &Client, pool_id: &str, group: &str) {
    client
        .create_group()
        .user_pool_id(pool_id)
        .group_name(group)
        .send()
        .await
        .unwrap_or_else(|e| panic!("CreateGroup {group}: {e:?}"));
}

/// Adds `username` to `group` in `pool_id`, creating the group first when the pool lacks it.
pub async fn add_to_group(client: &Client, pool_id: &str, username: &str, group: &str) {
    let exists = client
        .get_group()
        .user_pool_id(pool_id)
        .group_name(group)
        .send()
        .await
        .is_ok();
    if !exists {
        create_group(client, pool_id, group).await;
    }
    client
        .admin_add_user_to_group()
        .user_pool_id(pool_id)
        .username(username)
        .group_name(group)
        .send()
        .await
        .unwrap_or_else(|e| panic!("AdminAddUserToGroup {username} {group}: {e:?}"));
}

/// Creates `group` in `pool_id` with `members`.
pub async fn group_with(client: &Client, pool_id: &str, group: &str, members: &[&str]) {
    create_group(client, pool_id, group).await;
    for member in members {
        add_to_group(client, pool_id, member, group).await;
    }
}

/// Disables `username` in `pool_id`.
pub async fn disable_user(client: &Client, pool_id: &str, username: &str) {
    client
        .admin_disable_user()
        .user_pool_id(pool_id)
        .username(username)
        .send()
        .await
        .unwrap_or_else(|e| panic!("AdminDisableUser {username}: {e:?}"));
}

/// Enrols `username` in TOTP MFA the way an app does (tokens, AssociateSoftwareToken,
/// VerifySoftwareToken; moto accepts any code), makes it the preferred factor, and checks that the
/// pool now asks for the code.
pub async fn enrol_totp(
    client: &Client,
    pool_id: &str,
    app_client: &str,
    username: &str,
    password: &str,
) {
    let sign_in = || {
        client
            .admin_initiate_auth()
            .user_pool_id(pool_id)
            .client_id(app_client)
            .auth_flow(AuthFlowType::AdminUserPasswordAuth)
            .auth_parameters("USERNAME", username)
            .auth_parameters("PASSWORD", password)
            .send()
    };
    let access_token = sign_in()
        .await
        .expect("AdminInitiateAuth before MFA")
        .authentication_result
        .and_then(|r| r.access_token)
        .expect("tokens before MFA");
    client
        .associate_software_token()
        .access_token(&access_token)
        .send()
        .await
        .expect("AssociateSoftwareToken");
    client
        .verify_software_token()
        .access_token(&access_token)
        .user_code("123456")
        .send()
        .await
        .expect("VerifySoftwareToken");
    client
        .admin_set_user_mfa_preference()
        .user_pool_id(pool_id)
        .username(username)
        .software_token_mfa_settings(
            SoftwareTokenMfaSettingsType::builder()
                .enabled(true)
                .preferred_mfa(true)
                .build(),
        )
        .send()
        .await
        .expect("AdminSetUserMFAPreference");
    let challenged = sign_in().await.expect("AdminInitiateAuth after MFA");
    assert_eq!(
        challenged.challenge_name().map(|c| c.as_str()),
        Some("SOFTWARE_TOKEN_MFA"),
        "the pool now asks {username} for the TOTP code"
    );
}
