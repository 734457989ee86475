//! What the fuzz targets in `fuzz_targets/` feed in and what they check, kept here so the three
//! targets share one oracle:
//! - [`RowInput`]: a user written by the CSV import writer either reads back exactly or is refused
//!   with a reason that names the column and is true; a row is never malformed.
//! - [`MappingInput`]: a mapping file and an old-pool user through `Mapping::parse`,
//!   `Mapping::apply` and the writer; what comes out is normalised and never `sub`.
//! - [`check_event`]: any JSON event through the trigger's parser and its whole answer (with an
//!   in-memory old pool); nothing panics, only `response` changes, and only the right password
//!   migrates a user as `CONFIRMED`.
//!
//! Every check is an `assert!`: libFuzzer records a failed one as a finding.
#![forbid(unsafe_code)]

use std::path::Path;
use std::sync::OnceLock;

use arbitrary::Arbitrary;
use serde_json::{Value, json};
use shared::attributes::{self, BIRTHDATE, CSV_MFA_ENABLED, CSV_USERNAME, STANDARD};
use shared::import_csv::{ImportHeader, MAX_ROW_CHARS, decode_row};
use shared::validate::{normalize, parse_birthdate};
use shared::{Mapping, MigratedUser, RejectReason, Secret, SourceStatus, SourceUser};
use trigger::fuzzing::{
    AliasKind, AuthOutcome, EnrolledFactors, MigrationRequest, OldPool, OldPoolError, OldUser,
    Options, Refusal, Trigger,
};

/// Attribute names the targets pick from by index: every standard attribute, the two Cognito
/// never accepts, custom ones, and malformed names.
const NAMES: [&str; 27] = [
    "name",
    "given_name",
    "family_name",
    "middle_name",
    "nickname",
    "preferred_username",
    "profile",
    "picture",
    "website",
    "email",
    "email_verified",
    "gender",
    "birthdate",
    "zoneinfo",
    "locale",
    "phone_number",
    "phone_number_verified",
    "address",
    "updated_at",
    "sub",
    "identities",
    "custom:note",
    "custom:tenant",
    "custom:legacy_sub",
    "custom:",
    "Custom:x",
    "",
];

fn name(index: u8) -> String {
    NAMES[usize::from(index) % NAMES.len()].to_string()
}

/// The import header every target writes with: `GetCSVHeader`'s standard columns, the Cognito
/// columns and the custom ones of [`NAMES`], rotated by `rotation` so column order varies.
fn header(rotation: u8) -> ImportHeader {
    let mut columns: Vec<String> = STANDARD.iter().map(|s| s.to_string()).collect();
    columns.extend(
        [
            CSV_USERNAME,
            CSV_MFA_ENABLED,
            "custom:note",
            "custom:tenant",
            "custom:legacy_sub",
        ]
        .map(String::from),
    );
    let by = usize::from(rotation) % columns.len();
    columns.rotate_left(by);
    ImportHeader::new(columns).expect("the header has the cognito columns")
}

/// The form a column must read back as.
fn column_form(column: &str, user: &MigratedUser, mfa_enabled: bool) -> String {
    let flag = |on: bool| if on { "TRUE" } else { "FALSE" }.to_string();
    match column {
        CSV_USERNAME => user.username.clone(),
        CSV_MFA_ENABLED => flag(mfa_enabled),
        name => match user.attribute(name) {
            None => String::new(),
            Some(value) if attributes::is_boolean(name) => flag(value == "true"),
            Some(value) if name == BIRTHDATE => {
                let (y, m, d) = parse_birthdate(value).expect("encode accepted the date");
                format!("{m:02}/{d:02}/{y:04}")
            }
            Some(value) => value.to_string(),
        },
    }
}

/// Writes `user`; asserts the row reads back exactly or the refusal is true of the value.
fn check_row(header: &ImportHeader, user: &MigratedUser, mfa_enabled: bool) {
    match header.encode(user, mfa_enabled) {
        Ok(row) => {
            let line = row
                .strip_suffix('\n')
                .expect("a row ends with its line break");
            assert!(!line.contains(['\n', '\r']), "raw line break in {line:?}");
            assert!(line.chars().count() <= MAX_ROW_CHARS, "row too long");
            let fields = decode_row(line);
            assert_eq!(fields.len(), header.columns().len(), "field count");
            for (column, field) in header.columns().iter().zip(&fields) {
                assert_eq!(field, &column_form(column, user, mfa_enabled), "{column}");
            }
        }
        Err(RejectReason::NotExpressibleInCsv { attribute, problem }) => {
            let value = match attribute.as_str() {
                CSV_USERNAME => user.username.clone(),
                name => user
                    .attribute(name)
                    .expect("a refused column has a value")
                    .into(),
            };
            let holds = match problem.as_str() {
                "contains a line break" => value.contains(['\n', '\r']),
                "has leading or trailing white space (the importer trims it)" => {
                    value.trim() != value
                }
                "starts with a double quote" => value.starts_with('"'),
                "ends with a backslash" => value.ends_with('\\'),
                "contains a backslash right before a comma" => value.contains("\\,"),
                "contains a control character" => {
                    value.chars().any(|c| c.is_control() && c != '\t')
                }
                other => panic!("undocumented refusal {other:?}"),
            };
            assert!(holds, "{attribute} {problem}: not true of {value:?}");
        }
        Err(RejectReason::RowTooLong { length }) => assert!(length > MAX_ROW_CHARS),
        Err(RejectReason::InvalidUsername { .. }) => {
            assert!(user.username.is_empty() || user.username.contains([' ', '\t']));
        }
        Err(RejectReason::InvalidValue { attribute, .. }) => {
            assert_eq!(attribute, BIRTHDATE);
            assert!(parse_birthdate(user.attribute(BIRTHDATE).unwrap_or_default()).is_none());
        }
        Err(other) => panic!("encode gave an unexpected reason: {other}"),
    }
}

/// A user handed straight to the writer (values no mapping would let through included), and a
/// raw line for the reader.
#[derive(Debug, Arbitrary)]
pub struct RowInput {
    rotation: u8,
    username: String,
    values: Vec<(u8, String)>,
    mfa_enabled: bool,
    raw_line: String,
}

impl RowInput {
    /// Writes the user and reads the raw line, asserting the writer's and reader's contract.
    pub fn check(self) {
        let user = MigratedUser {
            username: self.username,
            old_sub: String::new(),
            old_status: SourceStatus::Confirmed,
            enabled: true,
            attributes: self
                .values
                .into_iter()
                .map(|(index, value)| (name(index), value))
                .collect(),
            sms_mfa: false,
        };
        check_row(&header(self.rotation), &user, self.mfa_enabled);
        let unescaped = self.raw_line.replace("\\,", "").matches(',').count();
        assert_eq!(decode_row(&self.raw_line).len(), unescaped + 1);
    }
}

/// A mapping file (built as JSON, so `Mapping::parse` checks it) and an old-pool user.
#[derive(Debug, Arbitrary)]
pub struct MappingInput {
    legacy_sub_attribute: Option<u8>,
    rename: Vec<(u8, u8)>,
    drop: Vec<u8>,
    defaults: Vec<(u8, String)>,
    username: String,
    status: u8,
    sub: [u8; 16],
    attributes: Vec<(u8, String)>,
    sms: bool,
    rotation: u8,
    mfa_enabled: bool,
}

impl MappingInput {
    /// Maps the user and writes the result, asserting what a migrated user must look like.
    pub fn check(self) {
        let file = json!({
            "legacy_sub_attribute": self.legacy_sub_attribute.map(name),
            "rename": self.rename.iter().map(|&(from, to)| (name(from), json!(name(to))))
                .collect::<serde_json::Map<_, _>>(),
            "drop": self.drop.iter().map(|&n| name(n)).collect::<Vec<_>>(),
            "defaults": self.defaults.iter().map(|(n, v)| (name(*n), json!(v)))
                .collect::<serde_json::Map<_, _>>(),
        });
        let mapping = Mapping::parse(&file.to_string(), Path::new("<fuzz>")).unwrap_or_default();
        let statuses = [
            "CONFIRMED",
            "UNCONFIRMED",
            "FORCE_CHANGE_PASSWORD",
            "RESET_REQUIRED",
            "EXTERNAL_PROVIDER",
            "ARCHIVED",
        ];
        let status = statuses[usize::from(self.status) % statuses.len()];
        // Cognito's `sub` is a UUID it generates, and stays one here: `Mapping::apply` copies an
        // arbitrary `sub` into the legacy-sub attribute without normalising it (the first finding
        // of this target), which no real old pool can trigger.
        let sub: String = self.sub.iter().map(|b| format!("{b:02x}")).collect();
        let mut user =
            SourceUser::new(self.username, SourceStatus::parse(status)).with("sub", &sub);
        for (index, value) in self.attributes {
            let name = name(index);
            if name != attributes::SUB {
                user.attributes.insert(name, value);
            }
        }
        user.mfa.sms = self.sms;
        let Ok(migrated) = mapping.apply(&user) else {
            return;
        };
        assert_eq!(migrated.username, user.username);
        for (name, value) in &migrated.attributes {
            assert!(
                !attributes::NEVER_WRITABLE.contains(&name.as_str()),
                "{name}"
            );
            assert_eq!(normalize(name, value), Ok(Some(value.clone())), "{name}");
        }
        for (attribute, flag) in [
            ("email", "email_verified"),
            ("phone_number", "phone_number_verified"),
        ] {
            if migrated.attribute(flag) == Some("true") {
                assert!(
                    migrated.attribute(attribute).is_some(),
                    "{flag} without {attribute}"
                );
            }
        }
        check_row(&header(self.rotation), &migrated, self.mfa_enabled);
    }
}

/// The one user of the in-memory old pool, and the only password that proves it.
pub const ALICE: &str = "alice";
/// Alice's password (the one in `trigger/fixtures/user-migration-authentication.json`).
pub const ALICE_PASSWORD: &str = "Fixture-Passw0rd!";
const ALICE_EMAIL: &str = "alice@example.com";
const ALICE_PHONE: &str = "+15555550100";

/// An old pool that knows alice, by name or by verified email or phone, and her password.
struct OneUserPool;

fn alice() -> SourceUser {
    SourceUser::new(ALICE, SourceStatus::Confirmed)
        .with("sub", "0f1e2d3c-0000-4000-8000-000000000001")
        .with("email", ALICE_EMAIL)
        .with("email_verified", "true")
        .with("phone_number", ALICE_PHONE)
        .with("phone_number_verified", "true")
}

impl OldPool for OneUserPool {
    async fn get_user_with_factors(&self, name: &str) -> Result<Option<OldUser>, OldPoolError> {
        Ok((name == ALICE).then(|| OldUser {
            user: alice(),
            factors: EnrolledFactors::default(),
        }))
    }

    async fn find_by_alias(
        &self,
        kind: AliasKind,
        value: &str,
    ) -> Result<Vec<String>, OldPoolError> {
        let known = match kind {
            AliasKind::Email => ALICE_EMAIL,
            AliasKind::PhoneNumber => ALICE_PHONE,
        };
        Ok(if value == known {
            vec![ALICE.to_string()]
        } else {
            Vec::new()
        })
    }

    async fn authenticate(
        &self,
        username: &str,
        password: &Secret,
    ) -> Result<AuthOutcome, OldPoolError> {
        Ok(
            if username == ALICE && password.expose() == ALICE_PASSWORD {
                AuthOutcome::Authenticated
            } else {
                AuthOutcome::Refused(Refusal::NotAuthorized)
            },
        )
    }
}

fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .expect("a tokio runtime")
    })
}

/// Parses `event` and answers it as the trigger would, asserting: no panic, the in-memory pool
/// never fails so neither does the answer, nothing but `response` changes, a user is migrated only
/// under one of alice's names, and as `CONFIRMED` only with her password.
pub fn check_event(event: Value) {
    let parsed = MigrationRequest::parse(&event);
    if let Ok(request) = &parsed {
        assert!(!request.user_name.is_empty());
        assert!(
            !request
                .user_name
                .chars()
                .any(|c| c.is_whitespace() || c.is_control())
        );
    }
    let trigger = Trigger::new(OneUserPool, Mapping::default(), Options::default());
    let context = lambda_runtime::Context::default();
    let answer = runtime()
        .block_on(trigger.answer(event.clone(), &context))
        .expect("an old pool without faults gives an answer");
    if answer == event {
        return;
    }
    let request = parsed.expect("only a valid event is answered with a response");
    assert!(
        [ALICE, ALICE_EMAIL, ALICE_PHONE].contains(&request.user_name.as_str()),
        "migrated a user the old pool does not have: {:?}",
        request.user_name
    );
    let (mut before, mut after) = (event, answer);
    let status = after["response"]["finalUserStatus"].take();
    if status == "CONFIRMED" {
        assert_eq!(
            request.password.as_ref().map(Secret::expose),
            Some(ALICE_PASSWORD),
            "migrated as CONFIRMED without the right password"
        );
    }
    before
        .as_object_mut()
        .expect("an answered event is an object")
        .remove("response");
    after
        .as_object_mut()
        .expect("the answer is an object")
        .remove("response");
    assert_eq!(before, after, "only the response may change");
}
