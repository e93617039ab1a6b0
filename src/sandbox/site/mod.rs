//! The site APIs (Jira under `/rest`, Confluence under `/wiki`) and the User management API
//! (`/users`). Their handlers read and change the same `OrgState` as the admin API.
//!
//! Adding a handler: `.route("/rest/api/3/...", get(handler))` below, with
//! `State(shared): State<Arc<Shared>>`; `shared.read()` / `shared.write()` give the state, and
//! its mutations (`add_to_group`, `remove_from_group`, `disable_account`, ...) log the events.
//! Auth (basic for `/rest` and `/wiki`, Bearer for `/users`), rate limits, faults and recording
//! are layers in `server::router`: handlers need none of them (`auth::check_site_basic` is
//! there for a handler that must check by itself).

use std::sync::Arc;

use axum::Router;

use super::Shared;

/// Routes of the site and user management APIs.
pub fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .merge(super::jira::routes())
        .merge(super::jira_issues::routes())
        .merge(super::confluence::routes())
        .merge(super::user_management::routes())
}
