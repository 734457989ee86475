//! The events Cognito sends the trigger, every source read through one header, and the one way
//! an answer is written back into the event.
//!
//! Why our own types: `aws_lambda_events` has no `enableSMSMFA`, serialises unset options as
//! `null`, and fails the whole event on one wrong type. Here the event stays a
//! [`serde_json::Value`] end to end: each job reads the few fields it needs out of it
//! tolerantly ([`Header::read`]: the fields every source shares, around that source's own
//! `request`), and answers with that same value, untouched or with its `response` replaced
//! ([`with_response`]). Anything unexpected (missing fields, `null`s, wrong types) is a value the
//! job decides about, never a panic.
//!
//! What every source shares (the developer guide's "User pool Lambda trigger common
//! parameters"): `version`, `triggerSource`, `region`, `userPoolId`, `userName`,
//! `callerContext`, `request`, `response`. The jobs read `triggerSource`, `userPoolId`,
//! `userName` and `request`; `version` only the token job ([`token`]), since only its answer
//! depends on it. `callerContext` and `region` are not read: no rule of the trigger depends on
//! them, and an event's claims about its caller prove nothing.
//!
//! One module per source:
//! - `UserMigration_*` (sign-in and forgot-password): [`migration`];
//! - `PreSignUp_*`: [`sign_up`];
//! - `TokenGeneration_*`: [`token`].
//!
//! The same page's important considerations warn that the events can change as features are
//! added, and that stricter input validation can make a function fail: hence only the fields a
//! job needs are read, and unknown ones are ignored.
//!
//! Reference: <https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-working-with-lambda-triggers.html>

pub(crate) mod migration;
pub(crate) mod sign_up;
pub(crate) mod token;

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// The fields every trigger source shares, and the source's own `request` (`R`). Only these are
/// read; unknown fields are ignored and `null` reads as missing. A field of the wrong type makes
/// the whole header unreadable, and each job says what an unreadable event gets.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Header<R> {
    /// `triggerSource`: which flow invoked the trigger.
    #[serde(default)]
    pub(crate) trigger_source: Option<String>,
    /// `userName`: the name typed or created.
    #[serde(default)]
    pub(crate) user_name: Option<String>,
    /// `userPoolId`: the new pool that called.
    #[serde(default)]
    pub(crate) user_pool_id: Option<String>,
    /// `request`, in the source's own shape.
    #[serde(default = "Option::default")]
    pub(crate) request: Option<R>,
}

impl<R: DeserializeOwned> Header<R> {
    /// Reads the header of `event`; `None` when it is not a JSON object or a field it reads has
    /// the wrong type. The serde error is dropped on purpose: it can quote the offending value,
    /// and that value may be a password.
    pub(crate) fn read(event: &Value) -> Option<Header<R>> {
        if !event.is_object() {
            return None;
        }
        Header::deserialize(event).ok()
    }
}

/// `triggerSource` alone, read whatever else the event holds: the one field that picks the job.
pub(crate) fn trigger_source(event: &Value) -> Option<&str> {
    event.get("triggerSource").and_then(Value::as_str)
}

/// Which job an event is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Job {
    /// PreSignUp.
    SignUp,
    /// PreTokenGeneration.
    TokenGeneration,
    /// UserMigration, and whatever else (answered untouched there).
    Migration,
}

impl Job {
    /// The job for an event, from its `triggerSource`.
    pub(crate) fn of(event: &Value) -> Job {
        match trigger_source(event) {
            Some(source) if source.starts_with("PreSignUp_") => Job::SignUp,
            Some(source) if source.starts_with("TokenGeneration_") => Job::TokenGeneration,
            _ => Job::Migration,
        }
    }
}

/// The event with its `response` replaced by `response`. Everything else in the event is
/// returned as Cognito sent it, as the trigger contract expects.
pub(crate) fn with_response(mut event: Value, response: Value) -> Value {
    if let Value::Object(fields) = &mut event {
        fields.insert("response".to_string(), response);
    }
    event
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn the_trigger_source_picks_the_job() {
        let job = |source: Value| Job::of(&json!({"triggerSource": source}));
        assert_eq!(job(json!("PreSignUp_SignUp")), Job::SignUp);
        assert_eq!(job(json!("PreSignUp_ExternalProvider")), Job::SignUp);
        assert_eq!(
            job(json!("TokenGeneration_Authentication")),
            Job::TokenGeneration
        );
        assert_eq!(
            job(json!("TokenGeneration_RefreshTokens")),
            Job::TokenGeneration
        );
        assert_eq!(job(json!("UserMigration_Authentication")), Job::Migration);
        assert_eq!(job(json!("CustomMessage_SignUp")), Job::Migration);
        assert_eq!(job(json!(null)), Job::Migration);
        assert_eq!(Job::of(&json!("not an object")), Job::Migration);
    }

    #[test]
    fn the_header_is_read_tolerantly_and_only_from_an_object() {
        let header: Header<Value> = Header::read(&json!({
            "triggerSource": "PreSignUp_SignUp", "userName": null, "userPoolId": "us-east-1_p",
            "callerContext": "anything", "request": {"a": 1}
        }))
        .unwrap();
        assert_eq!(header.trigger_source.as_deref(), Some("PreSignUp_SignUp"));
        assert_eq!(header.user_name, None);
        assert_eq!(header.user_pool_id.as_deref(), Some("us-east-1_p"));
        assert_eq!(header.request, Some(json!({"a": 1})));
        for unreadable in [json!(["PreSignUp_SignUp", "ada"]), json!({"userName": 42})] {
            assert!(Header::<Value>::read(&unreadable).is_none(), "{unreadable}");
        }
    }

    #[test]
    fn an_answer_replaces_only_the_response() {
        let event = json!({"userName": "ada", "response": {"x": null}});
        assert_eq!(
            with_response(event, json!({"y": 1})),
            json!({"userName": "ada", "response": {"y": 1}})
        );
        assert_eq!(with_response(json!(null), json!({})), json!(null));
    }
}
