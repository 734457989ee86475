//! `cognito-migrate-trigger`: the UserMigration Lambda of the **new** user pool. When a user who
//! is not in the new pool yet signs in (or asks for a password reset), Cognito calls it; it proves
//! the typed password against the **old** pool and answers with the user's profile, mapped by the
//! same [`shared::Mapping`] the bulk export uses, so the user keeps their password.
//!
//! Public: what the binary runs ([`run`], [`check()`]) and what the fuzz target drives
//! ([`fuzzing`]); every module is the crate's own. One module per job:
//! - `lambda`: cold start and the runtime loop; `dispatch`: the one shell every event goes
//!   through, which picks the job from `triggerSource`;
//! - `config`: environment, read and checked once at cold start;
//! - `clients`: the old pool's SDK client and the client secret, built at cold start;
//! - `event`: every source's event around one common header, and the answer written into it;
//! - `budget`: the one time budget every job and call inside it keeps;
//! - `old_pool`: the questions asked of the old pool, and how its errors are sorted;
//!   `sdk_failure`: how any SDK call failed, sorted once for every client;
//! - `decide`: the sign-in decision, a plain function; `tenant`: the tenant rule of a split,
//!   which every job applies;
//! - `password_policy`: the new pool's password rules, checked before a password is kept;
//! - `handler`: the sign-in job: one invocation, asking the old pool inside the time budget;
//! - `logging`: the one log line every job writes: JSON with a reason code, never a password,
//!   secret, token or event.
//!
//! The companions, wired to the new pool's other triggers with the same function, each in the
//! sign-in job's shape (its event in `event`, a pure decision in its own `decide` module with
//! its tests, a shell that asks and writes inside the `budget` and logs through `logging`):
//! - `sign_up`: PreSignUp refuses sign-ups with an old user's name, email or phone;
//! - `token_groups`: PreTokenGeneration puts a migrated user's old groups in the first token
//!   and writes them to the new pool;
//! - `old_directory`: their questions to the old pool; `new_pool`: their read and writes in the
//!   new pool; `companion_config`: their own settings;
//! - `migrated_event`: the opt-in "user migrated" EventBridge event of the token companion;
//! - `email_mfa`: e-mail MFA turned back on by the token companion for a proven user who had it.
//!
//! Not for: creating users itself (Cognito does that from the answer), bulk export (the
//! `cognito-migrate` binary), or sign-ins that never reach the trigger (SRP, federated,
//! passwordless).
#![deny(missing_docs)]

mod budget;
mod check;
mod clients;
mod companion_config;
mod config;
mod decide;
mod dispatch;
mod email_mfa;
mod event;
mod handler;
mod lambda;
mod logging;
mod migrated_event;
mod new_pool;
mod old_directory;
mod old_pool;
mod password_policy;
mod sdk_failure;
mod sign_up;
mod tenant;
mod token_groups;

pub use check::{FLAG as CHECK_FLAG, outside_lambda_message, run as check};
pub use lambda::run;

/// What the fuzz target `fuzz/fuzz_targets/trigger_event.rs` drives: the UserMigration event's
/// parser and the sign-in path's whole answer, with an old pool of its own. Not for anything
/// else: these are the crate's inner types, public only so the fuzzer can reach them.
pub mod fuzzing {
    pub use crate::decide::Options;
    pub use crate::event::migration::MigrationRequest;
    pub use crate::handler::Trigger;
    pub use crate::old_pool::{
        AliasKind, AuthOutcome, EnrolledFactors, OldPool, OldPoolError, OldUser, Refusal,
    };
}
