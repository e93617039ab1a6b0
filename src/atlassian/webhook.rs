//! Notices through an Atlassian Automation incoming webhook: one JSON POST per notice, for
//! orgs whose Automation rule sends the mail. The webhook URL carries its own secret, so it is
//! treated like a credential: it is never logged and never in an error message, which says
//! "the webhook" instead.

use std::net::IpAddr;
use std::time::Duration;

use url::Url;

use super::error::ApiError;

/// How long one webhook call may take before it counts as failed (it is retried next run).
pub const WEBHOOK_TIMEOUT: Duration = Duration::from_secs(30);

/// An HTTP client for webhooks: no redirects (a redirect could carry the payload to another
/// host, or to plain http), a whole-call timeout.
pub fn client() -> Result<reqwest::Client, ApiError> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(WEBHOOK_TIMEOUT)
        .connect_timeout(Duration::from_secs(10))
        .build()
        .map_err(|_| ApiError::Webhook("the webhook client could not be set up".into()))
}

/// Checks a webhook URL: https, or plain http to loopback only (the sandbox), no user name or
/// password in it. The error never repeats the URL.
pub fn checked_url(raw: &str) -> Result<Url, ApiError> {
    let url = Url::parse(raw.trim()).map_err(|_| {
        ApiError::Webhook(
            "the webhook URL is not a valid URL: copy it again from the Automation rule".into(),
        )
    })?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(ApiError::Webhook(
            "the webhook URL holds a user name or password: use the URL Automation gives, without them".into(),
        ));
    }
    let loopback = match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => {
            return Err(ApiError::Webhook("the webhook URL has no host".into()));
        }
    };
    match url.scheme() {
        "https" => Ok(url),
        "http" if loopback => Ok(url),
        "http" => Err(ApiError::Webhook(
            "the webhook URL uses plain http: only https is allowed (plain http only to 127.0.0.1, ::1 or localhost)".into(),
        )),
        _ => Err(ApiError::Webhook(
            "the webhook URL is not an https URL".into(),
        )),
    }
}

/// POSTs `payload` as JSON to the webhook at `url`; `Ok` on any 2xx. Sent once: the caller
/// records a failure and tries again on its next run.
pub async fn post_webhook(
    http: &reqwest::Client,
    url: &str,
    payload: &serde_json::Value,
) -> Result<(), ApiError> {
    let url = checked_url(url)?;
    let sent = http
        .post(url)
        .timeout(WEBHOOK_TIMEOUT)
        .json(payload)
        .send()
        .await;
    // reqwest's own messages hold the URL: only the kind of failure is kept.
    let resp = match sent {
        Ok(r) => r,
        Err(e) if e.is_timeout() => {
            return Err(ApiError::Webhook(format!(
                "the webhook did not answer within {}s; it is tried again on the next run",
                WEBHOOK_TIMEOUT.as_secs()
            )));
        }
        Err(e) if e.is_connect() => {
            return Err(ApiError::Webhook(
                "could not connect to the webhook's host; check the network, it is tried again on the next run".into(),
            ));
        }
        Err(_) => {
            return Err(ApiError::Webhook(
                "the connection to the webhook failed; it is tried again on the next run".into(),
            ));
        }
    };
    let status = resp.status();
    if status.is_success() {
        return Ok(());
    }
    let code = status.as_u16();
    let hint = match code {
        300..=399 => {
            "it redirects, and seats does not follow webhook redirects: use the URL the Automation rule shows"
        }
        401 | 403 => "check the webhook's secret (copy the URL again from the Automation rule)",
        404 => "the Automation rule may have been deleted or its URL changed",
        429 => "Automation is rate limiting it; it is tried again on the next run",
        500..=599 => "Automation had trouble; it is tried again on the next run",
        _ => "it is tried again on the next run",
    };
    Err(ApiError::Webhook(format!(
        "the webhook answered HTTP {code}: {hint}"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_https_or_loopback_and_never_the_url_in_errors() {
        assert!(checked_url("https://api-private.atlassian.com/automation/webhooks/x/y").is_ok());
        assert!(checked_url("http://127.0.0.1:9/_sandbox/webhooks/a").is_ok());
        assert!(checked_url("http://localhost/_sandbox/webhooks/a").is_ok());
        for bad in [
            "http://automation.example.com/hook/SECRET123",
            "ftp://example.com/SECRET123",
            "https://user:SECRET123@example.com/",
            "not a url SECRET123",
        ] {
            let e = checked_url(bad).expect_err(bad).to_string();
            assert!(!e.contains("SECRET123"), "{e}");
            assert!(e.contains("webhook"), "{e}");
        }
    }
}
