//! The two charts of the HTML page, drawn as inline SVG: the old users as one bar split by state,
//! and the migrations per day as stacked columns (imported, migrated at sign-in). Every number is
//! also written as text, so the page reads without the pictures.

use std::fmt::Write;

use super::html::escape;
use super::report::{DayCount, OldUsers, percent};

/// Colours: migrated, remaining, stranded; imported, at sign-in.
pub const MIGRATED: &str = "#15803d";
/// Remaining users' colour.
pub const REMAINING: &str = "#d97706";
/// Stranded users' colour.
pub const STRANDED: &str = "#b91c1c";
/// Imported users' colour.
pub const IMPORTED: &str = "#64748b";
/// Users migrated at sign-in: colour.
pub const AT_SIGN_IN: &str = "#2563eb";

/// The most days the column chart shows (the latest ones).
pub const MAX_DAYS: usize = 92;

const WIDTH: f64 = 760.0;

/// The old users as one horizontal bar: migrated, remaining, stranded.
pub fn old_users_bar(old: &OldUsers) -> String {
    let height = 44.0;
    let mut svg = format!(
        r#"<svg class="chart" role="img" aria-label="old users by state" viewBox="0 0 {WIDTH} {height}" width="100%" xmlns="http://www.w3.org/2000/svg">"#
    );
    let parts = [
        ("migrated", old.migrated, MIGRATED),
        ("remaining", old.remaining, REMAINING),
        ("stranded", old.stranded, STRANDED),
    ];
    if old.total == 0 {
        let _ = write!(
            svg,
            r##"<rect x="0" y="0" width="{WIDTH}" height="{height}" fill="#e5e7eb"/><text x="{x}" y="27" text-anchor="middle" fill="#374151">no users in the old pool</text>"##,
            x = WIDTH / 2.0
        );
    }
    let mut x = 0.0;
    for (label, n, colour) in parts {
        if n == 0 || old.total == 0 {
            continue;
        }
        let width = WIDTH * n as f64 / old.total as f64;
        let share = percent(n, old.total);
        let _ = write!(
            svg,
            r#"<rect x="{x:.2}" y="0" width="{width:.2}" height="{height}" fill="{colour}"><title>{label}: {n} ({share:.1}%)</title></rect>"#
        );
        let text = format!("{share:.0}% {label}");
        if width >= label_width(&text) {
            let _ = write!(
                svg,
                r##"<text x="{tx:.2}" y="27" text-anchor="middle" fill="#fff" font-weight="600">{text}</text>"##,
                tx = x + width / 2.0
            );
        }
        x += width;
    }
    svg.push_str("</svg>");
    svg
}

/// The new users created per day, oldest first, with the days between filled with zeros: at most
/// the last [`MAX_DAYS`] days.
pub fn continuous_days(days: &[DayCount]) -> Vec<DayCount> {
    let (Some(first), Some(last)) = (days.first(), days.last()) else {
        return Vec::new();
    };
    let start = first.day.max(last.day.saturating_sub(MAX_DAYS as u32 - 1));
    let mut filled = Vec::new();
    let mut given = days.iter().filter(|d| d.day >= start).peekable();
    for day in start..=last.day {
        match given.next_if(|d| d.day == day) {
            Some(count) => filled.push(count.clone()),
            None => filled.push(DayCount {
                date: super::report::date_of(day),
                day,
                ..DayCount::default()
            }),
        }
    }
    filled
}

/// Migrations per day as columns: imported at the bottom, migrated at sign-in on top.
pub fn per_day_chart(days: &[DayCount]) -> String {
    let days = continuous_days(days);
    // The right margin leaves room for half of the last date label, centred under its column.
    let (height, top, bottom, left, right) = (260.0, 16.0, 44.0, 48.0, 44.0);
    let plot_width = WIDTH - left - right;
    let plot_height = height - top - bottom;
    let mut svg = format!(
        r#"<svg class="chart" role="img" aria-label="migrations per day" viewBox="0 0 {WIDTH} {height}" width="100%" xmlns="http://www.w3.org/2000/svg">"#
    );
    let most = days.iter().map(DayCount::migrations).max().unwrap_or(0);
    if most == 0 {
        let _ = write!(
            svg,
            r##"<text x="{x}" y="{y}" text-anchor="middle" fill="#374151">no migrations yet</text></svg>"##,
            x = WIDTH / 2.0,
            y = height / 2.0
        );
        return svg;
    }
    let scale = axis_top(most);
    let y_of = |n: f64| top + plot_height - plot_height * n / scale as f64;
    for tick in [0, scale / 2, scale] {
        let y = y_of(tick as f64);
        let _ = write!(
            svg,
            r##"<line x1="{left}" x2="{x2}" y1="{y:.2}" y2="{y:.2}" stroke="#d1d5db"/><text x="{tx}" y="{ty:.2}" text-anchor="end" font-size="12" fill="#374151">{tick}</text>"##,
            x2 = WIDTH - right,
            tx = left - 6.0,
            ty = y + 4.0
        );
    }
    let slot = plot_width / days.len() as f64;
    let bar = (slot * 0.7).min(48.0);
    let label_every = days.len().div_ceil(8);
    for (i, day) in days.iter().enumerate() {
        let x = left + slot * i as f64 + (slot - bar) / 2.0;
        let date = escape(&day.date);
        let mut base = 0.0;
        for (n, colour) in [
            (day.imported, IMPORTED),
            (day.migrated_at_sign_in, AT_SIGN_IN),
        ] {
            if n == 0 {
                continue;
            }
            let (y0, y1) = (y_of(base), y_of(base + n as f64));
            let _ = write!(
                svg,
                r#"<rect x="{x:.2}" y="{y1:.2}" width="{bar:.2}" height="{h:.2}" fill="{colour}"><title>{date}: {imported} imported, {signed} migrated at sign-in</title></rect>"#,
                h = y0 - y1,
                imported = day.imported,
                signed = day.migrated_at_sign_in
            );
            base += n as f64;
        }
        if day.migrations() > 0 && bar >= 14.0 {
            let _ = write!(
                svg,
                r##"<text x="{cx:.2}" y="{y:.2}" text-anchor="middle" font-size="12" fill="#111827">{n}</text>"##,
                cx = x + bar / 2.0,
                y = y_of(base) - 4.0,
                n = day.migrations()
            );
        }
        // Counted from the last day, so the latest is always labelled.
        if (days.len() - 1 - i).is_multiple_of(label_every) {
            let _ = write!(
                svg,
                r##"<text x="{cx:.2}" y="{y}" text-anchor="middle" font-size="12" fill="#374151">{date}</text>"##,
                cx = x + bar / 2.0,
                y = height - bottom + 18.0
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

/// About how wide `text` is in the bar's bold 16px type, with a margin.
fn label_width(text: &str) -> f64 {
    text.chars().count() as f64 * 9.5 + 16.0
}

/// A round top for the value axis at or above `most`: 2, 4 or 10 × 10ⁿ, so its half is whole.
fn axis_top(most: u64) -> u64 {
    let mut unit = 1;
    loop {
        for step in [2, 4, 10] {
            if step * unit >= most {
                return step * unit;
            }
        }
        unit *= 10;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(day: u32, imported: u64, at_sign_in: u64) -> DayCount {
        DayCount {
            date: super::super::report::date_of(day),
            imported,
            migrated_at_sign_in: at_sign_in,
            signed_up: 0,
            day,
        }
    }

    #[test]
    fn the_axis_ends_on_a_round_even_number() {
        assert_eq!(axis_top(1), 2);
        assert_eq!(axis_top(3), 4);
        assert_eq!(axis_top(7), 10);
        assert_eq!(axis_top(11), 20);
        assert_eq!(axis_top(390), 400);
    }

    #[test]
    fn missing_days_are_drawn_as_zero_and_only_the_latest_are_kept() {
        let filled = continuous_days(&[day(10, 1, 0), day(13, 0, 2)]);
        let dates: Vec<u32> = filled.iter().map(|d| d.day).collect();
        assert_eq!(dates, [10, 11, 12, 13]);
        assert_eq!(filled[3].migrations(), 2);
        let long = continuous_days(&[day(0, 1, 0), day(500, 0, 1)]);
        assert_eq!(long.len(), MAX_DAYS);
        assert_eq!(long.last().unwrap().day, 500);
    }

    #[test]
    fn columns_stack_imported_under_sign_in_with_their_numbers() {
        let svg = per_day_chart(&[day(20_000, 3, 2), day(20_001, 0, 4)]);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert_eq!(svg.matches("<rect").count(), 3);
        assert!(svg.contains(">5</text>") && svg.contains(">4</text>"));
        assert!(svg.contains("2024-10-04: 3 imported, 2 migrated at sign-in"));
        assert!(per_day_chart(&[]).contains("no migrations yet"));
    }

    #[test]
    fn the_old_users_bar_is_split_in_proportion() {
        let old = OldUsers {
            total: 4,
            migrated: 2,
            remaining: 1,
            stranded: 1,
            ..OldUsers::default()
        };
        let svg = old_users_bar(&old);
        assert!(
            svg.contains(r#"width="380.00""#),
            "half of the width: {svg}"
        );
        assert!(svg.contains("<title>stranded: 1 (25.0%)</title>"));
        assert!(svg.contains(">50% migrated</text>") && svg.contains(">25% stranded</text>"));
        let sliver = OldUsers {
            total: 20,
            migrated: 19,
            stranded: 1,
            ..OldUsers::default()
        };
        let svg = old_users_bar(&sliver);
        assert!(svg.contains(">95% migrated</text>"));
        assert!(
            !svg.contains("% stranded</text>"),
            "a label wider than its part is left out"
        );
        assert!(old_users_bar(&OldUsers::default()).contains("no users in the old pool"));
    }
}
