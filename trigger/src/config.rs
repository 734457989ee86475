//! The trigger's configuration, read once at cold start from the environment and checked then,
//! so a deployment mistake shows up as one clear error naming the variable, not as every user
//! being refused.
//!
//! | variable | meaning |
//! |---|---|
//! | `OLD_USER_POOL_ID` | required: the old pool, e.g. `eu-west-1_AbC123` |
//! | `OLD_CLIENT_ID` | required: an app client of the old pool that allows `ALLOW_ADMIN_USER_PASSWORD_AUTH` |
//! | `OLD_CLIENT_SECRET` | that client's secret, if it has one (tests, simple set-ups) |
//! | `OLD_CLIENT_SECRET_ARN` | or: a Secrets Manager secret holding it, plain or as a JSON field |
//! | `OLD_CLIENT_SECRET_KEY` | the JSON field name in that secret (default `client_secret`) |
//! | `OLD_REGION` | the old pool's region (default: taken from `OLD_USER_POOL_ID`) |
//! | `OLD_ROLE_ARN`, `OLD_EXTERNAL_ID` | a role to assume for an old pool in another account |
//! | `MAPPING_FILE` or `MAPPING_JSON` | the attribute mapping, the format `cognito-migrate export` reads |
//! | `OLD_POOL_TIMEOUT_MS` | time budget of one old-pool call, retries included (default 2000) |
//! | `RETURN_OLD_USERNAME` | `true` (default) or `false`: see [`crate::decide::Options`] |
//! | `ALIAS_LOOKUP` | `true` (default): resolve an email or phone typed as the user name with `ListUsers`; `false` when the role may not call `ListUsers` |
//! | `NEW_PASSWORD_POLICY` | the new pool's password policy as `describe-user-pool` prints `Policies.PasswordPolicy` (default: Cognito's default policy); a password it refuses migrates as `RESET_REQUIRED` |
//! | `FORGOT_PASSWORD` | `on` (default) or `off`: `off` answers `UserMigration_ForgotPassword` as for an unknown user |
//! | `USER_REF_KEY` | the key of the log's `user_ref` (default: derived from the old client secret, else random per instance) |
//! | `NEW_POOL_SIGN_IN` | what people type to sign in to the new pool: `username` (plain user names), `username,email,...` (user names with those aliases, `AliasAttributes`), `email`, `phone_number` or `email,phone_number` (as the user name, `UsernameAttributes`); see [`NewPoolSignIn`] (default: unknown, every shape guarded) |
//! | `OLD_LIST_USERS_RPS`, `OLD_LIST_USERS_BURST` | this instance's token bucket for the old pool's `ListUsers` (default 5 per second, burst 10); see [`ListUsersRate`] |
//! | `CASE_INDEX_FILE` | for a case-insensitive new pool: the case index `cognito-migrate case-index` wrote, so a value typed in another letter case still finds its old user and no sign-up takes an old value in another case (see [`crate::old_directory::CaseFolding`]); unset: values are matched as typed |
//! | `LOG_LEVEL` | this crate's log level (default `info`) |
//!
//! `AWS_REGION`, credentials and `AWS_ENDPOINT_URL` are read by the AWS SDK as usual.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use shared::attributes::{EMAIL, PHONE_NUMBER};
use shared::case_index::CaseIndex;
use shared::partition::TenantTable;
use shared::{Mapping, MappingError, PoolShape, Secret};

use crate::decide::Options;
use crate::password_policy::PasswordPolicy;
use crate::tenant::TenantRule;

/// Default time budget of one old-pool call, retries included. Two or three calls in a row must
/// fit in Cognito's 5 seconds with room to answer.
pub const DEFAULT_CALL_TIMEOUT: Duration = Duration::from_millis(2000);

/// Default rate of this instance's `ListUsers` calls to the old pool (per second).
pub const DEFAULT_LIST_USERS_RPS: f64 = 5.0;

/// Default burst of this instance's `ListUsers` calls to the old pool.
pub const DEFAULT_LIST_USERS_BURST: u32 = 10;

/// Cognito's `ListUsers` quota per account (requests per second): no instance needs more.
const LIST_USERS_QUOTA_RPS: f64 = 30.0;

/// Whether an old user's e-mail address or phone number is something they sign in with in the
/// new pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInKey {
    /// Not a sign-in name in the new pool: the value is only an attribute.
    Not,
    /// An alias (`AliasAttributes`): a sign-in name once verified, so only a value verified in
    /// the old pool counts.
    VerifiedAlias,
    /// The user name itself (`UsernameAttributes`): a sign-in name whether verified or not.
    UserName,
}

impl SignInKey {
    /// True unless the value is only an attribute.
    pub fn signs_in(self) -> bool {
        self != SignInKey::Not
    }
}

/// How people sign in to the **new** pool (`NEW_POOL_SIGN_IN`): which values of an old user are
/// sign-in names there, and so which ones the sign-up guard protects, which typed names the
/// sign-in resolves only through a verified value, and (in a pool that signs in by e-mail or
/// phone as the user name, [`NewPoolSignIn::shape`]) which users the sign-in never migrates for
/// want of such a value, verified, as `plan` and `status` count them
/// ([`shared::trigger_reach`]).
///
/// The value lists what a person types, as `describe-user-pool` shows the pool: `username`
/// when user names sign in (then `email`, `phone_number`, `preferred_username` are its
/// `AliasAttributes`); without `username`, `email` and/or `phone_number` are its
/// `UsernameAttributes`. Unset, the shape is unknown and every shape is guarded at once
/// ([`NewPoolSignIn::UNKNOWN`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NewPoolSignIn {
    /// User names sign in (false on a `UsernameAttributes` pool, whose user names Cognito makes).
    pub user_name: bool,
    /// What an e-mail address is there.
    pub email: SignInKey,
    /// What a phone number is there.
    pub phone_number: SignInKey,
}

impl NewPoolSignIn {
    /// The shape is not configured: user names, e-mail addresses and phone numbers are all
    /// treated as sign-in names, verified or not (the most a sign-up guard refuses, and the
    /// strictest sign-in resolution).
    pub const UNKNOWN: NewPoolSignIn = NewPoolSignIn {
        user_name: true,
        email: SignInKey::UserName,
        phone_number: SignInKey::UserName,
    };

    /// Reads `NEW_POOL_SIGN_IN` (see the type's documentation).
    pub fn parse(text: &str) -> Result<NewPoolSignIn, String> {
        let mut user_name = false;
        let (mut email, mut phone, mut preferred) = (false, false, false);
        for item in text.split(',').map(str::trim).filter(|i| !i.is_empty()) {
            let seen = match item.to_ascii_lowercase().as_str() {
                "username" => &mut user_name,
                "email" => &mut email,
                "phone_number" => &mut phone,
                "preferred_username" => &mut preferred,
                other => {
                    return Err(format!(
                        "{other}: list username, email, phone_number or preferred_username"
                    ));
                }
            };
            *seen = true;
        }
        if !(user_name || email || phone) {
            return Err(
                "names nothing to sign in with: give e.g. username, username,email or email"
                    .to_string(),
            );
        }
        if preferred && !user_name {
            return Err(
                "preferred_username is an alias of user names: add username (AliasAttributes)"
                    .to_string(),
            );
        }
        let rule = |listed: bool| match (listed, user_name) {
            (false, _) => SignInKey::Not,
            (true, true) => SignInKey::VerifiedAlias,
            (true, false) => SignInKey::UserName,
        };
        Ok(NewPoolSignIn {
            user_name,
            email: rule(email),
            phone_number: rule(phone),
        })
    }

    /// The new pool's shape as [`shared::trigger_reach::judge`] reads it: the attributes that
    /// are its user name (`UsernameAttributes`). Aliases and letter case change nobody's reach,
    /// so they are left at a plain pool's. An unknown shape is read as a plain pool: without
    /// knowing that the pool signs in by e-mail or phone, its shape refuses nobody.
    pub fn shape(&self) -> PoolShape {
        let username_attributes = [(EMAIL, self.email), (PHONE_NUMBER, self.phone_number)]
            .into_iter()
            .filter(|(_, key)| !self.user_name && *key == SignInKey::UserName)
            .map(|(attribute, _)| attribute.to_string())
            .collect();
        PoolShape {
            username_attributes,
            ..PoolShape::default()
        }
    }

    /// What a value of this kind (an e-mail address or a phone number) is in the new pool.
    pub fn key(&self, kind: crate::old_pool::AliasKind) -> SignInKey {
        match kind {
            crate::old_pool::AliasKind::Email => self.email,
            crate::old_pool::AliasKind::PhoneNumber => self.phone_number,
        }
    }
}

/// This instance's budget for the old pool's `ListUsers` (`OLD_LIST_USERS_RPS`,
/// `OLD_LIST_USERS_BURST`): a token bucket ([`crate::old_directory::TokenBucket`]).
///
/// `ListUsers` has one quota per account (30 requests per second) shared by everything that
/// reads the old pool, and sign-ups and alias sign-ins spend it without any account. Each
/// Lambda instance holds its own bucket, so a function spends at most
/// `reserved concurrency × (burst + rate × seconds)`. With the template's `ReservedConcurrency`
/// 10 and the defaults that is up to 50 per second, more than the account's 30: the defaults
/// keep one busy instance usable, not the account within its quota. To hold the function to a
/// share `S` of the quota, set `OLD_LIST_USERS_RPS` to `S / ReservedConcurrency` (10 instances,
/// a share of 20 per second: 2) and the burst low (e.g. 2).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ListUsersRate {
    /// Tokens added per second.
    pub per_second: f64,
    /// Tokens the bucket holds at most (and starts with).
    pub burst: u32,
}

impl Default for ListUsersRate {
    fn default() -> ListUsersRate {
        ListUsersRate {
            per_second: DEFAULT_LIST_USERS_RPS,
            burst: DEFAULT_LIST_USERS_BURST,
        }
    }
}

/// Where the old app client's secret comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientSecretSource {
    /// The app client has no secret.
    None,
    /// Given directly (`OLD_CLIENT_SECRET`).
    Inline(Secret),
    /// Read from Secrets Manager at cold start (`OLD_CLIENT_SECRET_ARN`).
    SecretsManager {
        /// The secret's ARN.
        arn: String,
        /// The JSON field to read when the secret is a JSON object.
        json_key: String,
    },
}

/// A role to assume for the old pool.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssumeRole {
    /// `OLD_ROLE_ARN`.
    pub role_arn: String,
    /// `OLD_EXTERNAL_ID`, if the role's trust policy requires one.
    pub external_id: Option<String>,
}

/// The checked configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// The old pool's id.
    pub old_pool_id: String,
    /// The old app client's id.
    pub old_client_id: String,
    /// Its secret.
    pub client_secret: ClientSecretSource,
    /// The old pool's region.
    pub old_region: Option<String>,
    /// The role to assume, for a cross-account old pool.
    pub assume_role: Option<AssumeRole>,
    /// The attribute mapping.
    pub mapping: Mapping,
    /// Time budget of one old-pool call, retries included.
    pub call_timeout: Duration,
    /// Answer options.
    pub options: Options,
    /// Resolve aliases with `ListUsers` when `AdminGetUser` does not.
    pub alias_lookup: bool,
    /// `USER_REF_KEY`, the key of the log's `user_ref`.
    pub user_ref_key: Option<Secret>,
    /// `NEW_POOL_SIGN_IN`: how people sign in to the new pool.
    pub new_pool_sign_in: NewPoolSignIn,
    /// `OLD_LIST_USERS_RPS`, `OLD_LIST_USERS_BURST`: this instance's `ListUsers` budget.
    pub list_users_rate: ListUsersRate,
    /// `CASE_INDEX_FILE`, read and checked: the new pool ignores case.
    pub case_index: Option<Arc<CaseIndex>>,
}

/// A configuration that cannot work, naming the variable and what to set.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A required variable is not set.
    #[error("{name} is not set: {hint}")]
    Missing {
        /// The variable.
        name: &'static str,
        /// What it should hold.
        hint: &'static str,
    },
    /// A variable has a value that cannot work.
    #[error("{name} is invalid: {problem}")]
    Invalid {
        /// The variable.
        name: &'static str,
        /// What is wrong (never the value of a secret).
        problem: String,
    },
    /// The mapping cannot be used.
    #[error("{0}")]
    Mapping(#[from] MappingError),
    /// The client secret cannot be read from Secrets Manager.
    #[error("OLD_CLIENT_SECRET_ARN {arn}: {problem}")]
    Secret {
        /// The secret's ARN.
        arn: String,
        /// What failed.
        problem: String,
    },
}

fn invalid(name: &'static str, problem: impl Into<String>) -> ConfigError {
    ConfigError::Invalid {
        name,
        problem: problem.into(),
    }
}

impl Config {
    /// Reads the process environment.
    pub fn from_env() -> Result<Config, ConfigError> {
        Config::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the configuration through `lookup` (the environment, or a map in tests). Empty
    /// values count as unset. The first problem only; [`Config::from_lookup_all`] has them all.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        Config::from_lookup_all(lookup).map_err(|mut problems| problems.remove(0))
    }

    /// Reads the process environment, reporting every problem at once.
    pub fn from_env_all() -> Result<Config, Vec<ConfigError>> {
        Config::from_lookup_all(|name| std::env::var(name).ok())
    }

    /// Reads the configuration through `lookup`; `Err` holds every problem found (at least one),
    /// so an operator fixes them all in one go.
    pub fn from_lookup_all(
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Config, Vec<ConfigError>> {
        let get = |name: &str| {
            lookup(name)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let mut problems = Problems::default();
        let pool = problems.take(old_pool(&get));
        let old_client_id = problems.take(old_client_id(&get));
        let client_secret = problems.take(client_secret(&lookup, &get));
        let assume_role = problems.take(assume_role(&get));
        let mapping = problems.take(mapping(&lookup, &get));
        let call_timeout = problems.take(call_timeout(&get));
        let tenant = problems.take(tenant_rule(
            get("TENANT_TABLE_FILE"),
            lookup("TENANT_TABLE_JSON"),
            get("TENANT"),
        ));
        let return_old_username =
            problems.take(flag(get("RETURN_OLD_USERNAME"), "RETURN_OLD_USERNAME"));
        let alias_lookup = problems.take(flag(get("ALIAS_LOOKUP"), "ALIAS_LOOKUP"));
        let password_policy = problems.take(match get("NEW_PASSWORD_POLICY") {
            None => Ok(PasswordPolicy::default()),
            Some(json) => PasswordPolicy::parse(&json)
                .map_err(|problem| invalid("NEW_PASSWORD_POLICY", problem)),
        });
        let forgot_password = problems.take(switch(get("FORGOT_PASSWORD"), "FORGOT_PASSWORD"));
        let new_pool_sign_in = problems.take(match get("NEW_POOL_SIGN_IN") {
            None => Ok(NewPoolSignIn::UNKNOWN),
            Some(text) => {
                NewPoolSignIn::parse(&text).map_err(|problem| invalid("NEW_POOL_SIGN_IN", problem))
            }
        });
        let list_users_rate = problems.take(list_users_rate(&get));
        let case_index = problems.take(case_index(&get));
        let (
            Some((old_pool_id, pool_region)),
            Some(old_client_id),
            Some(client_secret),
            Some(assume_role),
            Some(mapping),
            Some(call_timeout),
            Some(tenant),
            Some(return_old_username),
            Some(alias_lookup),
            Some(password_policy),
            Some(forgot_password),
            Some(new_pool_sign_in),
            Some(list_users_rate),
            Some(case_index),
        ) = (
            pool,
            old_client_id,
            client_secret,
            assume_role,
            mapping,
            call_timeout,
            tenant,
            return_old_username,
            alias_lookup,
            password_policy,
            forgot_password,
            new_pool_sign_in,
            list_users_rate,
            case_index,
        )
        else {
            return Err(problems.0);
        };
        Ok(Config {
            old_pool_id,
            old_client_id,
            client_secret,
            old_region: Some(get("OLD_REGION").unwrap_or(pool_region)),
            assume_role,
            mapping,
            call_timeout,
            options: Options {
                return_old_username,
                tenant,
                password_policy,
                forgot_password,
                new_pool: new_pool_sign_in.shape(),
            },
            alias_lookup,
            user_ref_key: get("USER_REF_KEY").map(Secret::new),
            new_pool_sign_in,
            list_users_rate,
            case_index,
        })
    }

    /// Time budget of one attempt: two attempts must fit in [`Config::call_timeout`].
    pub fn attempt_timeout(&self) -> Duration {
        self.call_timeout.mul_f64(0.6)
    }
}

/// The problems found so far while reading the configuration.
#[derive(Default)]
struct Problems(Vec<ConfigError>);

impl Problems {
    /// The value, or `None` with its problem recorded.
    fn take<T>(&mut self, result: Result<T, ConfigError>) -> Option<T> {
        result.map_err(|problem| self.0.push(problem)).ok()
    }
}

/// `OLD_USER_POOL_ID` and the region in it.
fn old_pool(get: &impl Fn(&str) -> Option<String>) -> Result<(String, String), ConfigError> {
    let old_pool_id = get("OLD_USER_POOL_ID").ok_or(ConfigError::Missing {
        name: "OLD_USER_POOL_ID",
        hint: "the old user pool's id, e.g. eu-west-1_AbC123",
    })?;
    let region = shared::pool_id::region(&old_pool_id)
        .map(str::to_string)
        .ok_or_else(|| {
            invalid(
                "OLD_USER_POOL_ID",
                format!("{old_pool_id} is not a user pool id (<region>_<id>)"),
            )
        })?;
    Ok((old_pool_id, region))
}

/// `OLD_CLIENT_ID`.
fn old_client_id(get: &impl Fn(&str) -> Option<String>) -> Result<String, ConfigError> {
    let old_client_id = get("OLD_CLIENT_ID").ok_or(ConfigError::Missing {
        name: "OLD_CLIENT_ID",
        hint: "an app client id of the old pool that allows ALLOW_ADMIN_USER_PASSWORD_AUTH",
    })?;
    if !old_client_id
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '+' || c == '_')
    {
        return Err(invalid(
            "OLD_CLIENT_ID",
            format!("{old_client_id} is not an app client id"),
        ));
    }
    Ok(old_client_id)
}

/// `OLD_CLIENT_SECRET` or `OLD_CLIENT_SECRET_ARN` (+ `OLD_CLIENT_SECRET_KEY`).
fn client_secret(
    lookup: &impl Fn(&str) -> Option<String>,
    get: &impl Fn(&str) -> Option<String>,
) -> Result<ClientSecretSource, ConfigError> {
    Ok(
        match (lookup("OLD_CLIENT_SECRET"), get("OLD_CLIENT_SECRET_ARN")) {
            (Some(_), Some(_)) => {
                return Err(invalid(
                    "OLD_CLIENT_SECRET",
                    "set either OLD_CLIENT_SECRET or OLD_CLIENT_SECRET_ARN, not both",
                ));
            }
            (Some(secret), None) if secret.trim().is_empty() => {
                return Err(invalid(
                    "OLD_CLIENT_SECRET",
                    "is empty; unset it if the app client has no secret",
                ));
            }
            (Some(secret), None) => ClientSecretSource::Inline(Secret::new(secret.trim())),
            (None, Some(arn)) => {
                if secret_region(&arn).is_none() {
                    return Err(invalid(
                        "OLD_CLIENT_SECRET_ARN",
                        format!(
                            "{arn} is not a Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>)"
                        ),
                    ));
                }
                ClientSecretSource::SecretsManager {
                    arn,
                    json_key: get("OLD_CLIENT_SECRET_KEY")
                        .unwrap_or_else(|| "client_secret".to_string()),
                }
            }
            (None, None) => ClientSecretSource::None,
        },
    )
}

/// `OLD_ROLE_ARN` and `OLD_EXTERNAL_ID`.
fn assume_role(get: &impl Fn(&str) -> Option<String>) -> Result<Option<AssumeRole>, ConfigError> {
    match (get("OLD_ROLE_ARN"), get("OLD_EXTERNAL_ID")) {
        (Some(role_arn), external_id) => {
            if !(role_arn.starts_with("arn:") && role_arn.contains(":role/")) {
                return Err(invalid(
                    "OLD_ROLE_ARN",
                    format!("{role_arn} is not an IAM role ARN"),
                ));
            }
            Ok(Some(AssumeRole {
                role_arn,
                external_id,
            }))
        }
        (None, Some(_)) => Err(invalid("OLD_EXTERNAL_ID", "is set but OLD_ROLE_ARN is not")),
        (None, None) => Ok(None),
    }
}

/// `CASE_INDEX_FILE`: read whole at cold start (a few MB per 100,000 values with capitals).
fn case_index(
    get: &impl Fn(&str) -> Option<String>,
) -> Result<Option<Arc<CaseIndex>>, ConfigError> {
    let Some(path) = get("CASE_INDEX_FILE") else {
        return Ok(None);
    };
    let bytes = std::fs::read(&path).map_err(|err| {
        invalid(
            "CASE_INDEX_FILE",
            format!("cannot read {path}: {err}; package the file cognito-migrate case-index wrote with the function"),
        )
    })?;
    let index = CaseIndex::from_bytes(bytes)
        .map_err(|err| invalid("CASE_INDEX_FILE", format!("{path}: {err}")))?;
    Ok(Some(Arc::new(index)))
}

/// `MAPPING_FILE` or `MAPPING_JSON`.
fn mapping(
    lookup: &impl Fn(&str) -> Option<String>,
    get: &impl Fn(&str) -> Option<String>,
) -> Result<Mapping, ConfigError> {
    match (get("MAPPING_FILE"), lookup("MAPPING_JSON")) {
        (Some(_), Some(_)) => Err(invalid(
            "MAPPING_FILE",
            "set either MAPPING_FILE or MAPPING_JSON, not both",
        )),
        (Some(path), None) => Ok(Mapping::load(&PathBuf::from(path))?),
        (None, Some(json)) => Ok(Mapping::parse(&json, Path::new("MAPPING_JSON"))?),
        (None, None) => Ok(Mapping::default()),
    }
}

/// `OLD_POOL_TIMEOUT_MS`.
fn call_timeout(get: &impl Fn(&str) -> Option<String>) -> Result<Duration, ConfigError> {
    match get("OLD_POOL_TIMEOUT_MS") {
        None => Ok(DEFAULT_CALL_TIMEOUT),
        Some(text) => match text.parse::<u64>() {
            Ok(ms @ 100..=4000) => Ok(Duration::from_millis(ms)),
            _ => Err(invalid(
                "OLD_POOL_TIMEOUT_MS",
                format!(
                    "{text}: give milliseconds from 100 to 4000 (the whole invocation must end within Cognito's 5 s)"
                ),
            )),
        },
    }
}

/// `OLD_LIST_USERS_RPS` (above 0, at most the account's quota of 30) and `OLD_LIST_USERS_BURST`
/// (1 to 60).
fn list_users_rate(get: &impl Fn(&str) -> Option<String>) -> Result<ListUsersRate, ConfigError> {
    let defaults = ListUsersRate::default();
    let per_second = match get("OLD_LIST_USERS_RPS") {
        None => defaults.per_second,
        Some(text) => match text.parse::<f64>() {
            Ok(rate) if rate > 0.0 && rate <= LIST_USERS_QUOTA_RPS => rate,
            _ => {
                return Err(invalid(
                    "OLD_LIST_USERS_RPS",
                    format!(
                        "{text}: give requests per second above 0 and at most 30 (the old account's ListUsers quota, shared by every instance)"
                    ),
                ));
            }
        },
    };
    let burst = match get("OLD_LIST_USERS_BURST") {
        None => defaults.burst,
        Some(text) => match text.parse::<u32>() {
            Ok(burst @ 1..=60) => burst,
            _ => {
                return Err(invalid(
                    "OLD_LIST_USERS_BURST",
                    format!("{text}: give a whole number of requests from 1 to 60"),
                ));
            }
        },
    };
    Ok(ListUsersRate { per_second, burst })
}

/// The tenant rule of a split: the table from `TENANT_TABLE_FILE` or `TENANT_TABLE_JSON`, and
/// `TENANT` (else the tenant comes from the calling pool's id).
fn tenant_rule(
    file: Option<String>,
    json: Option<String>,
    tenant: Option<String>,
) -> Result<Option<TenantRule>, ConfigError> {
    let table = match (file, json) {
        (Some(_), Some(_)) => {
            return Err(invalid(
                "TENANT_TABLE_FILE",
                "set either TENANT_TABLE_FILE or TENANT_TABLE_JSON, not both",
            ));
        }
        (Some(path), None) => TenantTable::load(Path::new(&path))
            .map_err(|e| invalid("TENANT_TABLE_FILE", e.to_string()))?,
        (None, Some(json)) => TenantTable::parse(&json, Path::new("TENANT_TABLE_JSON"))
            .map_err(|e| invalid("TENANT_TABLE_JSON", e.to_string()))?,
        (None, None) => {
            if tenant.is_some() {
                return Err(invalid(
                    "TENANT",
                    "needs the tenant table (TENANT_TABLE_FILE or TENANT_TABLE_JSON, the file export --targets reads)",
                ));
            }
            return Ok(None);
        }
    };
    if let Some(tenant) = &tenant
        && !table.tenants.contains_key(tenant)
    {
        return Err(invalid(
            "TENANT",
            format!("{tenant} is not a tenant of the table"),
        ));
    }
    Ok(Some(TenantRule { table, tenant }))
}

/// A boolean variable that defaults to true.
fn flag(value: Option<String>, name: &'static str) -> Result<bool, ConfigError> {
    match value.map(|v| v.to_ascii_lowercase()).as_deref() {
        None | Some("true" | "1" | "yes") => Ok(true),
        Some("false" | "0" | "no") => Ok(false),
        Some(other) => Err(invalid(name, format!("{other}: give true or false"))),
    }
}

/// An on/off variable that defaults to on.
fn switch(value: Option<String>, name: &'static str) -> Result<bool, ConfigError> {
    match value.map(|v| v.to_ascii_lowercase()).as_deref() {
        None | Some("on") => Ok(true),
        Some("off") => Ok(false),
        Some(other) => Err(invalid(name, format!("{other}: give on or off"))),
    }
}

/// The region of a Secrets Manager ARN.
pub fn secret_region(arn: &str) -> Option<&str> {
    let parts: Vec<&str> = arn.splitn(7, ':').collect();
    match parts.as_slice() {
        ["arn", _, "secretsmanager", region, _, "secret", name]
            if !region.is_empty() && !name.is_empty() =>
        {
            Some(region)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|name| vars.get(name).cloned())
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let vars: HashMap<&str, &str> = [
            ("OLD_CLIENT_ID", "not a client"),
            ("OLD_EXTERNAL_ID", "x"),
            ("ALIAS_LOOKUP", "perhaps"),
        ]
        .into();
        let problems = Config::from_lookup_all(|name| vars.get(name).map(|v| v.to_string()))
            .unwrap_err()
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>();
        assert_eq!(problems.len(), 4, "{problems:?}");
        for variable in [
            "OLD_USER_POOL_ID",
            "OLD_CLIENT_ID",
            "OLD_EXTERNAL_ID",
            "ALIAS_LOOKUP",
        ] {
            assert!(
                problems.iter().any(|p| p.starts_with(variable)),
                "{variable}: {problems:?}"
            );
        }
    }

    const BASE: [(&str, &str); 2] = [
        ("OLD_USER_POOL_ID", "eu-west-1_AbC123"),
        ("OLD_CLIENT_ID", "7nqd4vsmu4ms8tg53d3vcml9g"),
    ];

    fn with(extra: &[(&'static str, &'static str)]) -> Vec<(&'static str, &'static str)> {
        BASE.iter().chain(extra).copied().collect()
    }

    #[test]
    fn minimal_configuration() {
        let config = config(&BASE).unwrap();
        assert_eq!(config.old_region.as_deref(), Some("eu-west-1"));
        assert_eq!(config.client_secret, ClientSecretSource::None);
        assert_eq!(config.call_timeout, DEFAULT_CALL_TIMEOUT);
        assert_eq!(config.attempt_timeout(), Duration::from_millis(1200));
        assert_eq!(config.mapping, Mapping::default());
        assert!(config.options.return_old_username);
        assert!(config.alias_lookup);
        assert!(config.assume_role.is_none());
    }

    #[test]
    fn missing_variables_are_named() {
        let err = config(&[]).unwrap_err().to_string();
        assert!(err.starts_with("OLD_USER_POOL_ID is not set"), "{err}");
        let err = config(&[("OLD_USER_POOL_ID", "eu-west-1_AbC123")])
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("OLD_CLIENT_ID is not set"), "{err}");
        let err = config(&[("OLD_USER_POOL_ID", "not a pool"), ("OLD_CLIENT_ID", "x")])
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("OLD_USER_POOL_ID is invalid"), "{err}");
    }

    #[test]
    fn secrets_come_from_one_place_and_never_show_in_errors() {
        let config_inline = config(&with(&[("OLD_CLIENT_SECRET", "s3cr3t-value")])).unwrap();
        assert_eq!(
            config_inline.client_secret,
            ClientSecretSource::Inline(Secret::new("s3cr3t-value"))
        );
        assert!(!format!("{config_inline:?}").contains("s3cr3t-value"));

        let err = config(&with(&[
            ("OLD_CLIENT_SECRET", "s3cr3t-value"),
            (
                "OLD_CLIENT_SECRET_ARN",
                "arn:aws:secretsmanager:eu-west-1:123456789012:secret:old-AbCdEf",
            ),
        ]))
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("not both") && !err.contains("s3cr3t-value"),
            "{err}"
        );

        let from_sm = config(&with(&[(
            "OLD_CLIENT_SECRET_ARN",
            "arn:aws:secretsmanager:eu-west-1:123456789012:secret:old-AbCdEf",
        )]))
        .unwrap();
        assert_eq!(
            from_sm.client_secret,
            ClientSecretSource::SecretsManager {
                arn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:old-AbCdEf".into(),
                json_key: "client_secret".into()
            }
        );
        let err = config(&with(&[("OLD_CLIENT_SECRET_ARN", "old-secret")]))
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("OLD_CLIENT_SECRET_ARN is invalid"), "{err}");
    }

    #[test]
    fn cross_account_settings() {
        let config = config(&with(&[
            ("OLD_REGION", "us-east-1"),
            (
                "OLD_ROLE_ARN",
                "arn:aws:iam::123456789012:role/old-pool-reader",
            ),
            ("OLD_EXTERNAL_ID", "xyz"),
        ]))
        .unwrap();
        assert_eq!(config.old_region.as_deref(), Some("us-east-1"));
        assert_eq!(
            config.assume_role.unwrap().external_id.as_deref(),
            Some("xyz")
        );
        let err = self::config(&with(&[("OLD_EXTERNAL_ID", "xyz")]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("OLD_ROLE_ARN is not"), "{err}");
    }

    #[test]
    fn mapping_and_budget() {
        let config = config(&with(&[
            (
                "MAPPING_JSON",
                r#"{"legacy_sub_attribute":"custom:old_id"}"#,
            ),
            ("OLD_POOL_TIMEOUT_MS", "1500"),
            ("RETURN_OLD_USERNAME", "false"),
            ("ALIAS_LOOKUP", "no"),
        ]))
        .unwrap();
        assert!(!config.alias_lookup);
        assert_eq!(
            config.mapping.legacy_sub_attribute.as_deref(),
            Some("custom:old_id")
        );
        assert_eq!(config.call_timeout, Duration::from_millis(1500));
        assert!(!config.options.return_old_username);

        let err = self::config(&with(&[(
            "MAPPING_JSON",
            r#"{"rename":{"custom:x":"sub"}}"#,
        )]))
        .unwrap_err()
        .to_string();
        assert!(err.contains("sub can never be written"), "{err}");
        let err = self::config(&with(&[("OLD_POOL_TIMEOUT_MS", "9000")]))
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("OLD_POOL_TIMEOUT_MS is invalid"), "{err}");
        let err = self::config(&with(&[("MAPPING_FILE", "/nonexistent/mapping.json")]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("/nonexistent/mapping.json"), "{err}");
    }

    #[test]
    fn security_settings() {
        let defaults = config(&BASE).unwrap();
        assert_eq!(defaults.options.password_policy, PasswordPolicy::default());
        assert!(defaults.options.forgot_password);
        assert!(defaults.user_ref_key.is_none());
        let set = config(&with(&[
            ("NEW_PASSWORD_POLICY", r#"{"MinimumLength":10}"#),
            ("FORGOT_PASSWORD", "off"),
            ("USER_REF_KEY", "k3y-value"),
        ]))
        .unwrap();
        assert_eq!(set.options.password_policy.minimum_length, 10);
        assert!(!set.options.password_policy.require_symbols);
        assert!(!set.options.forgot_password);
        assert!(!format!("{set:?}").contains("k3y-value"));
        let err = config(&with(&[("FORGOT_PASSWORD", "maybe")]))
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("FORGOT_PASSWORD is invalid"), "{err}");
        let err = config(&with(&[("NEW_PASSWORD_POLICY", "{")]))
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("NEW_PASSWORD_POLICY is invalid"), "{err}");
    }

    #[test]
    fn new_pool_sign_in_shapes() {
        use crate::old_pool::AliasKind;
        assert_eq!(
            config(&BASE).unwrap().new_pool_sign_in,
            NewPoolSignIn::UNKNOWN
        );
        let shape = |text: &str| NewPoolSignIn::parse(text);
        let plain = shape("username").unwrap();
        assert!(plain.user_name);
        assert_eq!(plain.key(AliasKind::Email), SignInKey::Not);
        let aliases = shape(" username , email,preferred_username").unwrap();
        assert_eq!(aliases.email, SignInKey::VerifiedAlias);
        assert_eq!(aliases.phone_number, SignInKey::Not);
        let by_email = shape("email").unwrap();
        assert!(!by_email.user_name);
        assert_eq!(by_email.email, SignInKey::UserName);
        assert!(!by_email.phone_number.signs_in());
        assert_eq!(
            shape("EMAIL,phone_number").unwrap().phone_number,
            SignInKey::UserName
        );
        let attributes = |text: &str| shape(text).unwrap().shape().username_attributes;
        assert!(attributes("username,email,phone_number").is_empty());
        assert_eq!(attributes("email"), ["email"]);
        assert_eq!(attributes("email,phone_number"), ["email", "phone_number"]);
        assert!(
            NewPoolSignIn::UNKNOWN
                .shape()
                .username_attributes
                .is_empty(),
            "an unknown shape refuses nobody"
        );
        let by_email = config(&with(&[("NEW_POOL_SIGN_IN", "email")])).unwrap();
        assert_eq!(by_email.options.new_pool.username_attributes, ["email"]);
        for wrong in ["", "preferred_username", "email,nickname"] {
            assert!(shape(wrong).is_err(), "{wrong}");
        }
        let err = config(&with(&[("NEW_POOL_SIGN_IN", "sub")]))
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("NEW_POOL_SIGN_IN is invalid"), "{err}");
    }

    #[test]
    fn list_users_rate_settings() {
        assert_eq!(
            config(&BASE).unwrap().list_users_rate,
            ListUsersRate {
                per_second: 5.0,
                burst: 10
            }
        );
        let set = config(&with(&[
            ("OLD_LIST_USERS_RPS", "0.5"),
            ("OLD_LIST_USERS_BURST", "1"),
        ]))
        .unwrap();
        assert_eq!(set.list_users_rate.per_second, 0.5);
        assert_eq!(set.list_users_rate.burst, 1);
        for (name, value) in [
            ("OLD_LIST_USERS_RPS", "0"),
            ("OLD_LIST_USERS_RPS", "31"),
            ("OLD_LIST_USERS_RPS", "fast"),
            ("OLD_LIST_USERS_BURST", "0"),
            ("OLD_LIST_USERS_BURST", "61"),
        ] {
            let err = config(&with(&[(name, value)])).unwrap_err().to_string();
            assert!(err.starts_with(&format!("{name} is invalid")), "{err}");
        }
    }

    #[test]
    fn regions_from_ids() {
        assert_eq!(shared::pool_id::region("us-east-1_abc"), Some("us-east-1"));
        assert_eq!(
            secret_region("arn:aws:secretsmanager:eu-west-1:123456789012:secret:a-b"),
            Some("eu-west-1")
        );
        assert_eq!(secret_region("arn:aws:ssm:eu-west-1:1:parameter/x"), None);
    }

    #[test]
    fn tenant_split_settings() {
        const TABLE: &str = r#"{"attribute":"custom:tenant","tenants":{"acme":{"pool_id":"p1"}}}"#;
        assert!(config(&with(&[])).unwrap().options.tenant.is_none());
        let derived = config(&with(&[("TENANT_TABLE_JSON", TABLE)]))
            .unwrap()
            .options
            .tenant
            .unwrap();
        assert_eq!(derived.admitted(Some("p1")), Some("acme"));
        assert_eq!(derived.admitted(Some("p2")), None);
        let fixed = config(&with(&[("TENANT_TABLE_JSON", TABLE), ("TENANT", "acme")]))
            .unwrap()
            .options
            .tenant
            .unwrap();
        assert_eq!(fixed.admitted(None), Some("acme"));
        let err = config(&with(&[("TENANT", "acme")]))
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("TENANT is invalid: needs the tenant table"),
            "{err}"
        );
        let err = config(&with(&[("TENANT_TABLE_JSON", TABLE), ("TENANT", "globex")]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("globex is not a tenant"), "{err}");
    }
}
