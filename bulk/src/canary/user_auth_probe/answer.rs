//! The probe's answer from what it saw: how the `USER_AUTH` sign-in ended and whether the user
//! was in the new pool afterwards; and the answer as text and JSON.
//!
//! The user was not in the new pool before (the probe refuses otherwise), so finding it there
//! afterwards means the migration trigger ran and created it. A sign-in refused with
//! `UserLambdaValidationException` "UserMigration failed with error …" also means it ran (the
//! developer guide's wording for a function that raised), though it created nobody. Anything else
//! is a "no".

use std::fmt::Write;

use serde::Serialize;

/// The question, as the report states it.
pub const QUESTION: &str = "the migration trigger fires under USER_AUTH PASSWORD";

/// How the sign-in to the new pool ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "ended", rename_all = "snake_case")]
pub enum SignInEnd {
    /// Cognito answered with tokens.
    Tokens,
    /// Cognito asked for a challenge the probe does not answer (MFA, a new password, …).
    Challenge {
        /// Its `ChallengeName`.
        name: String,
    },
    /// Cognito refused the sign-in.
    Refused {
        /// The error code, e.g. `UserNotFoundException`.
        code: String,
        /// Cognito's message.
        message: String,
    },
}

impl SignInEnd {
    /// True when Cognito's refusal names the migration trigger as the one that failed.
    fn trigger_failed(&self) -> bool {
        matches!(self, SignInEnd::Refused { code, message }
            if code == "UserLambdaValidationException" && message.contains("UserMigration"))
    }

    fn text(&self) -> String {
        match self {
            SignInEnd::Tokens => "signed in (tokens)".to_string(),
            SignInEnd::Challenge { name } => {
                format!("stopped at the {name} challenge (not answered by the probe)")
            }
            SignInEnd::Refused { code, message } => format!("refused, {code}: {message}"),
        }
    }
}

/// The answer to [`QUESTION`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Answer {
    /// The trigger ran.
    Yes,
    /// It did not (as far as a test user can show: see [`ProbeReport::caveat`]).
    No,
}

/// Everything one probe found, as printed and as `--json` writes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProbeReport {
    /// [`QUESTION`].
    pub question: &'static str,
    /// Yes or no.
    pub answer: Answer,
    /// The new pool.
    pub new_pool: String,
    /// The app client signed in through.
    pub client_id: String,
    /// The test user, as typed.
    pub username: String,
    /// How the sign-in ended.
    pub sign_in: SignInEnd,
    /// Whether the user was in the new pool after the sign-in (it was not before).
    pub in_new_pool_after: bool,
    /// What the answer rests on.
    pub caveat: String,
}

impl ProbeReport {
    /// Judges what the probe saw.
    pub fn judge(
        new_pool: &str,
        client_id: &str,
        username: &str,
        sign_in: SignInEnd,
        in_new_pool_after: bool,
    ) -> ProbeReport {
        let answer = if in_new_pool_after || sign_in.trigger_failed() {
            Answer::Yes
        } else {
            Answer::No
        };
        let caveat = match answer {
            Answer::Yes if in_new_pool_after => format!(
                "{username} is in {new_pool} now, migrated by this sign-in; delete it \
                 (AdminDeleteUser) to ask again with the same user"
            ),
            Answer::Yes => format!(
                "the trigger ran but refused {username} (so it is not in {new_pool}); its log \
                 says why"
            ),
            Answer::No => format!(
                "a no holds only if the password is {username}'s old-pool password and the \
                 trigger migrates {username} at a USER_PASSWORD_AUTH sign-in (try it: \
                 {username} then lands in {new_pool})"
            ),
        };
        ProbeReport {
            question: QUESTION,
            answer,
            new_pool: new_pool.to_string(),
            client_id: client_id.to_string(),
            username: username.to_string(),
            sign_in,
            in_new_pool_after,
            caveat,
        }
    }

    /// The report as text.
    pub fn text(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "USER_AUTH probe of {} through client {}: InitiateAuth USER_AUTH for {} with \
             PREFERRED_CHALLENGE=PASSWORD: {}",
            self.new_pool,
            self.client_id,
            self.username,
            self.sign_in.text()
        );
        let _ = writeln!(
            out,
            "{} in {} afterwards: {}",
            self.username,
            self.new_pool,
            if self.in_new_pool_after { "yes" } else { "no" }
        );
        let answer = match self.answer {
            Answer::Yes => "yes",
            Answer::No => "no",
        };
        let _ = writeln!(out, "{}: {answer}", self.question);
        let _ = writeln!(out, "note: {}", self.caveat);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(code: &str, message: &str) -> SignInEnd {
        SignInEnd::Refused {
            code: code.into(),
            message: message.into(),
        }
    }

    #[test]
    fn the_user_found_afterwards_is_a_yes_whatever_the_sign_in_said() {
        for end in [
            SignInEnd::Tokens,
            SignInEnd::Challenge {
                name: "EMAIL_OTP".into(),
            },
            refused("PasswordResetRequiredException", "Password reset required"),
        ] {
            let report = ProbeReport::judge("us-east-1_New", "c1", "ada", end, true);
            assert_eq!(report.answer, Answer::Yes);
        }
    }

    #[test]
    fn a_refusal_naming_the_migration_trigger_is_a_yes_and_any_other_a_no() {
        let ran = refused(
            "UserLambdaValidationException",
            "UserMigration failed with error Bad password.",
        );
        let other_trigger = refused(
            "UserLambdaValidationException",
            "PreAuthentication failed with error no.",
        );
        let unknown = refused("UserNotFoundException", "User does not exist.");
        let judged = |end| ProbeReport::judge("p", "c", "ada", end, false).answer;
        assert_eq!(judged(ran), Answer::Yes);
        assert_eq!(judged(other_trigger), Answer::No);
        assert_eq!(judged(unknown), Answer::No);
    }

    #[test]
    fn the_text_states_the_sign_in_the_user_and_the_answer() {
        let report = ProbeReport::judge(
            "us-east-1_New",
            "c1",
            "ada",
            refused("UserNotFoundException", "User does not exist."),
            false,
        );
        assert_eq!(
            report.text(),
            "USER_AUTH probe of us-east-1_New through client c1: InitiateAuth USER_AUTH for ada \
             with PREFERRED_CHALLENGE=PASSWORD: refused, UserNotFoundException: User does not \
             exist.\n\
             ada in us-east-1_New afterwards: no\n\
             the migration trigger fires under USER_AUTH PASSWORD: no\n\
             note: a no holds only if the password is ada's old-pool password and the trigger \
             migrates ada at a USER_PASSWORD_AUTH sign-in (try it: ada then lands in \
             us-east-1_New)\n"
        );
    }

    #[test]
    fn the_json_names_the_answer_and_how_the_sign_in_ended() {
        let report = ProbeReport::judge(
            "us-east-1_New",
            "c1",
            "ada",
            SignInEnd::Challenge {
                name: "EMAIL_OTP".into(),
            },
            true,
        );
        let json = serde_json::to_value(&report).unwrap();
        assert_eq!(json["answer"], "yes");
        assert_eq!(json["question"], QUESTION);
        assert_eq!(
            json["sign_in"],
            serde_json::json!({"ended": "challenge", "name": "EMAIL_OTP"})
        );
        assert_eq!(json["in_new_pool_after"], true);
    }
}
