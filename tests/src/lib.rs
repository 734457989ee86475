//! Test support for the end-to-end tests in `tests/tests/`: where the emulators run, SDK clients
//! pointed at them, pool seeding, and where the built binaries are.
//!
//! The emulators are started by `scripts/testbed start` (or `scripts/test`, which also stops
//! them); their addresses reach the tests through the `TESTBED_*` variables in `.testbed/env`.

pub mod cli;
pub mod companion_events;
pub mod export_files;
pub mod factors;
pub mod federation;
pub mod import_support;
pub mod lambda;
pub mod pools;
pub mod report_rows;
pub mod shapes;
pub mod synthetic_pool;
pub mod testbed;
pub mod tokens;
pub mod trigger_support;
pub mod unreachable;
