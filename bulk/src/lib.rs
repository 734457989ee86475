//! `cognito-migrate`: the bulk half of a Cognito user-pool migration.
//!
//! It reads the old pool through `ListUsers` (rate-limited, sharded, resumable) and writes the new
//! pool's CSV import files, using the attribute model of the `shared` crate so that users it exports
//! look exactly like users the trigger migrates.
//!
//! Not for: sign-in time migration (the `trigger` crate) or the attribute rules themselves
//! (`shared`).
#![deny(missing_docs)]

pub(crate) mod atomic_json;
pub(crate) mod auth_factors;
pub(crate) mod aws;
pub(crate) mod canary;
pub(crate) mod case_index;
pub(crate) mod classify;
pub mod cli;
pub(crate) mod counted;
pub(crate) mod destinations;
pub(crate) mod disk_table;
pub(crate) mod email_mfa_carry;
pub(crate) mod errors;
pub(crate) mod export;
pub(crate) mod export_dir;
pub(crate) mod fingerprint;
pub(crate) mod group_scan;
pub(crate) mod groups;
pub(crate) mod id_map;
pub(crate) mod import;
pub(crate) mod in_order;
pub(crate) mod json_report;
pub(crate) mod links;
pub(crate) mod mapping_file;
pub(crate) mod new_pool_template;
pub(crate) mod old_pool_sign_up;
pub(crate) mod pace;
pub(crate) mod pacer;
pub(crate) mod plan;
pub(crate) mod pool_args;
pub(crate) mod pools;
pub(crate) mod preflight;
pub(crate) mod private_files;
pub(crate) mod progress;
pub(crate) mod proven_user;
pub(crate) mod report_args;
pub(crate) mod report_csv;
pub(crate) mod scan;
pub(crate) mod seen_users;
pub(crate) mod shards;
pub(crate) mod signals;
pub(crate) mod status;
pub(crate) mod target_index;
pub(crate) mod user_lookup;
pub(crate) mod verify;
pub(crate) mod versioned_state;
pub(crate) mod writable;
