//! `cognito-migrate canary --ask-user-auth USER`: asks the real service whether the new pool's
//! migration trigger fires when a user it lacks signs in with choice-based sign-in (`USER_AUTH`)
//! and the `PASSWORD` choice. AWS documents only that the trigger runs "when a user doesn't exist
//! in the user pool at sign-in with a password" and not "when users authenticate with passwordless
//! sign-in" (developer guide, "Migrate user Lambda trigger"); the test bed answers no.
//!
//! Before any sign-in it refuses what would make the answer meaningless: a new pool without a
//! `UserMigration` trigger or on the Lite plan (no `USER_AUTH`), a client without
//! `ALLOW_USER_AUTH`, a user already in the new pool. Then it signs in as Amplify v6 does with
//! `preferredChallenge: 'PASSWORD'` (`InitiateAuth` `USER_AUTH`, `PREFERRED_CHALLENGE` `PASSWORD`
//! with the password), answers a `PASSWORD` or `SELECT_CHALLENGE` challenge with the password if
//! one comes, stops at any other, and reads whether the user is in the new pool now
//! ([`answer::ProbeReport::judge`]).
//!
//! The password comes from [`PASSWORD_ENV`] only (never a flag: flags end up in shell history and
//! process lists) and is never printed. A "yes" leaves the test user in the new pool.

pub mod answer;

use std::collections::HashMap;
use std::path::PathBuf;

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::error::ProvideErrorMetadata;
use aws_sdk_cognitoidentityprovider::types::{
    AuthFlowType, ChallengeNameType, ExplicitAuthFlowsType, UserPoolClientType, UserPoolTierType,
    UserPoolType,
};
use shared::Secret;
use shared::secret_hash::secret_hash;

use crate::aws::AwsArgs;
use crate::errors::explain;
use crate::pacer::Pacer;
use crate::pool_args::{NewPoolArg, OpenPool};
use crate::user_lookup::admin_get_user;
use answer::{ProbeReport, SignInEnd};

/// Where the test user's password is read from.
pub const PASSWORD_ENV: &str = "COGNITO_MIGRATE_PROBE_PASSWORD";

/// Challenges answered at most, so a service that keeps asking cannot loop the probe.
const MAX_ANSWERS: usize = 3;

/// The probe's flags, within `canary`'s.
#[derive(Debug, clap::Args)]
pub struct ProbeArgs {
    /// Instead of importing a sample, ask whether the new pool's migration trigger fires when USER
    /// signs in with USER_AUTH and the PASSWORD choice: USER is a test user of the old pool who is
    /// not in the new pool yet, its password in COGNITO_MIGRATE_PROBE_PASSWORD. A "yes" leaves
    /// USER in the new pool.
    #[arg(long, value_name = "USER", requires = "target_client_id")]
    pub ask_user_auth: Option<String>,
    /// With --ask-user-auth: the new pool's app client to sign in through (it must allow
    /// ALLOW_USER_AUTH; its secret, if any, is read with DescribeUserPoolClient).
    #[arg(long, value_name = "ID", requires = "ask_user_auth")]
    pub target_client_id: Option<String>,
    /// With --ask-user-auth: also write the answer as JSON to this file (`-`: standard output,
    /// instead of the text).
    #[arg(long, value_name = "PATH", requires = "ask_user_auth")]
    pub json: Option<PathBuf>,
}

/// Runs the probe against the new pool; the report, once printed (and written with `--json`).
pub async fn run(
    probe: &ProbeArgs,
    username: &str,
    new: &NewPoolArg,
    aws: &AwsArgs,
    pacer: &Pacer,
) -> anyhow::Result<ProbeReport> {
    let pool_id = new.target_pool_id.as_str();
    let client_id = probe
        .target_client_id
        .as_deref()
        .ok_or_else(|| anyhow::anyhow!("--ask-user-auth needs --target-client-id"))?;
    let password = std::env::var(PASSWORD_ENV)
        .ok()
        .filter(|p| !p.is_empty())
        .map(Secret::new)
        .ok_or_else(|| {
            anyhow::anyhow!(
                "--ask-user-auth reads {username}'s password from {PASSWORD_ENV}, which is not \
                 set: export it (its old-pool password) and run again"
            )
        })?;
    if let Some(path) = &probe.json {
        crate::writable::file("--json", path)?;
    }
    let OpenPool {
        client: cognito,
        pool,
        ..
    } = new.open(aws, pacer).await?;
    refuse_unfit_pool(&pool)?;
    let app_client = describe_client(&cognito, pacer, pool_id, client_id).await?;
    refuse_unfit_client(pool_id, &app_client)?;
    if let Some(user) = admin_get_user(&cognito, pacer, pool_id, username).await? {
        anyhow::bail!(
            "{username} is already in the new pool {pool_id} (user name {}, status {}): a sign-in \
             cannot show whether the trigger fires for a user the pool has. Name a test user of \
             the old pool who is not in the new pool yet (or delete this one from the new pool \
             with AdminDeleteUser, if it is only a test user)",
            user.username(),
            user.user_status().map(|s| s.as_str()).unwrap_or("unknown")
        );
    }
    let secret = app_client.client_secret().map(Secret::new);
    let signing_in = SigningIn {
        cognito: &cognito,
        pacer,
        pool_id,
        client_id,
        secret: secret.as_ref(),
        password: &password,
    };
    let ended = signing_in.sign_in(username).await?;
    let after = admin_get_user(&cognito, pacer, pool_id, username)
        .await?
        .is_some();
    let report = ProbeReport::judge(pool_id, client_id, username, ended, after);
    if !crate::json_report::to_stdout(probe.json.as_deref()) {
        print!("{}", report.text());
    }
    if let Some(path) = &probe.json {
        crate::json_report::write(path, &report)?;
    }
    Ok(report)
}

/// A pool whose answer would be "no" whatever AWS does.
fn refuse_unfit_pool(pool: &UserPoolType) -> anyhow::Result<()> {
    let id = pool.id().unwrap_or_default();
    if pool
        .lambda_config()
        .and_then(|c| c.user_migration())
        .is_none()
    {
        anyhow::bail!(
            "the new pool {id} has no UserMigration trigger, so nothing could fire: wire the \
             migration stack's FunctionArn as its UserMigration trigger (the new-pool template \
             does), then ask again"
        );
    }
    if pool.user_pool_tier() == Some(&UserPoolTierType::Lite) {
        anyhow::bail!(
            "the new pool {id} is on the Lite feature plan, which has no choice-based sign-in \
             (USER_AUTH): move it to Essentials or Plus (UpdateUserPool UserPoolTier), then ask again"
        );
    }
    Ok(())
}

/// A client that cannot sign in with `USER_AUTH`.
fn refuse_unfit_client(pool_id: &str, client: &UserPoolClientType) -> anyhow::Result<()> {
    let flows = client.explicit_auth_flows();
    if flows.contains(&ExplicitAuthFlowsType::AllowUserAuth) {
        return Ok(());
    }
    let listed: Vec<&str> = flows.iter().map(|f| f.as_str()).collect();
    anyhow::bail!(
        "app client {} of {pool_id} does not allow choice-based sign-in (its ExplicitAuthFlows: \
         {listed:?}): add ALLOW_USER_AUTH to them (UpdateUserPoolClient, sending its other \
         settings too, which it otherwise resets), or name a client that has it with \
         --target-client-id",
        client.client_id().unwrap_or_default()
    )
}

/// `DescribeUserPoolClient`, with an error that names the flag.
async fn describe_client(
    cognito: &Client,
    pacer: &Pacer,
    pool_id: &str,
    client_id: &str,
) -> anyhow::Result<UserPoolClientType> {
    let answer = pacer
        .call(|| {
            cognito
                .describe_user_pool_client()
                .user_pool_id(pool_id)
                .client_id(client_id)
                .send()
        })
        .await;
    match answer {
        Ok(output) => output.user_pool_client.ok_or_else(|| {
            anyhow::anyhow!("DescribeUserPoolClient returned no client {client_id}")
        }),
        Err(err) if err.code() == Some("ResourceNotFoundException") => anyhow::bail!(
            "app client {client_id} not found in {pool_id}: check --target-client-id (a client \
             of the new pool)"
        ),
        Err(err) => Err(explain("DescribeUserPoolClient", pool_id, err)),
    }
}

/// One sign-in of the test user to the new pool.
struct SigningIn<'a> {
    cognito: &'a Client,
    pacer: &'a Pacer,
    pool_id: &'a str,
    client_id: &'a str,
    secret: Option<&'a Secret>,
    password: &'a Secret,
}

/// What Cognito answered one step of the sign-in.
struct Step {
    challenge: Option<ChallengeNameType>,
    session: Option<String>,
    parameters: HashMap<String, String>,
    available: Vec<ChallengeNameType>,
    tokens: bool,
}

impl SigningIn<'_> {
    /// `InitiateAuth`, then the password challenges; how it ended. Errors only where Cognito
    /// could not be asked (no error code: network, credentials).
    async fn sign_in(&self, username: &str) -> anyhow::Result<SignInEnd> {
        let mut parameters = self.with_secret(username);
        parameters.insert("PREFERRED_CHALLENGE".into(), "PASSWORD".into());
        parameters.insert("PASSWORD".into(), self.password.expose().into());
        let answer = self
            .pacer
            .call(|| {
                self.cognito
                    .initiate_auth()
                    .client_id(self.client_id)
                    .auth_flow(AuthFlowType::UserAuth)
                    .set_auth_parameters(Some(parameters.clone()))
                    .send()
            })
            .await;
        let mut step = match answer {
            Ok(out) => Step {
                tokens: out.authentication_result().is_some(),
                challenge: out.challenge_name().cloned(),
                session: out.session().map(str::to_string),
                parameters: out.challenge_parameters().cloned().unwrap_or_default(),
                available: out.available_challenges().to_vec(),
            },
            Err(err) if err.code().is_some() => return Ok(refused(&err)),
            Err(err) => return Err(explain("InitiateAuth", self.pool_id, err)),
        };
        for _ in 0..MAX_ANSWERS {
            let Some((name, responses)) = self.password_answer(username, &step) else {
                break;
            };
            let answer = self
                .pacer
                .call(|| {
                    self.cognito
                        .respond_to_auth_challenge()
                        .client_id(self.client_id)
                        .challenge_name(name.clone())
                        .set_session(step.session.clone())
                        .set_challenge_responses(Some(responses.clone()))
                        .send()
                })
                .await;
            step = match answer {
                Ok(out) => Step {
                    tokens: out.authentication_result().is_some(),
                    challenge: out.challenge_name().cloned(),
                    session: out.session().map(str::to_string),
                    parameters: out.challenge_parameters().cloned().unwrap_or_default(),
                    available: Vec::new(),
                },
                Err(err) if err.code().is_some() => return Ok(refused(&err)),
                Err(err) => return Err(explain("RespondToAuthChallenge", self.pool_id, err)),
            };
        }
        Ok(match (step.tokens, step.challenge) {
            (true, _) => SignInEnd::Tokens,
            (false, Some(name)) => SignInEnd::Challenge {
                name: name.as_str().to_string(),
            },
            (false, None) => SignInEnd::Challenge {
                name: "(none, and no tokens)".to_string(),
            },
        })
    }

    /// The challenge and the answer with the password to a `PASSWORD` challenge, or to a
    /// `SELECT_CHALLENGE` that offers it; `None` for any other step.
    fn password_answer(
        &self,
        typed: &str,
        step: &Step,
    ) -> Option<(ChallengeNameType, HashMap<String, String>)> {
        if step.tokens {
            return None;
        }
        // Cognito names the user by its user name in the challenge (an e-mail pool's is not what
        // was typed); the secret hash is computed over that name.
        let username = step
            .parameters
            .get("USERNAME")
            .map(String::as_str)
            .unwrap_or(typed);
        let mut responses = self.with_secret(username);
        let challenge = step.challenge.clone()?;
        match challenge {
            ChallengeNameType::Password => {}
            ChallengeNameType::SelectChallenge
                if step.available.contains(&ChallengeNameType::Password) =>
            {
                responses.insert("ANSWER".into(), "PASSWORD".into());
            }
            _ => return None,
        }
        responses.insert("PASSWORD".into(), self.password.expose().into());
        Some((challenge, responses))
    }

    /// `USERNAME`, and `SECRET_HASH` when the client has a secret.
    fn with_secret(&self, username: &str) -> HashMap<String, String> {
        user_parameters(username, self.client_id, self.secret)
    }
}

/// `USERNAME` and, for a client with a secret, its `SECRET_HASH` ("required … when the app client
/// has a client secret", API reference, InitiateAuth).
fn user_parameters(
    username: &str,
    client_id: &str,
    secret: Option<&Secret>,
) -> HashMap<String, String> {
    let mut parameters = HashMap::from([("USERNAME".to_string(), username.to_string())]);
    if let Some(secret) = secret {
        parameters.insert(
            "SECRET_HASH".into(),
            secret_hash(username, client_id, secret),
        );
    }
    parameters
}

/// A refusal as the report states it.
fn refused<E: ProvideErrorMetadata>(err: &E) -> SignInEnd {
    SignInEnd::Refused {
        code: err.code().unwrap_or_default().to_string(),
        message: err.message().unwrap_or_default().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_cognitoidentityprovider::types::LambdaConfigType;

    #[test]
    fn a_client_with_a_secret_sends_its_hash_and_one_without_none() {
        let secret = Secret::new("s3cr3t");
        let with = user_parameters("ada", "client1", Some(&secret));
        assert_eq!(
            with.get("SECRET_HASH"),
            Some(&secret_hash("ada", "client1", &secret))
        );
        assert_eq!(with.get("USERNAME").map(String::as_str), Some("ada"));
        assert!(!user_parameters("ada", "client1", None).contains_key("SECRET_HASH"));
    }

    #[test]
    fn a_client_without_allow_user_auth_is_refused_with_the_fix() {
        let client = UserPoolClientType::builder()
            .client_id("c1")
            .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth)
            .build();
        let err = refuse_unfit_client("us-east-1_New", &client)
            .unwrap_err()
            .to_string();
        assert!(err.contains("add ALLOW_USER_AUTH"), "{err}");
        assert!(err.contains("[\"ALLOW_USER_PASSWORD_AUTH\"]"), "{err}");
        let fit = UserPoolClientType::builder()
            .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserAuth)
            .build();
        assert!(refuse_unfit_client("us-east-1_New", &fit).is_ok());
    }

    #[test]
    fn a_pool_without_the_trigger_or_on_lite_is_refused() {
        let wired = || {
            UserPoolType::builder().id("us-east-1_New").lambda_config(
                LambdaConfigType::builder()
                    .user_migration("arn:aws:lambda:us-east-1:1:function:f")
                    .build(),
            )
        };
        assert!(refuse_unfit_pool(&wired().build()).is_ok());
        let bare = UserPoolType::builder().id("us-east-1_New").build();
        assert!(
            refuse_unfit_pool(&bare)
                .unwrap_err()
                .to_string()
                .contains("no UserMigration trigger")
        );
        let lite = wired().user_pool_tier(UserPoolTierType::Lite).build();
        assert!(
            refuse_unfit_pool(&lite)
                .unwrap_err()
                .to_string()
                .contains("Lite feature plan")
        );
    }
}
