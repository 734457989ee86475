//! Fuzz target: the CSV import writer and reader (`ImportHeader::encode`, `decode_row`) with any
//! user name and attribute values. Oracle: `cognito_migrate_fuzz::RowInput::check`.
#![no_main]

use cognito_migrate_fuzz::RowInput;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: RowInput| input.check());
