//! Fuzz target: any bytes as a UserMigration event, through the trigger's parser
//! (`MigrationRequest::parse`) and its whole answer with an in-memory old pool.
//! Oracle: `cognito_migrate_fuzz::check_event`. Seed it with `trigger/fixtures/`.
#![no_main]

use cognito_migrate_fuzz::check_event;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(event) = serde_json::from_slice(data) {
        check_event(event);
    }
});
