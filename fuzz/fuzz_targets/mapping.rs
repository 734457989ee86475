//! Fuzz target: a mapping file and an old-pool user through `Mapping::parse`, `Mapping::apply`,
//! the value rules and the CSV writer. Oracle: `cognito_migrate_fuzz::MappingInput::check`.
#![no_main]

use cognito_migrate_fuzz::MappingInput;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: MappingInput| input.check());
