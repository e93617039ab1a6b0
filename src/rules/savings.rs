//! Savings over time, as `seats report --since DATE` prints them. The figures are recorded in
//! `store::savings` (where snapshots are saved and batches admitted).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use chrono::NaiveDate;

pub use crate::store::savings::{Month, SeatsOverTime, history, record_snapshot};

/// The `--since` report's text.
pub fn report_text(
    seats: &[(String, String, u64)],
    months: &BTreeMap<String, Month>,
    currency: &str,
    since: NaiveDate,
) -> String {
    let mut s = format!("Seats used per product since {since}:\n");
    if seats.is_empty() {
        s.push_str("  no snapshots recorded yet (each refresh, `seats rules` and `seats rules run` record one)\n");
    }
    let mut products: Vec<&str> = seats.iter().map(|(_, p, _)| p.as_str()).collect();
    products.sort_unstable();
    products.dedup();
    if !products.is_empty() {
        let _ = write!(s, "  {:<20}", "when");
        for p in &products {
            let _ = write!(s, " {p:>18}");
        }
        s.push('\n');
        let mut by_time: BTreeMap<&str, BTreeMap<&str, u64>> = BTreeMap::new();
        for (at, p, n) in seats {
            by_time
                .entry(at.as_str())
                .or_default()
                .insert(p.as_str(), *n);
        }
        for (at, row) in by_time {
            let _ = write!(s, "  {:<20}", at.get(..16).unwrap_or(at).replace('T', " "));
            for p in &products {
                match row.get(p) {
                    Some(n) => {
                        let _ = write!(s, " {n:>18}");
                    }
                    None => {
                        let _ = write!(s, " {:>18}", "-");
                    }
                }
            }
            s.push('\n');
        }
    }
    s.push_str("Money saved by executed batches, per month (monthly run-rate they add):\n");
    if months.is_empty() {
        s.push_str("  no executed batch since then\n");
    }
    let mut total = 0.0;
    for (month, m) in months {
        total += m.monthly_saving;
        // Seats still freed (users given back since are not counted), in whole seats.
        let freed = m.seats_freed.round().max(0.0) as usize;
        let _ = writeln!(
            s,
            "  {month}  {}, {} freed, saves {} a month (total {} a month)",
            crate::output::words::plural(m.batches, "batch"),
            crate::output::words::plural(freed, "seat"),
            crate::output::words::money(currency, m.monthly_saving),
            crate::output::words::money(currency, total)
        );
    }
    s.push_str(
        "  Savings land at the end of the billing cycle; annual plans are sold in user tiers.\n",
    );
    s
}
