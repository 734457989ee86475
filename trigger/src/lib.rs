//! `cognito-migrate-trigger`: the UserMigration Lambda of the **new** user pool. When a user who
//! is not in the new pool yet signs in (or asks for a password reset), Cognito calls it; it proves
//! the typed password against the **old** pool and answers with the user's profile, mapped by the
//! same [`shared::Mapping`] the bulk export uses, so the user keeps their password.
//!
//! One module per job:
//! - [`config`]: environment, read and checked once at cold start;
//! - [`clients`]: the old pool's SDK client and the client secret, built at cold start;
//! - [`event`]: the UserMigration event and response, read tolerantly;
//! - [`old_pool`]: the questions asked of the old pool, and how its errors are sorted;
//! - [`decide`]: the decision, a plain function;
//! - [`password_policy`]: the new pool's password rules, checked before a password is kept;
//! - [`handler`]: one invocation, inside the time budget;
//! - [`logging`]: JSON logs with a reason code, never a password, secret, token or event.
//!
//! The companions, wired to the new pool's other triggers with the same function
//! ([`dispatch`] picks the job from `triggerSource`):
//! - [`sign_up`]: PreSignUp refuses sign-ups with an old user's name, email or phone;
//! - [`token_groups`]: PreTokenGeneration puts a migrated user's old groups in the first token
//!   and writes them to the new pool;
//! - [`old_directory`]: their questions to the old pool; [`new_pool`]: their read and writes in the
//!   new pool; [`companion_config`]: their own settings;
//! - [`migrated_event`]: the opt-in "user migrated" EventBridge event of the token companion;
//! - [`email_mfa`]: e-mail MFA turned back on by the token companion for a proven user who had it.
//!
//! Not for: creating users itself (Cognito does that from the answer), bulk export (the
//! `cognito-migrate` binary), or sign-ins that never reach the trigger (SRP, federated,
//! passwordless).
#![deny(missing_docs)]

pub(crate) mod budget;
pub mod check;
pub mod clients;
pub mod companion_config;
pub mod config;
pub mod decide;
pub mod dispatch;
pub mod email_mfa;
pub mod event;
pub mod handler;
pub mod logging;
pub mod migrated_event;
pub mod new_pool;
pub mod old_directory;
pub mod old_pool;
pub mod password_policy;
pub mod sign_up;
pub mod token_groups;
