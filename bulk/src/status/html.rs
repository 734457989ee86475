//! The status report as one self-contained HTML page (`--html`): inline CSS, inline SVG charts
//! drawn here, no script and nothing fetched, so it opens from a file or an e-mail attachment.
//! Every string put into the page goes through [`escape`].

use std::fmt::Write;

use super::chart::{self, AT_SIGN_IN, IMPORTED, MIGRATED, REMAINING, STRANDED};
use super::report::{ImportedToldBy, StatusReport, percent};

const STYLE: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:24px auto;max-width:800px;color:#111827;background:#fff}\
h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px}\
.pools{color:#4b5563;margin:0 0 16px}\
.cards{display:grid;grid-template-columns:repeat(4,1fr);gap:10px}\
.card{border:1px solid #e5e7eb;border-radius:8px;padding:10px 12px;border-top:5px solid #9ca3af}\
.card .value{font-size:28px;font-weight:700}.card .label{color:#4b5563;font-size:14px}\
.legend{display:flex;gap:18px;flex-wrap:wrap;margin:8px 0;font-size:14px}\
.swatch{display:inline-block;width:12px;height:12px;border-radius:2px;margin-right:6px;vertical-align:-1px}\
table{border-collapse:collapse;font-size:14px;margin-top:6px}td,th{padding:3px 12px 3px 0;text-align:left}\
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}\
.note{color:#4b5563;font-size:13px;margin-top:24px}";

/// Text made safe for HTML element content and quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A count with its thousands separated (`12,345`), for reading at a glance.
fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// One headline number.
fn card(out: &mut String, id: &str, value: &str, label: &str, colour: &str) {
    let _ = write!(
        out,
        r#"<div class="card" id="{id}" style="border-top-color:{colour}"><div class="value">{value}</div><div class="label">{label}</div></div>"#,
        id = escape(id),
        value = escape(value),
        label = escape(label),
        colour = escape(colour),
    );
}

fn legend(out: &mut String, items: &[(&str, String, &str)]) {
    out.push_str(r#"<div class="legend">"#);
    for (label, value, colour) in items {
        let _ = write!(
            out,
            r#"<span><span class="swatch" style="background:{}"></span>{}: {}</span>"#,
            escape(colour),
            escape(label),
            escape(value)
        );
    }
    out.push_str("</div>");
}

/// The whole page.
pub fn page(report: &StatusReport) -> String {
    let old = &report.old_users;
    let new = &report.new_users;
    let title = format!(
        "Migration status {} → {}",
        report.source_pool_id, report.target_pool_id
    );
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title><style>{STYLE}</style></head><body>"#,
        title = escape(&title)
    );
    let _ = write!(
        out,
        r#"<h1>Migration status</h1><p class="pools">old pool <b>{}</b> → new pool <b>{}</b></p>"#,
        escape(&report.source_pool_id),
        escape(&report.target_pool_id)
    );
    out.push_str(r#"<div class="cards">"#);
    let migrated = format!("migrated ({:.1}% of old users)", report.migrated_percent());
    let cards = [
        ("old-total", old.total, "old users", "#9ca3af"),
        ("migrated", old.migrated, migrated.as_str(), MIGRATED),
        (
            "remaining",
            old.remaining,
            "remaining (trigger moves them at sign-in)",
            REMAINING,
        ),
        (
            "stranded",
            old.stranded,
            "stranded (trigger never moves them)",
            STRANDED,
        ),
        ("new-total", new.total, "new users", "#9ca3af"),
        ("imported", new.imported, "imported", IMPORTED),
        (
            "migrated-at-sign-in",
            new.migrated_at_sign_in,
            "migrated at sign-in",
            AT_SIGN_IN,
        ),
        (
            "signed-up",
            new.signed_up,
            "signed up (no old user)",
            "#9ca3af",
        ),
    ];
    for (id, n, label, colour) in cards {
        card(&mut out, id, &grouped(n), label, colour);
    }
    out.push_str("</div>");

    out.push_str("<h2>Old users by state</h2>");
    out.push_str(&chart::old_users_bar(old));
    let share = |n: u64| format!("{n} ({:.1}%)", percent(n, old.total));
    legend(
        &mut out,
        &[
            ("migrated", share(old.migrated), MIGRATED),
            ("remaining", share(old.remaining), REMAINING),
            ("stranded", share(old.stranded), STRANDED),
        ],
    );
    if !old.stranded_by_reason.is_empty() {
        out.push_str(r#"<table id="stranded-by-reason"><tr><th>stranded because</th><th class="n">users</th></tr>"#);
        for (reason, n) in &old.stranded_by_reason {
            let _ = write!(
                out,
                r#"<tr><td>{}</td><td class="n">{n}</td></tr>"#,
                escape(reason)
            );
        }
        out.push_str("</table>");
    }

    out.push_str("<h2>Migrations per day</h2>");
    out.push_str(&chart::per_day_chart(&report.per_day));
    legend(
        &mut out,
        &[
            ("imported", new.imported.to_string(), IMPORTED),
            (
                "migrated at sign-in",
                new.migrated_at_sign_in.to_string(),
                AT_SIGN_IN,
            ),
        ],
    );
    if !report.per_day.is_empty() {
        out.push_str(r#"<table id="per-day"><tr><th>created (UTC)</th><th class="n">imported</th><th class="n">at sign-in</th><th class="n">signed up</th></tr>"#);
        for day in &report.per_day {
            let _ = write!(
                out,
                r#"<tr><td>{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td></tr>"#,
                escape(&day.date),
                day.imported,
                day.migrated_at_sign_in,
                day.signed_up
            );
        }
        out.push_str("</table>");
    }
    out.push_str("<h2>Sign-in factors</h2>");
    out.push_str(r#"<table id="factors"><tr><th>users</th><th class="n">count</th></tr>"#);
    report.factors.lines(old.total, |label: &str, n: u64| {
        let _ = write!(
            out,
            r#"<tr><td>{}</td><td class="n">{n}</td></tr>"#,
            escape(label.trim_start())
        );
    });
    out.push_str("</table>");
    let told_by = match report.imported_told_by {
        ImportedToldBy::ExportFolder => "listed in the export folder",
        ImportedToldBy::Status => {
            "in RESET_REQUIRED or FORCE_CHANGE_PASSWORD with an old counterpart (pass --dir for the exact count)"
        }
    };
    let _ = write!(
        out,
        r#"<p class="note">Imported users are those {}. Days are the new pool's UserCreateDate (UTC); the chart shows at most the last {} days.</p></body></html>"#,
        escape(told_by),
        chart::MAX_DAYS
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::status::classify::{Arrival, OldState};

    #[test]
    fn markup_characters_are_escaped() {
        assert_eq!(
            escape(r#"<script>alert("x" & 'y')</script>"#),
            "&lt;script&gt;alert(&quot;x&quot; &amp; &#39;y&#39;)&lt;/script&gt;"
        );
        assert_eq!(escape("eu-west-1_abc"), "eu-west-1_abc");
    }

    #[test]
    fn the_page_is_self_contained_and_escapes_what_it_is_given() {
        let mut report = StatusReport::new("<old>", "new&pool", ImportedToldBy::ExportFolder);
        report.add_old(OldState::Migrated);
        report.add_old(OldState::Stranded("<b>odd</b>"));
        report.add_new([(20_000, Arrival::Imported)]);
        let html = page(&report);
        assert!(html.starts_with("<!DOCTYPE html>"));
        assert!(!html.contains("<script"), "no script");
        for fetching in ["src=", "href=", "<link", "url(", "@import"] {
            assert!(!html.contains(fetching), "nothing fetched: {fetching}");
        }
        assert!(!html.contains("<old>") && html.contains("&lt;old&gt;"));
        assert!(html.contains("new&amp;pool"));
        assert!(!html.contains("<b>odd</b>") && html.contains("&lt;b&gt;odd&lt;/b&gt;"));
        assert!(html.contains(
            r#"id="migrated" style="border-top-color:#15803d"><div class="value">1</div><div class="label">migrated (50.0% of old users)</div>"#
        ));
        assert_eq!(html.matches("<svg").count(), 2);
    }

    #[test]
    fn counts_are_grouped_by_thousands() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1_000), "1,000");
        assert_eq!(grouped(1_234_567), "1,234,567");
    }
}
