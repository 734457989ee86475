//! The status report as a terminal table (the default output).

use std::fmt::Write;

use super::report::{ImportedToldBy, StatusReport, percent};

/// Width of the label column.
const LABEL: usize = 52;

/// The report as lines of text, ending with a line break.
pub fn table(report: &StatusReport) -> String {
    let mut out = String::new();
    let old = &report.old_users;
    let new = &report.new_users;
    let _ = writeln!(
        out,
        "migration status {} -> {}",
        report.source_pool_id, report.target_pool_id
    );
    let _ = writeln!(
        out,
        "  {:<LABEL$} {:>9} {:>7}",
        "old pool", "users", "share"
    );
    let mut share = |label: &str, n: u64| {
        let _ = writeln!(
            out,
            "    {label:<w$} {n:>9} {:>6.1}%",
            percent(n, old.total),
            w = LABEL - 2
        );
    };
    share("migrated (in the new pool)", old.migrated);
    share(
        "remaining (the trigger moves them at sign-in)",
        old.remaining,
    );
    share("stranded (the trigger never moves them)", old.stranded);
    for (reason, n) in &old.stranded_by_reason {
        let _ = writeln!(out, "      {reason:<w$} {n:>9}", w = LABEL - 4);
    }
    let _ = writeln!(out, "    {:<w$} {:>9}", "total", old.total, w = LABEL - 2);
    let identities = &report.identities;
    if identities.federated + identities.native_with_links > 0 {
        for (label, n) in [
            ("federated (carried by links)", identities.federated_carried),
            ("federated, in all", identities.federated),
            (
                "native, linked to identity providers",
                identities.native_with_links,
            ),
        ] {
            let _ = writeln!(out, "    {label:<w$} {n:>9}", w = LABEL - 2);
        }
    }
    let _ = writeln!(out, "  {:<LABEL$} {:>9}", "new pool", "users");
    let told_by = match report.imported_told_by {
        ImportedToldBy::ExportFolder => "imported (listed in the export folder)",
        ImportedToldBy::Status => "imported (RESET_REQUIRED / FORCE_CHANGE_PASSWORD)",
    };
    for (label, n) in [
        (told_by, new.imported),
        ("migrated at sign-in", new.migrated_at_sign_in),
        ("signed up (no old user)", new.signed_up),
        ("total", new.total),
    ] {
        let _ = writeln!(out, "    {label:<w$} {n:>9}", w = LABEL - 2);
    }
    if !report.per_day.is_empty() {
        let _ = writeln!(
            out,
            "  {:<w$} {:>9} {:>10} {:>9}",
            "created per day (UTC)",
            "imported",
            "at sign-in",
            "signed up",
            w = LABEL - 11
        );
        for day in &report.per_day {
            let _ = writeln!(
                out,
                "    {:<w$} {:>9} {:>10} {:>9}",
                day.date,
                day.imported,
                day.migrated_at_sign_in,
                day.signed_up,
                w = LABEL - 13
            );
        }
    }
    factors(&mut out, report);
    out
}

/// The factor groups, as [`FactorStatus::lines`](super::factors::FactorStatus::lines) names them.
fn factors(out: &mut String, report: &StatusReport) {
    report
        .factors
        .lines(report.old_users.total, |label: &str, n: u64| {
            let _ = writeln!(out, "    {label:<w$} {n:>9}", w = LABEL - 2);
        });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::status::classify::{Arrival, OldState};

    #[test]
    fn every_number_has_a_labelled_line() {
        let mut report =
            StatusReport::new("eu-west-1_old", "eu-west-1_new", ImportedToldBy::Status);
        report.add_old(OldState::Migrated);
        report.add_old(OldState::Stranded("unconfirmed"));
        report.add_new([(20_000, Arrival::MigratedAtSignIn)]);
        let text = table(&report);
        assert!(text.starts_with("migration status eu-west-1_old -> eu-west-1_new\n"));
        let line = |label: &str| {
            text.lines()
                .find(|l| l.trim_start().starts_with(label))
                .unwrap_or_else(|| panic!("no {label} line in\n{text}"))
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        };
        assert!(line("migrated (in").ends_with(" 1 50.0%"));
        assert!(line("unconfirmed").ends_with(" 1"));
        assert!(line("migrated at sign-in").ends_with(" 1"));
        assert_eq!(line("2024-10-04"), "2024-10-04 0 1 0");
    }
}
