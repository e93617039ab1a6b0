//! Why the console lists fewer users than the org has accounts: app and customer accounts
//! live on the site APIs, not in the org directory the console reads (the demo counts its
//! simulated org's and says so in the Activity view).

use super::loaded::{Loaded, Origin};

/// The org's accounts as the session knows them apart from its directory (the demo counts its
/// simulated org's): why the console lists fewer users than the org has accounts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OrgAccounts {
    pub total: usize,
    /// App and customer accounts: on the site APIs, never in the org directory.
    pub apps: usize,
    pub customers: usize,
}

/// "1,970 of 2,000 accounts listed: 27 apps and 3 customers live on the site APIs, not in
/// the org directory", computed from the data on screen; None when they agree, while the
/// directory is partial, or when the session does not know the org's accounts.
pub fn note(accounts: Option<OrgAccounts>, data: Option<&Loaded>) -> Option<String> {
    use crate::output::words::{plural, thousands};
    let a = accounts?;
    let d = data?;
    if d.origin == Origin::Partial {
        return None;
    }
    let listed = d.dir.users.len();
    let outside = a.total.checked_sub(listed).filter(|n| *n > 0)?;
    let head = format!(
        "{} of {} accounts listed",
        thousands(listed),
        thousands(a.total)
    );
    let kinds: Vec<String> = [(a.apps, "app"), (a.customers, "customer")]
        .into_iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, noun)| plural(n, noun))
        .collect();
    // The kinds explain the gap only when they add up to it (removed users widen it).
    Some(if a.apps + a.customers == outside && !kinds.is_empty() {
        format!(
            "{head}: {} {} on the site APIs, not in the org directory",
            kinds.join(" and "),
            if outside == 1 { "lives" } else { "live" }
        )
    } else {
        let other = if outside == 1 {
            "the other one is".to_owned()
        } else {
            format!("the other {} are", thousands(outside))
        };
        format!(
            "{head}: {other} not in the org directory (app and customer accounts live on the site APIs)"
        )
    })
}
