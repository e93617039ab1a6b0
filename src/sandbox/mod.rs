//! A simulated Atlassian Cloud org with one site: the Organizations admin API, the User
//! management API, Jira and Confluence, behind one consistent state. Used by `seats demo`,
//! `seats sandbox` and the tests.

/// Documented defaults, printed by `seats sandbox` on start.
pub const DEFAULT_ORG_ID: &str = "5f9e3c1a-7b2d-4e8f-9a6b-0c1d2e3f4a5b";
pub const DEFAULT_ORG_API_KEY: &str = "sandbox-org-api-key";
pub const DEFAULT_SITE_EMAIL: &str = "admin@acme.example";
pub const DEFAULT_SITE_TOKEN: &str = "sandbox-site-token";

pub mod generator;
pub mod state;
