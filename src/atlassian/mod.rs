//! The one door to Atlassian: a typed client for the Organizations admin API, the User
//! management API and the Jira and Confluence site APIs.

pub mod confluence;
pub mod error;
pub mod fetch;
pub mod grants;
pub mod http;
pub mod jira;
pub mod model;
pub mod org;
pub mod paging;
pub mod progress;
mod secret;
mod site_membership;
pub mod users;
pub mod verify;
pub mod webhook;

pub use error::{ApiError, ConnectCause, Family};
pub use http::{Client, ClientOptions, Stats, WaitHook, WaitNotice, WaitReason};
pub use secret::{CredentialError, Secret, SecretSource, redact};

/// Default base URL of the Organizations admin and User management APIs.
pub const DEFAULT_ADMIN_URL: &str = "https://api.atlassian.com";

/// Everything needed to talk to one org and its site. Built by `commands::connect` from the
/// profile, the global flags, the environment and the keyring.
#[derive(Debug, Clone, Default)]
pub struct Connection {
    /// Base of the admin API: its host, with or without `/admin` (default
    /// `https://api.atlassian.com`); see [`http::admin_base`].
    pub admin_url: Option<String>,
    /// Base of the Jira and Confluence site, e.g. `https://example.atlassian.net`.
    pub site_url: Option<String>,
    pub org_id: Option<String>,
    /// Email of the account that owns the site API token (basic auth user).
    pub email: Option<String>,
    /// Bearer key for the admin and user management APIs.
    pub org_api_key: Option<Secret>,
    /// API token for basic auth against the site.
    pub site_token: Option<Secret>,
}
