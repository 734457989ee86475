//! What `verify` compares beside attributes: whether a user is enabled, and its status; and which
//! status changes a migration brings (expected) against those it never should.
//!
//! Expected: an imported user is `RESET_REQUIRED` (the import guide: "your users will be in a
//! RESET_REQUIRED state"), a user `import` creates disabled is `FORCE_CHANGE_PASSWORD` (created by
//! `AdminCreateUser`), a user the trigger moves is `CONFIRMED` or `RESET_REQUIRED` (UserMigration:
//! "If you don't set this attribute to CONFIRMED, it's set to RESET_REQUIRED"), and any native user
//! may have set a password in the new pool since (`CONFIRMED`); a federated user's profile made by
//! `links` is `FORCE_CHANGE_PASSWORD` (`AdminCreateUser`). Everything else differs, and an old
//! user disabled who is enabled in the new pool always does: that account is live again.

use shared::SourceUser;

/// Cognito's user statuses (API reference, `UserType.UserStatus`); anything else is `UNKNOWN`.
const STATUSES: [&str; 8] = [
    "UNKNOWN",
    "CONFIRMED",
    "UNCONFIRMED",
    "FORCE_CHANGE_PASSWORD",
    "RESET_REQUIRED",
    "EXTERNAL_PROVIDER",
    "COMPROMISED",
    "ARCHIVED",
];

const ENABLED: u8 = 0x80;

/// A new-pool user's enabled flag and status, in one byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UserState(u8);

impl UserState {
    /// The state of a user as `ListUsers` shows it.
    pub fn new(enabled: bool, status: &str) -> UserState {
        let code = STATUSES.iter().position(|s| *s == status).unwrap_or(0);
        UserState(code as u8 | if enabled { ENABLED } else { 0 })
    }

    /// The state packed in a byte (see [`UserState::from_byte`]).
    pub fn to_byte(self) -> u8 {
        self.0
    }

    /// The state from [`UserState::to_byte`].
    pub fn from_byte(byte: u8) -> UserState {
        UserState(byte)
    }

    /// True when the user may sign in.
    pub fn enabled(self) -> bool {
        self.0 & ENABLED != 0
    }

    /// Cognito's spelling of the status.
    pub fn status(self) -> &'static str {
        STATUSES[usize::from(self.0 & !ENABLED) % STATUSES.len()]
    }
}

/// What about a user's state differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Enabled in one pool, disabled in the other.
    Enabled,
    /// A status no migration gives.
    Status,
}

impl Kind {
    /// The kind's code in the differences report.
    pub fn code(self) -> &'static str {
        match self {
            Kind::Enabled => "enabled-differs",
            Kind::Status => "status-differs",
        }
    }
}

/// One way an old user's state and its new-pool copy's differ: a kind for the report and a
/// detail that names states, never attribute values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateDifference {
    /// What differs.
    pub kind: Kind,
    /// What differs, e.g. "disabled in the old pool, enabled in the new pool".
    pub detail: String,
}

/// True when a user who was `old` in the old pool may be `new` in the new pool after a migration.
fn expected_status(old: &str, new: &str) -> bool {
    let old_native = old != "EXTERNAL_PROVIDER";
    old == new
        || (old_native
            && matches!(
                new,
                "CONFIRMED" | "RESET_REQUIRED" | "FORCE_CHANGE_PASSWORD"
            ))
        // A federated user's profile, made by `links` with AdminCreateUser and linked to its
        // identity: never signed in with a password.
        || (!old_native && new == "FORCE_CHANGE_PASSWORD")
}

/// The differences between an old user's state and its new-pool copy's.
pub fn differences(old: &SourceUser, new: UserState) -> Vec<StateDifference> {
    let mut found = Vec::new();
    if old.enabled != new.enabled() {
        let side = |enabled: bool| if enabled { "enabled" } else { "disabled" };
        found.push(StateDifference {
            kind: Kind::Enabled,
            detail: format!(
                "{} in the old pool, {} in the new pool",
                side(old.enabled),
                side(new.enabled())
            ),
        });
    }
    if !expected_status(old.status.as_str(), new.status()) {
        found.push(StateDifference {
            kind: Kind::Status,
            detail: format!(
                "{} in the old pool, {} in the new pool",
                old.status,
                new.status()
            ),
        });
    }
    found
}

/// True when an old user who had a password the trigger could carry must set a new one in the
/// new pool (it was imported, or created disabled): expected, and counted for the operator.
pub fn password_reset(old: &SourceUser, new: UserState) -> bool {
    old.status.password_survives_sign_in()
        && matches!(new.status(), "RESET_REQUIRED" | "FORCE_CHANGE_PASSWORD")
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::SourceStatus;

    fn old(status: SourceStatus, enabled: bool) -> SourceUser {
        let mut user = SourceUser::new("ada", status);
        user.enabled = enabled;
        user
    }

    fn kinds(old: &SourceUser, new: UserState) -> Vec<&'static str> {
        differences(old, new)
            .iter()
            .map(|d| d.kind.code())
            .collect()
    }

    #[test]
    fn state_survives_its_byte() {
        for status in STATUSES {
            for enabled in [true, false] {
                let state = UserState::from_byte(UserState::new(enabled, status).to_byte());
                assert_eq!((state.enabled(), state.status()), (enabled, status));
            }
        }
        assert_eq!(UserState::new(true, "SOMETHING_NEW").status(), "UNKNOWN");
    }

    #[test]
    fn a_disabled_old_user_enabled_in_the_new_pool_always_differs() {
        let banned = old(SourceStatus::Confirmed, false);
        for status in ["CONFIRMED", "RESET_REQUIRED", "FORCE_CHANGE_PASSWORD"] {
            let differences = differences(&banned, UserState::new(true, status));
            assert_eq!(differences.len(), 1, "{status}");
            assert_eq!(differences[0].kind, Kind::Enabled);
            assert_eq!(
                differences[0].detail,
                "disabled in the old pool, enabled in the new pool"
            );
        }
        assert!(kinds(&banned, UserState::new(false, "FORCE_CHANGE_PASSWORD")).is_empty());
        assert_eq!(
            kinds(
                &old(SourceStatus::Confirmed, true),
                UserState::new(false, "CONFIRMED")
            ),
            ["enabled-differs"]
        );
    }

    #[test]
    fn what_a_migration_does_to_a_status_is_expected_and_nothing_else() {
        let confirmed = old(SourceStatus::Confirmed, true);
        for new in ["CONFIRMED", "RESET_REQUIRED", "FORCE_CHANGE_PASSWORD"] {
            assert!(
                kinds(&confirmed, UserState::new(true, new)).is_empty(),
                "{new}"
            );
        }
        assert!(password_reset(
            &confirmed,
            UserState::new(true, "RESET_REQUIRED")
        ));
        assert!(!password_reset(
            &confirmed,
            UserState::new(true, "CONFIRMED")
        ));
        for new in ["UNCONFIRMED", "EXTERNAL_PROVIDER", "COMPROMISED", "UNKNOWN"] {
            assert_eq!(
                kinds(&confirmed, UserState::new(true, new)),
                ["status-differs"],
                "{new}"
            );
        }
        let unconfirmed = old(SourceStatus::Unconfirmed, true);
        assert!(kinds(&unconfirmed, UserState::new(true, "UNCONFIRMED")).is_empty());
        assert!(kinds(&unconfirmed, UserState::new(true, "RESET_REQUIRED")).is_empty());
        let federated = old(SourceStatus::ExternalProvider, true);
        assert!(kinds(&federated, UserState::new(true, "EXTERNAL_PROVIDER")).is_empty());
        assert!(
            kinds(&federated, UserState::new(true, "FORCE_CHANGE_PASSWORD")).is_empty(),
            "the profile links made"
        );
        assert_eq!(
            kinds(&federated, UserState::new(true, "CONFIRMED")),
            ["status-differs"]
        );
        let detail = &differences(&confirmed, UserState::new(true, "UNCONFIRMED"))[0].detail;
        assert_eq!(
            detail,
            "CONFIRMED in the old pool, UNCONFIRMED in the new pool"
        );
    }
}
