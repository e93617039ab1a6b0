//! Savings over time, recorded where they happen: seats used per product at each saved snapshot
//! (and each rules run), and what each admitted batch frees with its price. Read back by
//! `seats report --since` and the Activity view's chart.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{Connection, params};

use crate::domain::Directory;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS rules_seats (
    org_id  TEXT NOT NULL,
    at      TEXT NOT NULL,
    product TEXT NOT NULL,
    used    INTEGER NOT NULL,
    PRIMARY KEY (org_id, at, product)
);
CREATE TABLE IF NOT EXISTS rules_batch_effect (
    batch_id        INTEGER NOT NULL,
    product         TEXT NOT NULL,
    freed           INTEGER NOT NULL,
    monthly_saving  REAL,
    currency        TEXT NOT NULL,
    users           INTEGER NOT NULL,
    PRIMARY KEY (batch_id, product)
);
";

fn text(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Seats used per product in `dir`, at its fetch time. Called where a snapshot is saved.
pub fn record_snapshot(conn: &Connection, dir: &Directory) -> rusqlite::Result<()> {
    conn.execute_batch(SCHEMA)?;
    let tx = conn.unchecked_transaction()?;
    for p in dir.product_keys() {
        let used = i64::try_from(dir.holders(&p)).unwrap_or(i64::MAX);
        tx.execute(
            "INSERT OR REPLACE INTO rules_seats (org_id, at, product, used) VALUES (?1, ?2, ?3, ?4)",
            params![dir.org_id, text(dir.fetched_at), p, used],
        )?;
    }
    tx.commit()
}

/// What one batch frees of one product, as its plan says.
pub struct BatchEffect<'a> {
    pub product: &'a str,
    pub freed: u64,
    pub monthly_saving: Option<f64>,
}

/// What a batch is planned to free, per product, when it is admitted: `users` distinct users,
/// prices in `currency`.
pub fn record_batch(
    conn: &Connection,
    batch: i64,
    users: i64,
    currency: &str,
    effects: &[BatchEffect<'_>],
) -> rusqlite::Result<()> {
    conn.execute_batch(SCHEMA)?;
    for p in effects.iter().filter(|p| p.freed > 0) {
        conn.execute(
            "INSERT OR REPLACE INTO rules_batch_effect (batch_id, product, freed, monthly_saving, currency, users)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                batch,
                p.product,
                i64::try_from(p.freed).unwrap_or(i64::MAX),
                p.monthly_saving,
                currency,
                users
            ],
        )?;
    }
    Ok(())
}

/// Seats used: (time, product, used), oldest first.
pub type SeatsOverTime = Vec<(String, String, u64)>;

/// One month of executed batches.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Month {
    pub batches: usize,
    pub seats_freed: f64,
    pub monthly_saving: f64,
}

/// Seats used per product over time, and per month the seats executed batches freed and the
/// monthly saving they add (scaled by the share of each batch's users whose items all ended
/// done and who were not given back since, by an undo or give-back of that batch: their plan
/// ids are `exec::undo`'s "undo of batch N" and "give back of batch N to ID"; dry runs count
/// nothing).
pub fn history(
    conn: &Connection,
    org_id: &str,
    since: NaiveDate,
) -> rusqlite::Result<(SeatsOverTime, BTreeMap<String, Month>, String)> {
    conn.execute_batch(SCHEMA)?;
    let from = since.format("%Y-%m-%d").to_string();
    let mut stmt = conn.prepare(
        "SELECT at, product, used FROM rules_seats WHERE org_id = ?1 AND at >= ?2 ORDER BY at, product",
    )?;
    let seats = stmt
        .query_map(params![org_id, from], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                u64::try_from(r.get::<_, i64>(2)?).unwrap_or(0),
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let mut stmt = conn.prepare(
        "SELECT b.id, substr(b.created_at, 1, 7), e.freed, COALESCE(e.monthly_saving, 0), e.currency, e.users,
                (SELECT COUNT(DISTINCT i.account_id) FROM exec_items i WHERE i.batch_id = b.id
                   AND NOT EXISTS (SELECT 1 FROM exec_items j WHERE j.batch_id = b.id
                                   AND j.account_id = i.account_id AND j.state != 'done')
                   AND NOT EXISTS (SELECT 1 FROM exec_batches u JOIN exec_items k ON k.batch_id = u.id
                                   WHERE u.dry_run = 0 AND k.account_id = i.account_id AND k.state = 'done'
                                   AND (u.plan_id = 'undo-of-batch-' || b.id
                                        OR u.plan_id = 'give-back-of-batch-' || b.id || '-to-' || i.account_id)))
         FROM exec_batches b JOIN rules_batch_effect e ON e.batch_id = b.id
         WHERE b.org_id = ?1 AND b.dry_run = 0 AND b.created_at >= ?2
         ORDER BY b.id",
    )?;
    let mut months: BTreeMap<String, Month> = BTreeMap::new();
    let mut seen: BTreeMap<String, std::collections::BTreeSet<i64>> = BTreeMap::new();
    let mut currency = String::from("USD");
    let rows = stmt.query_map(params![org_id, from], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, i64>(2)?,
            r.get::<_, f64>(3)?,
            r.get::<_, String>(4)?,
            r.get::<_, i64>(5)?,
            r.get::<_, i64>(6)?,
        ))
    })?;
    for row in rows {
        let (batch, month, freed, saving, cur, users, done_users) = row?;
        let share = if users > 0 {
            (done_users as f64 / users as f64).min(1.0)
        } else {
            0.0
        };
        let m = months.entry(month.clone()).or_default();
        if seen.entry(month).or_default().insert(batch) {
            m.batches += 1;
        }
        m.seats_freed += freed as f64 * share;
        m.monthly_saving += saving * share;
        currency = cur;
    }
    Ok((seats, months, currency))
}
