//! One binary for every trigger of the new pool: the event's `triggerSource` picks the job, so
//! UserMigration, PreSignUp and PreTokenGeneration run the same code. `deploy/template.yaml`
//! deploys it twice — a sign-in function (UserMigration, PreSignUp) and a token function
//! (PreTokenGeneration), each with its own role and concurrency — so that unauthenticated floods
//! cannot starve token issuing and the unauthenticated paths hold no write right on the new pool.
//!
//! | `triggerSource` | job |
//! |---|---|
//! | `PreSignUp_*` | [`crate::sign_up::SignUpGuard`] |
//! | `TokenGeneration_*` | [`crate::token_groups::TokenGroups`] |
//! | anything else | [`crate::handler::Trigger`] (UserMigration; it answers other sources untouched) |
//!
//! The one shell every event goes through ([`Dispatcher::handle`]). Every job then has the same
//! shape: it starts the invocation's [`crate::budget::Deadline`], reads its event through the
//! common [`crate::event::Header`], asks the pools inside the deadline, decides with plain
//! functions (its `decide` module), and logs one line through [`crate::logging::Line`].

use lambda_runtime::{Context, Diagnostic, LambdaEvent};
use serde_json::Value;

use crate::event::Job;
use crate::handler::{Trigger, TriggerError};
use crate::migrated_event::{MigratedEvents, NoEvents};
use crate::new_pool::NewPool;
use crate::old_directory::OldDirectory;
use crate::old_pool::OldPool;
use crate::sign_up::{SignUpGuard, SignUpRefusal};
use crate::token_groups::TokenGroups;

/// An invocation that ends in a Lambda error.
#[derive(Debug, thiserror::Error)]
pub enum InvocationError {
    /// The UserMigration path could not answer.
    #[error(transparent)]
    Migration(#[from] TriggerError),
    /// A sign-up is refused; the message is shown to the person signing up.
    #[error(transparent)]
    SignUp(#[from] SignUpRefusal),
}

impl From<InvocationError> for Diagnostic {
    fn from(error: InvocationError) -> Diagnostic {
        match error {
            InvocationError::Migration(error) => Diagnostic::from(error),
            InvocationError::SignUp(refusal) => Diagnostic {
                error_type: refusal.error_type().to_string(),
                error_message: refusal.to_string(),
            },
        }
    }
}

/// The answer of a function whose configuration cannot work: logged with the request id and the
/// detail (which variable to fix); a person signing up reads the fixed
/// [`SignUpRefusal::Unavailable`], everyone else the configuration error's fixed sentence.
pub fn unconfigured(event: &LambdaEvent<Value>, detail: &str) -> InvocationError {
    let error = crate::handler::unconfigured(&event.context, detail);
    match Job::of(&event.payload) {
        Job::SignUp => InvocationError::SignUp(SignUpRefusal::Unavailable),
        Job::TokenGeneration | Job::Migration => InvocationError::Migration(error),
    }
}

/// The three jobs, ready to answer (`E`: where the token job puts "user migrated" events).
#[derive(Debug)]
pub struct Dispatcher<P, D, N, E = NoEvents> {
    migration: Trigger<P>,
    sign_up: SignUpGuard<D>,
    token_groups: TokenGroups<D, N, E>,
}

impl<P, D, N, E> Dispatcher<P, D, N, E>
where
    P: OldPool + Sync,
    D: OldDirectory + Sync,
    N: NewPool + Clone + Send + Sync + 'static,
    E: MigratedEvents + Sync,
{
    /// A dispatcher over the three jobs.
    pub fn new(
        migration: Trigger<P>,
        sign_up: SignUpGuard<D>,
        token_groups: TokenGroups<D, N, E>,
    ) -> Dispatcher<P, D, N, E> {
        Dispatcher {
            migration,
            sign_up,
            token_groups,
        }
    }

    /// Handles one Lambda invocation.
    pub async fn handle(&self, event: LambdaEvent<Value>) -> Result<Value, InvocationError> {
        self.answer(event.payload, &event.context).await
    }

    /// Answers one event with the job its `triggerSource` names.
    pub async fn answer(&self, event: Value, context: &Context) -> Result<Value, InvocationError> {
        match Job::of(&event) {
            Job::SignUp => Ok(self.sign_up.answer(event, context).await?),
            Job::TokenGeneration => Ok(self.token_groups.answer(event, context).await),
            Job::Migration => Ok(self.migration.answer(event, context).await?),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_person_signing_up_never_reads_a_configuration_error() {
        let event =
            |source: &str| LambdaEvent::new(json!({ "triggerSource": source }), Context::default());
        let sign_up = event("PreSignUp_SignUp");
        let diagnostic = Diagnostic::from(unconfigured(&sign_up, "OLD_USER_POOL_ID is not set"));
        assert_eq!(diagnostic.error_type, "SignUpUnavailable");
        assert!(!diagnostic.error_message.contains("OLD_USER_POOL_ID"));

        let migration = event("UserMigration_Authentication");
        let diagnostic = Diagnostic::from(unconfigured(&migration, "OLD_USER_POOL_ID is not set"));
        assert_eq!(diagnostic.error_type, "ConfigurationError");
        assert!(
            !diagnostic.error_message.contains("OLD_USER_POOL_ID"),
            "the detail goes to the log only"
        );
    }
}
