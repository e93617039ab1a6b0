//! The router: every API under one address, wrapped in the layers every request goes through.
//! Outermost first: recording, latency and faults, auth, rate limits, then the handler.

use std::sync::Arc;

use axum::Router;
use axum::middleware::from_fn_with_state;

use super::{Shared, admin, auth, control, errors, faults, limits, record, site};

pub fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .nest("/admin", admin::routes())
        .merge(site::routes())
        .merge(control::routes())
        .fallback(errors::not_found)
        .layer(from_fn_with_state(shared.clone(), limits::layer))
        .layer(from_fn_with_state(shared.clone(), auth::layer))
        .layer(from_fn_with_state(shared.clone(), faults::layer))
        .layer(from_fn_with_state(shared.clone(), record::layer))
        .with_state(shared)
}
