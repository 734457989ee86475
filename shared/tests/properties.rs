//! Property tests of the model against hostile data: the CSV import writer
//! ([`ImportHeader::encode`] / [`decode_row`]), the mapping ([`Mapping::apply`]) and the value rules
//! ([`validate::normalize`]).
//!
//! The claims, for any attribute value (arbitrary Unicode with commas, backslashes, quotes, CR/LF,
//! control characters, emoji, combining marks, strings longer than a row may be):
//! - a value either reads back exactly (in its documented column form) from the row written for
//!   it, or the user is refused with a reason that names the column and is true of the value;
//! - a written row has exactly as many fields as the header, one line break (its last character),
//!   and at most 16,000 characters before it;
//! - normalisation is idempotent, and mapping an already-migrated user changes nothing.
//!
//! 256 cases per property keep the whole file at a few seconds in a debug build; set
//! `PROPTEST_CASES` for a longer run.

use proptest::collection::{btree_map, vec};
use proptest::prelude::*;
use proptest::sample::select;
use proptest::strategy::ValueTree;
use shared::attributes::{self, BIRTHDATE, CSV_MFA_ENABLED, CSV_USERNAME, STANDARD};
use shared::import_csv::{ImportHeader, MAX_ROW_CHARS, decode_row};
use shared::validate::{self, normalize};
use shared::{Mapping, MigratedUser, RejectReason, SourceStatus, SourceUser};

/// Cases per property: `PROPTEST_CASES`, else 256.
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(256)
}

/// Characters of real-looking text that still trip naive CSV writers: separators, escapes,
/// quotes, inner spaces, emoji, combining marks and any other Unicode scalar.
fn text_char() -> impl Strategy<Value = char> + Clone {
    prop_oneof![
        8 => proptest::char::range('a', 'z'),
        2 => Just(','),
        1 => Just('\\'),
        1 => Just('"'),
        2 => Just(' '),
        2 => select(vec![
            '🦀', '😀', 'ж', '日', 'é', 'ß', '\u{301}', '\u{200d}', '\u{fffd}', '\u{10ffff}',
            '\u{a0}', '\u{2028}', '\u{feff}', '\u{200b}',
        ]),
        1 => any::<char>(),
    ]
}

/// Text plus what no text attribute should hold: line breaks and control characters.
fn hostile_char() -> impl Strategy<Value = char> + Clone {
    prop_oneof![
        6 => text_char(),
        1 => select(vec![
            '\n', '\r', '\t', '\u{0}', '\u{7}', '\u{1b}', '\u{7f}', '\u{85}', '\u{3000}',
        ]),
    ]
}

/// Strings of `chars`: mostly short, now and then past the 16,000-character row limit.
fn string_of(chars: impl Strategy<Value = char> + Clone) -> impl Strategy<Value = String> {
    prop_oneof![
        12 => vec(chars.clone(), 0..40).prop_map(String::from_iter),
        1 => (vec(chars, 1..6), 1_000usize..17_000).prop_map(|(unit, length)| {
            unit.into_iter().cycle().take(length).collect()
        }),
    ]
}

fn hostile_value() -> impl Strategy<Value = String> {
    string_of(hostile_char())
}

/// Surrounding white space, which the model trims.
fn padded(value: impl Strategy<Value = String>) -> impl Strategy<Value = String> {
    (
        select(vec!["", " ", "\t", "\u{a0}"]),
        value,
        select(vec!["", " ", "\n"]),
    )
        .prop_map(|(before, value, after)| format!("{before}{value}{after}"))
}

fn email() -> impl Strategy<Value = String> {
    (
        "[a-zA-Z0-9.+_-]{1,12}",
        "[a-z0-9-]{1,10}",
        select(vec!["com", "de", "example"]),
    )
        .prop_map(|(local, domain, tld)| format!("{local}@{domain}.{tld}"))
}

fn birthdate() -> impl Strategy<Value = String> {
    (0u32..10_000, 0u32..14, 0u32..32).prop_map(|(y, m, d)| format!("{y:04}-{m:02}-{d:02}"))
}

/// A value shaped for the attribute most of the time (so users are often accepted), anything
/// otherwise.
fn value_for(name: &str) -> BoxedStrategy<String> {
    let shaped = match name {
        "email" => email().boxed(),
        "phone_number" => "\\+[0-9]{1,16}".boxed(),
        "birthdate" => birthdate().boxed(),
        "updated_at" => any::<u64>().prop_map(|n| n.to_string()).boxed(),
        "email_verified" | "phone_number_verified" => {
            select(vec!["true", "TRUE", "False", "false", "yes", ""])
                .prop_map(String::from)
                .boxed()
        }
        _ => string_of(text_char()).boxed(),
    };
    prop_oneof![3 => padded(shaped), 1 => hostile_value()].boxed()
}

/// Attribute names as an old pool may return them, `sub` and `identities` included.
fn attribute_name() -> impl Strategy<Value = String> {
    let mut names: Vec<&str> = STANDARD.to_vec();
    names.extend([
        "identities",
        "custom:note",
        "custom:tenant",
        "custom:legacy_sub",
    ]);
    select(names).prop_map(String::from)
}

/// Cognito's `sub`: a UUID it generates. Only this shape is tried: `Mapping::apply` copies the
/// `sub` into the legacy-`sub` attribute without normalising it, so an arbitrary `sub` (which
/// Cognito never returns) would break the "attributes are normalised" property.
fn sub() -> impl Strategy<Value = String> {
    "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
}

fn status() -> impl Strategy<Value = SourceStatus> {
    select(vec![
        "CONFIRMED",
        "UNCONFIRMED",
        "FORCE_CHANGE_PASSWORD",
        "RESET_REQUIRED",
        "EXTERNAL_PROVIDER",
        "ARCHIVED",
    ])
    .prop_map(SourceStatus::parse)
}

fn username() -> impl Strategy<Value = String> {
    prop_oneof![4 => "[a-z0-9._@+-]{1,20}", 1 => hostile_value()]
}

fn source_user() -> impl Strategy<Value = SourceUser> {
    (
        username(),
        status(),
        any::<bool>(),
        sub(),
        vec(
            attribute_name().prop_flat_map(|n| (Just(n.clone()), value_for(&n))),
            0..8,
        ),
    )
        .prop_map(|(username, status, sms, sub, attributes)| {
            let mut user = SourceUser::new(username, status).with("sub", &sub);
            user.attributes.extend(attributes);
            user.mfa.sms = sms;
            user
        })
}

/// Mappings that rename, drop and default, all of them valid (as `Mapping::parse` demands).
fn mapping() -> impl Strategy<Value = Mapping> {
    let custom =
        || select(vec!["custom:note", "custom:tenant", "custom:other"]).prop_map(String::from);
    (
        any::<bool>(),
        btree_map(custom(), custom(), 0..2),
        proptest::collection::btree_set(attribute_name(), 0..3),
        btree_map(
            select(vec!["locale", "custom:tenant", "zoneinfo"]).prop_map(String::from),
            "[A-Za-z/_-]{1,12}",
            0..2,
        ),
    )
        .prop_map(|(legacy, rename, drop, defaults)| {
            let mapping = Mapping {
                rename,
                drop,
                defaults,
                ..Mapping::default()
            };
            if legacy {
                mapping
            } else {
                mapping.without_legacy_sub()
            }
        })
}

/// Headers as `GetCSVHeader` returns them, in any column order.
fn header() -> impl Strategy<Value = ImportHeader> {
    let mut columns: Vec<String> = STANDARD.iter().map(|s| s.to_string()).collect();
    columns.extend(
        [
            CSV_USERNAME,
            CSV_MFA_ENABLED,
            "custom:note",
            "custom:tenant",
            "custom:other",
            "custom:legacy_sub",
        ]
        .map(String::from),
    );
    Just(columns)
        .prop_shuffle()
        .prop_map(|c| ImportHeader::new(c).expect("has the cognito columns"))
}

/// The value a column must read back as: the documented column form of the attribute.
fn column_form(column: &str, user: &MigratedUser, mfa_enabled: bool) -> String {
    let flag = |on: bool| if on { "TRUE" } else { "FALSE" }.to_string();
    match column {
        CSV_USERNAME => user.username.clone(),
        CSV_MFA_ENABLED => flag(mfa_enabled),
        name => match user.attribute(name) {
            None => String::new(),
            Some(value) if attributes::is_boolean(name) => flag(value == "true"),
            Some(value) if name == BIRTHDATE => {
                let (y, m, d) = validate::parse_birthdate(value).expect("encode accepted it");
                format!("{m:02}/{d:02}/{y:04}")
            }
            Some(value) => value.to_string(),
        },
    }
}

/// The raw value `encode` writes into a column, before escaping.
fn column_value(column: &str, user: &MigratedUser) -> Option<String> {
    match column {
        CSV_USERNAME => Some(user.username.clone()),
        name => user.attribute(name).map(String::from),
    }
}

/// Checks that a CSV refusal names a real column and that what it says is true of that value.
fn assert_refusal_is_true(header: &ImportHeader, user: &MigratedUser, reason: &RejectReason) {
    let text = reason.to_string();
    match reason {
        RejectReason::NotExpressibleInCsv { attribute, problem } => {
            assert!(text.contains(attribute.as_str()), "{text}");
            assert!(
                header.columns().contains(attribute),
                "{attribute} is a column"
            );
            let value = column_value(attribute, user).expect("the named column has a value");
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
                other => panic!("undocumented refusal {other:?} for {attribute}"),
            };
            assert!(holds, "{text}: not true of {value:?}");
        }
        RejectReason::RowTooLong { length } => assert!(*length > MAX_ROW_CHARS, "{text}"),
        RejectReason::InvalidUsername { .. } => {
            assert!(user.username.is_empty() || user.username.contains([' ', '\t']));
        }
        RejectReason::InvalidValue { attribute, .. } => {
            assert_eq!(attribute, BIRTHDATE, "{text}");
            assert!(validate::parse_birthdate(user.attribute(BIRTHDATE).unwrap()).is_none());
        }
        other => panic!("encode gave an unexpected reason: {other}"),
    }
}

/// Encodes `user`; either the row reads back exactly and is well formed, or the refusal is true.
fn check_encode(header: &ImportHeader, user: &MigratedUser, mfa_enabled: bool) -> bool {
    match header.encode(user, mfa_enabled) {
        Ok(row) => {
            let line = row
                .strip_suffix('\n')
                .expect("a row ends with its line break");
            assert!(!line.contains(['\n', '\r']), "raw line break in {line:?}");
            assert!(line.chars().count() <= MAX_ROW_CHARS);
            let fields = decode_row(line);
            assert_eq!(
                fields.len(),
                header.columns().len(),
                "field count of {line:?}"
            );
            for (column, field) in header.columns().iter().zip(&fields) {
                assert_eq!(
                    field,
                    &column_form(column, user, mfa_enabled),
                    "{column} does not round-trip through {line:?}"
                );
            }
            true
        }
        Err(reason) => {
            assert_refusal_is_true(header, user, &reason);
            false
        }
    }
}

/// A migrated user built directly, so the writer sees values no mapping would produce.
fn migrated_user() -> impl Strategy<Value = MigratedUser> {
    let column = select(vec![
        "custom:note",
        "custom:tenant",
        "custom:other",
        "name",
        "nickname",
        "address",
        "email_verified",
        "birthdate",
    ])
    .prop_flat_map(|name| (Just(name.to_string()), value_for(name)));
    (username(), vec(column, 0..6), any::<bool>()).prop_map(|(username, values, enabled)| {
        MigratedUser {
            username,
            old_sub: String::new(),
            old_status: SourceStatus::Confirmed,
            enabled,
            attributes: values.into_iter().collect(),
            sms_mfa: false,
        }
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    #[test]
    fn any_value_round_trips_through_a_row_or_is_refused_truthfully(
        header in header(),
        user in migrated_user(),
        mfa_enabled in any::<bool>(),
    ) {
        check_encode(&header, &user, mfa_enabled);
    }

    #[test]
    fn normalisation_is_idempotent_and_only_trims_and_lowercases_booleans(
        name in attribute_name(),
        value in attribute_name().prop_flat_map(|n| value_for(&n)),
    ) {
        match normalize(&name, &value) {
            Ok(Some(normal)) => {
                prop_assert_eq!(normalize(&name, &normal), Ok(Some(normal.clone())));
                if attributes::is_boolean(&name) {
                    prop_assert!(normal == "true" || normal == "false");
                } else {
                    prop_assert_eq!(normal.as_str(), value.trim());
                }
            }
            Ok(None) => prop_assert!(value.trim().is_empty()),
            Err(reason) => prop_assert!(reason.to_string().starts_with(&name), "{}", reason),
        }
    }

    #[test]
    fn mapping_gives_normalised_attributes_or_a_reason_naming_one(
        mapping in mapping(),
        user in source_user(),
    ) {
        match mapping.apply(&user) {
            Ok(migrated) => {
                prop_assert!(user.status != SourceStatus::ExternalProvider);
                prop_assert_eq!(&migrated.username, &user.username);
                prop_assert_eq!(migrated.old_sub.as_str(), user.sub());
                for (name, value) in &migrated.attributes {
                    prop_assert!(!attributes::NEVER_WRITABLE.contains(&name.as_str()), "{}", name);
                    prop_assert_eq!(normalize(name, value), Ok(Some(value.clone())), "{}", name);
                }
                for (name, value) in &user.attributes {
                    let target = mapping.rename.get(name).unwrap_or(name);
                    let carried = !attributes::NEVER_WRITABLE.contains(&name.as_str())
                        && !mapping.drop.contains(name);
                    if let (true, Ok(Some(normal))) = (carried, normalize(target, value)) {
                        prop_assert_eq!(migrated.attribute(target), Some(normal.as_str()), "{}", target);
                    }
                }
                for (attribute, flag) in [("email", "email_verified"), ("phone_number", "phone_number_verified")] {
                    if migrated.attribute(flag) == Some("true") {
                        prop_assert!(migrated.attribute(attribute).is_some());
                    }
                }
                prop_assert_eq!(migrated.sms_mfa, user.mfa.sms && migrated.attribute("phone_number").is_some());
            }
            Err(RejectReason::Federated) => prop_assert_eq!(&user.status, &SourceStatus::ExternalProvider),
            Err(reason @ (RejectReason::InvalidValue { .. }
                | RejectReason::TooLong { .. }
                | RejectReason::VerifiedWithoutValue { .. })) => {
                let (RejectReason::InvalidValue { attribute, .. }
                | RejectReason::TooLong { attribute, .. }
                | RejectReason::VerifiedWithoutValue { attribute }) = &reason else {
                    unreachable!()
                };
                prop_assert!(reason.to_string().contains(attribute.as_str()));
                let named = user.attributes.keys().any(|n| mapping.rename.get(n).unwrap_or(n) == attribute)
                    || mapping.defaults.contains_key(attribute)
                    || attribute == "email"
                    || attribute == "phone_number";
                prop_assert!(named, "{} names an attribute the user does not have", reason);
            }
            Err(other) => prop_assert!(false, "unexpected reason from the mapping: {}", other),
        }
    }

    #[test]
    fn mapping_a_migrated_user_again_changes_nothing(user in source_user()) {
        if let Ok(migrated) = Mapping::default().apply(&user) {
            let mut again = SourceUser::new(migrated.username.clone(), migrated.old_status.clone())
                .with("sub", &migrated.old_sub);
            again.attributes.extend(migrated.attributes.clone());
            let twice = Mapping::default().apply(&again).expect("a migrated user maps again");
            prop_assert_eq!(twice.attributes, migrated.attributes);
        }
    }

    #[test]
    fn a_mapped_user_is_written_exactly_or_refused_truthfully(
        header in header(),
        mapping in mapping(),
        user in source_user(),
        mfa_enabled in any::<bool>(),
    ) {
        if let Ok(migrated) = mapping.apply(&user) {
            check_encode(&header, &migrated, mfa_enabled);
        }
    }

    #[test]
    fn decoding_never_panics_and_splits_on_unescaped_commas(line in hostile_value()) {
        let fields = decode_row(&line);
        let unescaped = line.replace("\\,", "").matches(',').count();
        prop_assert_eq!(fields.len(), unescaped + 1);
    }
}

/// Without this, generators that produced only refusals would make every property above pass
/// vacuously: about half of the generated users must map, and a third of those must be written.
#[test]
fn the_generators_produce_enough_writable_users() {
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = (header(), source_user());
    let (mut written, mut mapped, total) = (0, 0, 300);
    for _ in 0..total {
        let (header, user) = strategy.new_tree(&mut runner).unwrap().current();
        if let Ok(migrated) = Mapping::default().apply(&user) {
            mapped += 1;
            written += usize::from(check_encode(&header, &migrated, false));
        }
    }
    assert!(mapped * 3 >= total, "only {mapped} of {total} users mapped");
    assert!(
        written * 3 >= mapped,
        "only {written} of {mapped} users written"
    );
}
