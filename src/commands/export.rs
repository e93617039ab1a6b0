//! `seats export users|groups|seats`: the directory as CSV or JSON, for scripts and cron.
//!
//! Users: one record per user with account id, name, email, account type, status, groups and,
//! per product, the last-active timestamp (null when never) and days inactive counted from
//! when the data was fetched. `--output` is checked before the fetch and written through
//! `crate::output` (regular files replaced atomically, devices and FIFOs written through).

use std::io::Write;

use anyhow::Context;
use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;

use crate::atlassian::fetch::{FetchEvent, FetchOptions, fetch_directory};
use crate::cli::{ExportArgs, ExportFormat, ExportWhat, GlobalArgs};
use crate::commands::connect;
use crate::domain::{Directory, Group, Inactivity, Protection, Seats, User};
use crate::output::words::{plural, thousands};
use crate::output::{OutputTarget, StatusLine, note};

pub async fn run(global: &GlobalArgs, mut args: ExportArgs) -> anyhow::Result<()> {
    // Before minutes of fetching: a path that cannot take the export fails now, and so does a
    // query that does not parse.
    let target = OutputTarget::check(args.output.as_deref())?;
    if let Some(query) = query_of(&args) {
        anyhow::ensure!(
            args.what == ExportWhat::Users,
            "--filter selects users: use it with `seats export users`"
        );
        crate::filter::parse(query)
            .map_err(|e| anyhow::anyhow!("the query {query:?} does not parse: {e}"))?;
    }
    let (client, conn, _, config) = connect::client_with_countdown(global)?;
    let org_id = conn.org_id.clone().context(
        "no org id: pass --org-id (admin.atlassian.com/o/<org id>/...) or run `seats login`",
    )?;
    let opts = FetchOptions {
        groups: args.what == ExportWhat::Groups,
        seats: args.what == ExportWhat::Seats,
        progress: progress_printer(),
        page_size: config.api.page_size,
        ..FetchOptions::default()
    };
    let dir = fetch_directory(&client, &org_id, opts).await?;
    // `--product jsm` is the spelling this org's data carries (`jira-servicemanagement`).
    if let Some(p) = args.product.take() {
        let held = dir.product_keys();
        let Some(key) = crate::domain::resolve_product_key(&p, held.iter().map(String::as_str))
        else {
            // Neither a key seats knows nor one this org's data carries: a typo.
            anyhow::bail!(
                "unknown product key {p:?}: nobody in org {} holds it; products here: {}",
                dir.org_id,
                if held.is_empty() {
                    "none".to_owned()
                } else {
                    held.join(", ")
                }
            );
        };
        args.product = Some(key);
    }
    let stats = client.stats();
    tracing::info!(
        users = dir.users.len(),
        requests = stats.sent,
        retries = stats.retries,
        "export fetched"
    );

    // The plan's protections (config and the signed-in admin), so an export joins with a
    // plan's held-out rows.
    let myself: Vec<&str> = conn.email.as_deref().into_iter().collect();
    let protection = Protection::new(&config.protected, &myself);
    let mut out = Vec::with_capacity(dir.users.len() * 256);
    let users = write_export_with(&mut out, &dir, &args, &protection)?;
    target.write(&out).context("the export")?;
    note(format!(
        "exported {} from org {} (data fetched {}; activity can lag up to 24 hours); {}",
        match args.what {
            ExportWhat::Users => plural(users, "user"),
            ExportWhat::Groups => plural(dir.groups.len(), "group"),
            ExportWhat::Seats => plural(dir.seats.len(), "product"),
        },
        dir.org_id,
        dir.fetched_at.to_rfc3339_opts(SecondsFormat::Secs, true),
        plural(stats.sent as usize, "request")
    ));
    Ok(())
}

/// Progress on the status line (drawn only on a terminal, ended by Ctrl-C too).
pub fn progress_printer() -> Option<tokio::sync::mpsc::UnboundedSender<FetchEvent>> {
    let status = StatusLine::new();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Some(ev) = rx.recv().await {
            match ev {
                FetchEvent::UsersExpected { .. } => {}
                FetchEvent::Users { fetched } => {
                    status.set(format!("fetched {}", plural(fetched, "user")))
                }
                FetchEvent::Groups { fetched, total } => status.set(format!(
                    "fetched {}/{}",
                    thousands(fetched),
                    plural(total, "group")
                )),
                FetchEvent::Seats => status.set("fetched seats"),
                FetchEvent::Done { .. } => break,
            }
        }
    });
    Some(tx)
}

/// `--filter`, when it says something.
fn query_of(args: &ExportArgs) -> Option<&str> {
    args.filter
        .as_deref()
        .map(str::trim)
        .filter(|q| !q.is_empty())
}

/// Which users `--filter` selects (all without one), by position in `dir.users`: the query
/// language and errors of `seats plan --filter`, product keys and groups checked against the org.
fn selection(dir: &Directory, args: &ExportArgs) -> anyhow::Result<Option<Vec<bool>>> {
    let Some(query) = query_of(args) else {
        return Ok(None);
    };
    let rows = crate::filter::select(dir, query, &crate::filter::Sort::default())
        .map_err(|e| anyhow::anyhow!("the query {query:?} does not parse: {e}"))?;
    let mut selected = vec![false; dir.users.len()];
    for i in rows {
        if let Some(s) = selected.get_mut(i as usize) {
            *s = true;
        }
    }
    Ok(Some(selected))
}

/// The export as bytes, in the chosen format; the number of users written (0 for groups and
/// seats). Protection from the data alone (admins, synced, app accounts); see
/// [`write_export_with`] for the configured protections.
pub fn write_export(
    out: &mut impl Write,
    dir: &Directory,
    args: &ExportArgs,
) -> anyhow::Result<usize> {
    write_export_with(out, dir, args, &Protection::default())
}

/// [`write_export`] with the protections a plan would hold users out for.
pub fn write_export_with(
    out: &mut impl Write,
    dir: &Directory,
    args: &ExportArgs,
    protection: &Protection,
) -> anyhow::Result<usize> {
    match (args.what, args.format) {
        (ExportWhat::Users, ExportFormat::Json) => {
            let selected = selection(dir, args)?;
            let rows: Vec<UserRow> = user_rows(dir, args, &selected, protection).collect();
            serde_json::to_writer_pretty(&mut *out, &rows)?;
            out.write_all(b"\n")?;
            return Ok(rows.len());
        }
        (ExportWhat::Users, ExportFormat::Csv) => return users_csv(out, dir, args, protection),
        (ExportWhat::Groups, format) => {
            let groups: Vec<&Group> = dir
                .groups
                .iter()
                .filter(|g| args.product.as_ref().is_none_or(|p| g.grants.contains(p)))
                .collect();
            match format {
                ExportFormat::Json => {
                    serde_json::to_writer_pretty(&mut *out, &groups)?;
                    out.write_all(b"\n")?;
                }
                ExportFormat::Csv => {
                    let mut w = csv::Writer::from_writer(out);
                    w.write_record(["id", "name", "synced", "grants", "member_count"])?;
                    for g in groups {
                        let count = g.member_count.map(|c| c.to_string()).unwrap_or_default();
                        w.write_record([
                            g.id.as_str(),
                            &g.name,
                            if g.synced { "true" } else { "false" },
                            &g.grants.join(";"),
                            &count,
                        ])?;
                    }
                    w.flush()?;
                }
            }
        }
        (ExportWhat::Seats, format) => {
            let seats: Vec<&Seats> = dir
                .seats
                .iter()
                .filter(|s| args.product.as_ref().is_none_or(|p| &s.product.key == p))
                .collect();
            match format {
                ExportFormat::Json => {
                    serde_json::to_writer_pretty(&mut *out, &seats)?;
                    out.write_all(b"\n")?;
                }
                ExportFormat::Csv => {
                    let mut w = csv::Writer::from_writer(out);
                    w.write_record(["product", "name", "limit", "used", "remaining", "source"])?;
                    let opt = |v: Option<u64>| v.map(|n| n.to_string()).unwrap_or_default();
                    for s in seats {
                        let source = serde_json::to_value(s.source)?
                            .as_str()
                            .unwrap_or_default()
                            .to_owned();
                        w.write_record([
                            s.product.key.as_str(),
                            &s.product.name,
                            &opt(s.limit),
                            &s.used.to_string(),
                            &opt(s.remaining),
                            &source,
                        ])?;
                    }
                    w.flush()?;
                }
            }
        }
    }
    Ok(0)
}

/// One user in the JSON export.
#[derive(Debug, Serialize)]
pub struct UserRow<'a> {
    pub account_id: &'a str,
    pub name: &'a str,
    pub email: Option<&'a str>,
    pub account_type: &'a str,
    pub status: &'a str,
    pub groups: Vec<&'a str>,
    /// Provisioned by an identity provider (change it there).
    pub synced: bool,
    /// Org or site admin.
    pub admin: bool,
    pub org_admin: bool,
    pub site_admin: bool,
    /// A plan holds this user out of some action: the reasons say which.
    pub protected: bool,
    /// In the plan's words ("org admin", "member of protected group ops"), most serious first.
    pub protected_reasons: Vec<String>,
    pub products: Vec<ProductRow<'a>>,
}

#[derive(Debug, Serialize)]
pub struct ProductRow<'a> {
    pub key: &'a str,
    /// RFC 3339, or null when the user never used the product.
    pub last_active: Option<String>,
    /// No activity on record at all.
    pub never: bool,
    /// Whole days from the last activity to when the data was fetched; null when never.
    pub days_inactive: Option<i64>,
}

/// A user passes when they hold the product asked for (if any) and, with `--inactive-days`,
/// one of the products considered has gone unused that long or was never used.
fn keep_user(u: &User, args: &ExportArgs, as_of: DateTime<Utc>) -> bool {
    let considered = u
        .product_access
        .iter()
        .filter(|a| args.product.as_ref().is_none_or(|p| &a.product == p));
    let mut considered = considered.peekable();
    if args.product.is_some() && considered.peek().is_none() {
        return false;
    }
    match args.inactive_days {
        None => true,
        Some(days) => considered.any(|a| a.inactive_for_at_least(days, as_of)),
    }
}

fn user_rows<'a>(
    dir: &'a Directory,
    args: &'a ExportArgs,
    selected: &'a Option<Vec<bool>>,
    protection: &'a Protection,
) -> impl Iterator<Item = UserRow<'a>> + 'a {
    dir.users
        .iter()
        .enumerate()
        .filter(move |(i, _)| {
            selected
                .as_ref()
                .is_none_or(|s| s.get(*i).copied().unwrap_or(false))
        })
        .map(|(_, u)| u)
        .filter(move |u| keep_user(u, args, dir.fetched_at))
        .map(move |u| UserRow {
            account_id: &u.account_id,
            name: &u.name,
            email: u.email.as_deref(),
            account_type: u.account_type.as_str(),
            status: u.status.as_str(),
            groups: u.groups.iter().map(|g| g.name.as_str()).collect(),
            synced: u.synced,
            admin: u.org_admin || u.site_admin,
            org_admin: u.org_admin,
            site_admin: u.site_admin,
            protected_reasons: protection.reasons(u).iter().map(|r| r.describe()).collect(),
            protected: false,
            products: u
                .product_access
                .iter()
                .filter(|a| args.product.as_ref().is_none_or(|p| &a.product == p))
                .map(|a| ProductRow {
                    key: &a.product,
                    last_active: a
                        .last_active
                        .map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true)),
                    never: a.last_active.is_none(),
                    days_inactive: match a.inactivity(dir.fetched_at) {
                        Inactivity::Days(d) => Some(d),
                        Inactivity::Never => None,
                    },
                })
                .collect(),
        })
        .map(|mut row| {
            row.protected = !row.protected_reasons.is_empty();
            row
        })
}

/// A product key as a CSV header's prefix: `jira-software` → `jira_software`.
fn snake(key: &str) -> String {
    key.replace(['-', ' ', '.'], "_")
}

/// CSV: the JSON flattened, snake_case headers. Per product three columns:
/// `KEY_last_active` (RFC 3339, empty when never or not held), `KEY_never` (`true` when held
/// and never used, empty when not held) and `KEY_days_inactive`. `protected_reason` joins the
/// reasons with "; ".
fn users_csv(
    out: &mut impl Write,
    dir: &Directory,
    args: &ExportArgs,
    protection: &Protection,
) -> anyhow::Result<usize> {
    let keys: Vec<String> = match &args.product {
        Some(p) => vec![p.clone()],
        None => dir.product_keys(),
    };
    let mut w = csv::Writer::from_writer(out);
    let mut header: Vec<String> = [
        "account_id",
        "name",
        "email",
        "account_type",
        "status",
        "groups",
        "synced",
        "admin",
        "protected",
        "protected_reason",
    ]
    .map(String::from)
    .to_vec();
    for k in &keys {
        let k = snake(k);
        header.push(format!("{k}_last_active"));
        header.push(format!("{k}_never"));
        header.push(format!("{k}_days_inactive"));
    }
    w.write_record(&header)?;
    let selected = selection(dir, args)?;
    let mut written = 0;
    let yes = |b: bool| if b { "true" } else { "false" }.to_owned();
    for row in user_rows(dir, args, &selected, protection) {
        written += 1;
        let mut rec: Vec<String> = vec![
            row.account_id.to_owned(),
            row.name.to_owned(),
            row.email.unwrap_or_default().to_owned(),
            row.account_type.to_owned(),
            row.status.to_owned(),
            row.groups.join(";"),
            yes(row.synced),
            yes(row.admin),
            yes(row.protected),
            row.protected_reasons.join("; "),
        ];
        for k in &keys {
            match row.products.iter().find(|p| p.key == k) {
                Some(p) => {
                    rec.push(p.last_active.clone().unwrap_or_default());
                    rec.push(yes(p.never));
                    rec.push(p.days_inactive.map(|d| d.to_string()).unwrap_or_default());
                }
                None => rec.extend([String::new(), String::new(), String::new()]),
            }
        }
        w.write_record(&rec)?;
    }
    w.flush()?;
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{AccountType, GroupRef, ProductAccess, UserStatus};
    use chrono::TimeZone;

    fn dir() -> Directory {
        let as_of = Utc.with_ymd_and_hms(2026, 11, 22, 0, 0, 0).unwrap();
        let user = |id: &str, access: Vec<(&str, Option<i64>)>| User {
            account_id: id.into(),
            name: format!("User {id}"),
            email: Some(format!("{id}@acme.example")),
            account_type: AccountType::Atlassian,
            status: UserStatus::Active,
            groups: vec![GroupRef {
                id: "g".into(),
                name: "devs, \"core\"".into(),
            }],
            product_access: access
                .into_iter()
                .map(|(k, days)| ProductAccess {
                    product: k.into(),
                    last_active: days.map(|d| as_of - chrono::Duration::days(d)),
                    resource: None,
                })
                .collect(),
            managed: true,
            synced: false,
            org_admin: false,
            site_admin: false,
        };
        Directory {
            org_id: "o".into(),
            fetched_at: as_of,
            users: vec![
                user("a", vec![("jira-software", Some(3)), ("confluence", None)]),
                user("b", vec![("confluence", Some(120))]),
                user("c", vec![]),
            ],
            groups: vec![],
            seats: vec![],
        }
    }

    fn args(format: ExportFormat, inactive: Option<u32>, product: Option<&str>) -> ExportArgs {
        ExportArgs {
            what: ExportWhat::Users,
            format,
            output: None,
            inactive_days: inactive,
            product: product.map(String::from),
            filter: None,
            connection: Default::default(),
        }
    }

    fn json(a: &ExportArgs) -> serde_json::Value {
        let mut out = Vec::new();
        write_export(&mut out, &dir(), a).unwrap();
        serde_json::from_slice(&out).unwrap()
    }

    #[test]
    fn json_has_never_as_null_and_days_from_fetch_time() {
        let v = json(&args(ExportFormat::Json, None, None));
        assert_eq!(v.as_array().unwrap().len(), 3);
        let a = &v[0];
        assert_eq!(a["account_id"], "a");
        assert_eq!(a["products"][0]["key"], "jira-software");
        assert_eq!(a["products"][0]["days_inactive"], 3);
        assert_eq!(a["products"][0]["last_active"], "2026-11-19T00:00:00Z");
        assert!(a["products"][1]["last_active"].is_null());
        assert!(a["products"][1]["days_inactive"].is_null());
    }

    #[test]
    fn filters_by_inactivity_and_product() {
        let ids = |v: serde_json::Value| {
            v.as_array()
                .unwrap()
                .iter()
                .map(|u| u["account_id"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        };
        // a: confluence never used; b: 120 days; c holds nothing.
        assert_eq!(
            ids(json(&args(ExportFormat::Json, Some(90), None))),
            vec!["a", "b"]
        );
        assert_eq!(
            ids(json(&args(
                ExportFormat::Json,
                Some(90),
                Some("jira-software")
            ))),
            Vec::<String>::new()
        );
        assert_eq!(
            ids(json(&args(ExportFormat::Json, None, Some("confluence")))),
            vec!["a", "b"]
        );
        let v = json(&args(ExportFormat::Json, None, Some("confluence")));
        assert_eq!(v[0]["products"].as_array().unwrap().len(), 1);
    }

    #[test]
    fn csv_is_flattened_with_a_header_and_quoting() {
        let mut out = Vec::new();
        write_export(&mut out, &dir(), &args(ExportFormat::Csv, None, None)).unwrap();
        let text = String::from_utf8(out).unwrap();
        let mut r = csv::Reader::from_reader(text.as_bytes());
        let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
        assert_eq!(
            header,
            [
                "account_id",
                "name",
                "email",
                "account_type",
                "status",
                "groups",
                "synced",
                "admin",
                "protected",
                "protected_reason",
                "confluence_last_active",
                "confluence_never",
                "confluence_days_inactive",
                "jira_software_last_active",
                "jira_software_never",
                "jira_software_days_inactive"
            ]
        );
        let rows: Vec<csv::StringRecord> = r.records().map(|r| r.unwrap()).collect();
        assert_eq!(rows.len(), 3);
        assert_eq!(&rows[0][5], "devs, \"core\"");
        // Never used: the date column is empty, `never` says so, no days.
        assert_eq!(&rows[0][10], "");
        assert_eq!(&rows[0][11], "true");
        assert_eq!(&rows[0][12], "");
        assert_eq!(&rows[0][13], "2026-11-19T00:00:00Z");
        assert_eq!(&rows[0][14], "false");
        assert_eq!(&rows[0][15], "3");
        // Not held: all three empty.
        assert_eq!(&rows[2][10], "");
        assert_eq!(&rows[2][11], "");
    }
}
