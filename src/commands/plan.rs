//! `seats plan`: the console's plan from the command line, for scheduled jobs. Fetches the
//! directory, selects the targets with the console's query language, builds the plan with the
//! same protections, prints the summary and writes the plan file. Nothing is changed.

use std::collections::BTreeSet;
use std::path::PathBuf;

use anyhow::Context;
use chrono::Utc;

use crate::atlassian::Client;
use crate::atlassian::error::ApiError;
use crate::atlassian::fetch::{FetchOptions, fetch_directory};
use crate::cli::{GlobalArgs, PlanAction, PlanArgs};
use crate::commands::{connect, export};
use crate::domain::Directory;
use crate::filter::{Sort, select};
use crate::plan::{
    DirectGrants, OperationKind, Plan, PlanContext, PlanFile, Queue, build_plan, context_for,
    summary,
};

pub async fn run(global: &GlobalArgs, args: PlanArgs) -> anyhow::Result<()> {
    let query = query_for(&args)?;
    // Before minutes of fetching: a path that cannot take the plan fails now.
    if let Some(path) = &args.output {
        crate::output::OutputTarget::check(Some(path))?;
    }
    let (client, conn, profile, config) = connect::client(global)?;
    let org_id = conn.org_id.clone().context(
        "no org id: pass --org-id (admin.atlassian.com/o/<org id>/...) or run `seats login`",
    )?;
    let opts = FetchOptions {
        progress: export::progress_printer(),
        page_size: config.api.page_size,
        ..FetchOptions::everything()
    };
    let dir = fetch_directory(&client, &org_id, opts).await?;
    let kind = operation_for(&args, &dir)?;
    let myself: Vec<&str> = conn.email.as_deref().into_iter().collect();
    // The console's plan builder: the same context, grants looked up the same way.
    let mut ctx = context_for(&config, &myself);
    let queue = queue_for_query(&dir, &query, kind)?;
    ctx.direct_grants = look_up_direct_grants(&client, &dir, &queue, &ctx).await?;
    let plan = build_plan(&dir, &queue, &ctx);

    let file = PlanFile::new(&plan, &queue, profile.name, Some(query), Utc::now());
    let path = args.output.clone().unwrap_or_else(|| {
        PathBuf::from(format!(
            "seats-plan-{}.json",
            file.created_at.format("%Y%m%d-%H%M%S")
        ))
    });
    file.write(&path)?;
    let mut text = String::new();
    if queue.is_empty() {
        text.push_str(&format!(
            "The query {:?} selects no users.\n",
            file.query.as_deref().unwrap_or("")
        ));
    }
    for line in summary(&plan) {
        text.push_str(&line);
        text.push('\n');
    }
    text.push_str(&format!(
        "Plan file: {} (nothing was changed)\n",
        path.display()
    ));
    // Through seats' stdout: a closed pipe ends the command normally.
    let mut out = crate::output::stdout();
    std::io::Write::write_all(&mut out, text.as_bytes())?;
    std::io::Write::flush(&mut out)?;
    tracing::info!(
        steps = file.steps.len(),
        held_out = file.held_out.len(),
        path = %path.display(),
        "plan written"
    );
    if let Some(refusal) = &plan.refusal {
        anyhow::bail!("{}", refusal.describe());
    }
    Ok(())
}

/// The query: `--filter`, then `product:KEY` and `idle:N` from the shorthands.
pub fn query_for(args: &PlanArgs) -> anyhow::Result<String> {
    let mut parts: Vec<String> = Vec::new();
    if let Some(f) = args
        .filter
        .as_deref()
        .map(str::trim)
        .filter(|f| !f.is_empty())
    {
        parts.push(f.to_owned());
    }
    if let Some(p) = &args.product {
        parts.push(format!("product:{p}"));
    }
    if let Some(n) = args.inactive_days {
        parts.push(format!("idle:{n}"));
    }
    anyhow::ensure!(
        !parts.is_empty(),
        "say who to plan for: --filter QUERY, or --product KEY --inactive-days N"
    );
    Ok(parts.join(" "))
}

/// The operation the flags ask for; a group is found by name in the snapshot.
pub fn operation_for(args: &PlanArgs, dir: &Directory) -> anyhow::Result<OperationKind> {
    Ok(match args.action {
        PlanAction::RemoveProductAccess => {
            let product = args
                .product
                .clone()
                .context("remove-product-access needs --product KEY (e.g. jira-software)")?;
            // The spelling this org's data carries (`jsm` → `jira-servicemanagement` there).
            let held = dir.product_keys();
            let product =
                crate::domain::resolve_product_key(&product, held.iter().map(String::as_str))
                    .unwrap_or(product);
            OperationKind::RemoveProductAccess { product }
        }
        PlanAction::RemoveGroup => {
            let name = args
                .group
                .as_deref()
                .context("remove-group needs --group NAME")?;
            let group = dir
                .groups
                .iter()
                .find(|g| g.name == name)
                .or_else(|| {
                    let mut ci = dir
                        .groups
                        .iter()
                        .filter(|g| g.name.eq_ignore_ascii_case(name));
                    // Only an unambiguous case-insensitive match.
                    match (ci.next(), ci.next()) {
                        (Some(g), None) => Some(g),
                        _ => None,
                    }
                })
                .with_context(|| {
                    format!(
                        "no group named {name:?} in org {}: `seats export groups` lists them",
                        dir.org_id
                    )
                })?;
            OperationKind::RemoveFromGroup {
                group_id: group.id.clone(),
                group_name: group.name.clone(),
            }
        }
        PlanAction::Suspend => OperationKind::Suspend,
        PlanAction::Restore => OperationKind::Restore,
        PlanAction::RemoveFromDirectory => OperationKind::RemoveFromDirectory,
        PlanAction::Deactivate => OperationKind::Deactivate,
        PlanAction::Reactivate => OperationKind::Reactivate,
    })
}

/// The users `query` selects, queued for `kind`: what the console's queue holds when the admin
/// marks every filtered user and queues the same action.
pub fn queue_for_query(dir: &Directory, query: &str, kind: OperationKind) -> anyhow::Result<Queue> {
    let rows = select(dir, query, &Sort::default())
        .map_err(|e| anyhow::anyhow!("the query {query:?} does not parse: {e}"))?;
    // Targets by account id, as the console's marks hold them: the same query gives the same
    // plan file from either.
    let targets: BTreeSet<String> = rows
        .iter()
        .filter_map(|&i| dir.users.get(i as usize))
        .map(|u| u.account_id.clone())
        .collect();
    let mut queue = Queue::new();
    queue.add_from(kind, Some(query.to_owned()), targets);
    Ok(queue)
}

/// The queue for `query` and its plan, with no direct grants looked up (offline).
pub fn plan_for_query(
    dir: &Directory,
    query: &str,
    kind: OperationKind,
    ctx: &PlanContext,
) -> anyhow::Result<(Queue, Plan)> {
    let queue = queue_for_query(dir, query, kind)?;
    let plan = build_plan(dir, &queue, ctx);
    Ok((queue, plan))
}

/// Direct grants of the targets the plan still changes who hold a product the queue takes
/// away through a group as well (`plan::needing_lookup`), read from Atlassian
/// (`atlassian::grants`). `ctx` is the context the plan is built with.
pub async fn look_up_direct_grants(
    client: &Client,
    dir: &Directory,
    queue: &Queue,
    ctx: &PlanContext,
) -> Result<DirectGrants, ApiError> {
    let wanted = crate::plan::needing_lookup(dir, queue, ctx);
    crate::atlassian::grants::direct_grants_for(client, &dir.org_id, &wanted).await
}
