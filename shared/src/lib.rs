//! The one attribute model that `cognito-migrate` (bulk) and `cognito-migrate-trigger` share.
//!
//! A user read from the old pool ([`SourceUser`]) goes through one [`Mapping`] and comes out as a
//! [`MigratedUser`]: the attributes the new pool receives, whichever half of the toolkit moves the
//! user. The bulk half then writes that user as a row of Cognito's CSV import format
//! ([`import_csv`]); the trigger returns it as a UserMigration response. Because both halves call
//! the same [`Mapping::apply`], they cannot disagree on what a migrated user looks like.
//!
//! This crate knows nothing about clap, files, progress bars or Lambda. Its only network-shaped
//! part is [`from_sdk`], the one place where SDK types become model types.
//!
//! Not for: talking to Cognito (the binaries own their clients), or judging what a sign-in proves
//! (the password, a second factor: the trigger's decision logic). What the old user's record alone
//! says about who the trigger can carry is stated here once ([`trigger_reach`]), for the trigger,
//! `plan` and `status` alike.
#![deny(missing_docs)]

pub mod alias;
pub mod attributes;
pub mod case_index;
pub mod cognito_errors;
pub mod email_proof;
pub mod error_text;
pub mod from_sdk;
pub mod identity;
pub mod import_csv;
pub mod linked_identities;
pub mod mapping;
pub mod mapping_names;
pub mod partition;
pub mod pool_id;
pub mod reject;
pub mod schema_fit;
pub mod secret;
pub mod secret_hash;
pub mod sign_in;
pub mod target;
pub mod trigger_reach;
pub mod user;
pub mod validate;

pub use mapping::{Mapping, MappingError, MigratedUser};
pub use reject::RejectReason;
pub use secret::Secret;
pub use sign_in::PoolShape;
pub use target::TargetRules;
pub use user::{NotMigratable, SourceStatus, SourceUser};
