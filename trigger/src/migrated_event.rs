//! The "user migrated" event: one EventBridge event per migrated user, put by the
//! PreTokenGeneration companion when it first handles that user, so an app keyed on `sub` can
//! re-key its rows the moment the user moves (old `sub` → new `sub`). Opt-in: only when
//! `MIGRATED_EVENT_BUS` names an event bus ([`crate::companion_config`]).
//!
//! **Only a proven user.** The event is made only for a new-pool user the companion proved to be
//! the old user: the legacy id the *new pool* holds is the `sub` of exactly one old user, and that
//! old user is the same person (`same_person` in [`crate::token_groups`]) of this pool's tenant.
//! A user without a legacy id, a legacy id nobody in the old pool has, one someone wrote into their
//! own profile, another tenant's user: no event. The ids come from the two pools' answers
//! (`ListUsers` by `sub` in the old pool, `AdminGetUser` in the new one), never from the event
//! Cognito (or anyone allowed to invoke the function) sent.
//!
//! **At most once, never in the token's way.** It is put after the user's first membership (an
//! old group or the marker group) is written, the write that makes every later token of the user
//! skip the lookup, so the same user is not announced again by later tokens. It is sent once,
//! within what is left of the invocation's budget ([`EVENT_BUDGET`] at most), and never retried
//! by the companion: a failure or a timeout is logged (`migrated-event-failed`,
//! `migrated-event-timeout`) and the token is answered as without it. So an app may miss an
//! event; `cognito-migrate id-map` is the complete list to reconcile with. Rare duplicates are
//! possible (two first tokens of one user at the same instant, or every group of a user removed
//! in the new pool during the window, so the lookup runs again): re-keying by
//! `old_sub` → `new_sub` is idempotent.
//!
//! The event, as EventBridge delivers it to a rule's target:
//!
//! ```json
//! {"source": "cognito-migrate", "detail-type": "User migrated",
//!  "detail": {"old_sub": "…", "new_sub": "…", "old_username": "ada",
//!             "new_username": "ada", "user_pool_id": "eu-west-1_NEW"}, …}
//! ```

use std::future::Future;
use std::time::Duration;

use aws_sdk_eventbridge::Client;
use aws_sdk_eventbridge::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_eventbridge::types::PutEventsRequestEntry;
use serde::Serialize;

use crate::budget::Deadline;
use crate::sdk_failure::SdkFailure;

/// The event's `source`.
pub const SOURCE: &str = "cognito-migrate";

/// The event's `detail-type`.
pub const DETAIL_TYPE: &str = "User migrated";

/// The most one `PutEvents` may take: the token waits for it, so it is kept short.
pub const EVENT_BUDGET: Duration = Duration::from_millis(500);

/// The event's `detail`: who the user was in the old pool and who they are in the new one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MigratedUser {
    /// The old pool's `sub` (the legacy id the new pool holds, proven).
    pub old_sub: String,
    /// The new pool's `sub`.
    pub new_sub: String,
    /// The old user's user name, as the old pool answered it.
    pub old_username: String,
    /// The new user's canonical user name, as the new pool answered it.
    pub new_username: String,
    /// The new pool.
    pub user_pool_id: String,
}

impl MigratedUser {
    /// The `Detail` string `PutEvents` takes: the fields above as a JSON object.
    pub fn detail(&self) -> String {
        serde_json::to_string(self).expect("a struct of strings serializes")
    }
}

/// A `PutEvents` that did not deliver the event. The message names what to check, never an id
/// of the user.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("EventBridge PutEvents: {problem}")]
pub struct EventError {
    /// What failed and what to check.
    pub problem: String,
}

/// What became of an event; logged as `migrated_event` on the token's line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventOutcome {
    /// EventBridge accepted it.
    Sent,
    /// `PutEvents` failed, or refused the entry.
    Failed(EventError),
    /// No answer within the time left.
    TimedOut,
}

impl EventOutcome {
    /// The log code.
    pub fn code(&self) -> &'static str {
        match self {
            EventOutcome::Sent => "migrated-event-sent",
            EventOutcome::Failed(_) => "migrated-event-failed",
            EventOutcome::TimedOut => "migrated-event-timeout",
        }
    }
}

/// Puts `user`'s event on `events` once, giving up at `deadline` (or after [`EVENT_BUDGET`],
/// whichever comes first).
pub(crate) async fn put_within<E: MigratedEvents>(
    events: &E,
    user: &MigratedUser,
    deadline: &Deadline,
) -> EventOutcome {
    match deadline.capped(EVENT_BUDGET).run(events.put(user)).await {
        Ok(Ok(())) => EventOutcome::Sent,
        Ok(Err(error)) => EventOutcome::Failed(error),
        Err(_) => EventOutcome::TimedOut,
    }
}

/// Where the companion puts the event.
pub trait MigratedEvents {
    /// Puts one "user migrated" event.
    fn put(&self, user: &MigratedUser) -> impl Future<Output = Result<(), EventError>> + Send;
}

/// No event bus: the type of a companion without events. It has no value, so a companion of
/// this type can never put one.
#[derive(Debug, Clone, Copy)]
pub enum NoEvents {}

impl MigratedEvents for NoEvents {
    async fn put(&self, _user: &MigratedUser) -> Result<(), EventError> {
        match *self {}
    }
}

/// The event bus `MIGRATED_EVENT_BUS` names, through the AWS SDK (the function's own region and
/// credentials, the trigger's timeouts and retries).
#[derive(Debug, Clone)]
pub struct SdkEventBus {
    client: Client,
    bus: String,
}

impl SdkEventBus {
    /// The bus `bus` (a name, or an ARN) reached through `client`.
    pub fn new(client: Client, bus: String) -> SdkEventBus {
        SdkEventBus { client, bus }
    }
}

/// What went wrong, in a line an operator can act on.
fn problem<E: ProvideErrorMetadata, R>(error: &SdkError<E, R>) -> String {
    match SdkFailure::of(error) {
        SdkFailure::Service { code, .. } => rejected(code.unwrap_or("no error code")),
        failure => failure.transport_problem().unwrap_or_default().to_string(),
    }
}

/// The problem for an error code EventBridge answered with (for the call, or for the entry).
fn rejected(code: &str) -> String {
    let hint = match code {
        "AccessDeniedException" => {
            "the token function's role needs events:PutEvents on the bus MIGRATED_EVENT_BUS names"
        }
        "ResourceNotFoundException" => "no such event bus: check MIGRATED_EVENT_BUS",
        "ThrottlingException" => "throttled",
        _ => "the event is not delivered; reconcile with cognito-migrate id-map",
    };
    format!("{code} ({hint})")
}

impl MigratedEvents for SdkEventBus {
    async fn put(&self, user: &MigratedUser) -> Result<(), EventError> {
        let entry = PutEventsRequestEntry::builder()
            .source(SOURCE)
            .detail_type(DETAIL_TYPE)
            .detail(user.detail())
            .event_bus_name(&self.bus)
            .build();
        let output = self
            .client
            .put_events()
            .entries(entry)
            .send()
            .await
            .map_err(|error| EventError {
                problem: problem(&error),
            })?;
        // A call that succeeds can still refuse its entry.
        if output.failed_entry_count() > 0 {
            let code = output
                .entries()
                .iter()
                .find_map(|entry| entry.error_code())
                .unwrap_or("FailedEntry");
            return Err(EventError {
                problem: rejected(code),
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;

    #[test]
    fn the_detail_carries_both_ids_and_both_names() {
        let user = MigratedUser {
            old_sub: "11111111-2222-4333-8444-555555555555".into(),
            new_sub: "99999999-8888-4777-8666-555555555555".into(),
            old_username: "ada".into(),
            new_username: "0b9f3d1e".into(),
            user_pool_id: "us-east-1_acme".into(),
        };
        let detail: Value = serde_json::from_str(&user.detail()).unwrap();
        assert_eq!(
            detail,
            json!({
                "old_sub": "11111111-2222-4333-8444-555555555555",
                "new_sub": "99999999-8888-4777-8666-555555555555",
                "old_username": "ada",
                "new_username": "0b9f3d1e",
                "user_pool_id": "us-east-1_acme"
            })
        );
    }

    #[test]
    fn a_rejection_names_what_to_check() {
        assert!(rejected("AccessDeniedException").contains("events:PutEvents"));
        assert!(rejected("ResourceNotFoundException").contains("MIGRATED_EVENT_BUS"));
        assert!(rejected("InternalFailure").contains("id-map"));
    }
}
