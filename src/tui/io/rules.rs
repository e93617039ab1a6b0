//! Effects of the rules' console parts: the lifecycles and savings read from `seats.db`, and
//! the give-back plan built from the journal. Each runs off the UI thread and reports back.

use tokio::sync::mpsc::UnboundedSender;

use super::save_plan;
use crate::config::Config;
use crate::exec::Journal;
use crate::tui::action::Action;

/// The plan that gives one user back what a batch took (`exec::give_back_plan`), kept in
/// the data dir's `plans/` and handed to the confirm dialog like an undo plan.
pub(super) fn write_give_back(tx: UnboundedSender<Action>, batch: i64, who: String) {
    tokio::task::spawn_blocking(move || {
        let result = (|| {
            let journal = Journal::open_default().map_err(|e| e.to_string())?;
            let info = journal.batch(batch).map_err(|e| e.to_string())?;
            let items = journal.items(batch).map_err(|e| e.to_string())?;
            let back = crate::exec::give_back_plan(&info, &items, &who, chrono::Utc::now())
                .map_err(|e| e.to_string())?;
            let notes = back
                .cannot_undo
                .iter()
                .chain(back.caveats.iter())
                .map(|n| format!("{} ({}): {}", n.name, n.change, n.why))
                .collect();
            let id = back
                .plan
                .steps
                .first()
                .map(|s| s.account_id.clone())
                .unwrap_or_else(|| who.clone());
            let whom = whom(&back.plan.steps, &id);
            let part: String = id
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || c == '-' {
                        c
                    } else {
                        '_'
                    }
                })
                .take(64)
                .collect();
            let path = save_plan(&format!("give-back-batch-{batch}-{part}.json"), &back.plan)?;
            Ok(Box::new(crate::tui::state::FileReview::new(
                back.plan,
                format!("give back to {whom} from batch {batch} (kept in {path})"),
                notes,
            )))
        })();
        let _ = tx.send(Action::Review(result));
    });
}

/// Who a give-back plan gives back to, as the CLI says it: "Ada Lovelace (712020:…)", the
/// name from the journal's steps; the id alone when the steps carry no name.
fn whom(steps: &[crate::plan::Step], id: &str) -> String {
    match steps.first().map(|s| s.name.trim()) {
        Some(name) if !name.is_empty() && name != id => format!("{name} ({id})"),
        _ => id.to_owned(),
    }
}

/// The configured rules' newest lifecycle rows and last run times, summarised.
pub(super) fn load_rules(config: &Config) -> Result<crate::tui::rules::RulesData, String> {
    if config.rules.is_empty() {
        return Ok(Default::default());
    }
    let path = crate::paths::data_dir()
        .map(|d| d.join(crate::store::FILE_NAME))
        .ok_or_else(|| "no data directory: set HOME or SEATS_DATA_DIR".to_owned())?;
    if !path.exists() {
        // Never run: nothing to read, and nothing to create just for reading.
        let seen = config.rules.iter().map(|_| Default::default()).collect();
        return Ok(crate::tui::rules::summarise(&config.rules, seen));
    }
    crate::tui::rules::read(&path, &config.rules)
}

/// The last year of seats over time and savings per month, shaped for the Activity chart.
pub(super) fn load_savings(
    org_id: &str,
    currency: &str,
) -> Result<crate::tui::rules::SavingsView, String> {
    let path = crate::paths::data_dir()
        .map(|d| d.join(crate::store::FILE_NAME))
        .ok_or_else(|| "no data directory: set HOME or SEATS_DATA_DIR".to_owned())?;
    if !path.exists() {
        return Ok(Default::default());
    }
    let conn = crate::store::open_connection(&path).map_err(|e| e.to_string())?;
    // The journal's tables the savings query joins, on a database no batch has touched yet.
    crate::exec::journal::prepare(&conn).map_err(|e| e.to_string())?;
    let since = (chrono::Utc::now() - chrono::Duration::days(365)).date_naive();
    let (seats, months, cur) =
        crate::rules::savings::history(&conn, org_id, since).map_err(|e| e.to_string())?;
    // The batches' currency when any ran, else the configured one.
    let cur = if months.is_empty() {
        currency
    } else {
        cur.as_str()
    };
    Ok(crate::tui::rules::savings_view(&seats, &months, cur))
}

#[cfg(test)]
mod tests {
    use super::whom;
    use crate::plan::{Change, Step};

    #[test]
    fn a_give_back_names_the_user() {
        let step = |name: &str| Step {
            account_id: "acc-1".into(),
            name: name.into(),
            email: None,
            change: Change::Restore,
            guard: None,
        };
        assert_eq!(
            whom(&[step("Ada Lovelace")], "acc-1"),
            "Ada Lovelace (acc-1)"
        );
        assert_eq!(whom(&[step("")], "acc-1"), "acc-1");
        assert_eq!(whom(&[], "acc-1"), "acc-1");
    }
}
