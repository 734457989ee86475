//! `cognito-migrate`: the bulk half of a Cognito user-pool migration.
//!
//! It reads the old pool through `ListUsers` (rate-limited, sharded, resumable) and writes the new
//! pool's CSV import files, using the attribute model of the `shared` crate so that users it exports
//! look exactly like users the trigger migrates.
//!
//! Not for: sign-in time migration (the `trigger` crate) or the attribute rules themselves
//! (`shared`).
#![deny(missing_docs)]

pub mod atomic_json;
pub mod aws;
pub mod cli;
pub mod errors;
pub mod export;
pub mod fingerprint;
pub mod fingerprint_set;
pub mod group_scan;
pub mod groups;
pub mod import;
pub mod pacer;
pub mod plan;
pub mod pools;
pub mod preflight;
pub mod progress;
pub mod report_csv;
pub mod scan;
pub mod shards;
pub mod signals;
pub mod target_index;
pub mod tenants;
pub mod verify;
