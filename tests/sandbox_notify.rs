//! Notices and comments through seats' client against the sandbox (Jira's `notify` and
//! `comment`), the outbox a test reads, and notices by webhook (`post_webhook`), whose URL is a
//! secret that no error repeats.
#[path = "support/sandbox.rs"]
mod sandbox_support;

use chrono::Duration;
use reqwest::Method;
use sandbox_support::{TestSandbox, json_of, start_with};
use seats::atlassian::jira::{IssueNotice, myself};
use seats::atlassian::webhook::{client as webhook_client, post_webhook};
use seats::atlassian::{ApiError, Client, Connection, Secret};
use seats::sandbox::{self, SandboxConfig};
use serde_json::json;

struct Setup {
    sb: TestSandbox,
    client: Client,
    me: String,
    users: Vec<String>,
}

async fn setup() -> Setup {
    let sb = start_with(SandboxConfig {
        users: 200,
        clock_start: seats::commands::sandbox::parse_clock("2026-03-02").ok(),
        ..SandboxConfig::default()
    })
    .await;
    let conn = Connection {
        admin_url: Some(sb.base.clone()),
        site_url: Some(sb.base.clone()),
        org_id: Some(sb.org.clone()),
        email: Some(sandbox::DEFAULT_SITE_EMAIL.into()),
        org_api_key: Some(Secret::new(sandbox::DEFAULT_ORG_API_KEY.to_string())),
        site_token: Some(Secret::new(sandbox::DEFAULT_SITE_TOKEN.to_string())),
    };
    let client = Client::new(&conn).expect("a client");
    let me = myself(&client).await.expect("myself").account_id;
    let users: Vec<String> = {
        let shared = sb.sandbox.shared();
        let s = shared.read();
        s.users
            .iter()
            .filter(|u| u.can_sign_in() && u.account_id != me)
            .take(5)
            .map(|u| u.account_id.clone())
            .collect()
    };
    Setup {
        sb,
        client,
        me,
        users,
    }
}

fn notice(to: &[&str]) -> IssueNotice {
    IssueNotice {
        subject: "Your Jira Software seat".into(),
        text_body: "You have not used Jira Software for 90 days.\nComment on REV-1 to keep it."
            .into(),
        account_ids: to.iter().map(|s| s.to_string()).collect(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_notice_lands_in_the_outbox_as_sent() {
    let Setup {
        sb, client, users, ..
    } = setup().await;
    sb.sandbox.advance_days(3).unwrap();
    client
        .notify_issue("REV-1", &notice(&[&users[0], &users[1]]))
        .await
        .expect("queued");
    let outbox = sb.sandbox.outbox();
    assert_eq!(outbox.notices.len(), 1);
    let n = &outbox.notices[0];
    assert_eq!(n.issue_key, "REV-1");
    assert_eq!(n.to, vec![users[0].clone(), users[1].clone()]);
    assert_eq!(n.subject, "Your Jira Software seat");
    assert!(n.text_body.contains("Comment on REV-1"), "{}", n.text_body);
    let start = seats::commands::sandbox::parse_clock("2026-03-02").unwrap();
    assert!(
        n.at - start >= Duration::days(3),
        "dated by the virtual clock: {}",
        n.at
    );

    // The same over HTTP, in the documented shape.
    let r = sb
        .client
        .request(Method::GET, format!("{}/_sandbox/outbox", sb.base))
        .send()
        .await
        .unwrap();
    let body = json_of(r, 200).await;
    let first = &body["notices"][0];
    assert_eq!(first["issue_key"], "REV-1");
    assert_eq!(first["to"], json!([users[0], users[1]]));
    assert_eq!(first["subject"], "Your Jira Software seat");
    assert!(
        first["text_body"].is_string() && first["at"].is_string(),
        "{body}"
    );
    assert_eq!(body["webhooks"], json!([]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_notices_are_the_errors_jira_documents_and_send_nothing() {
    let Setup {
        sb,
        client,
        me,
        users,
    } = setup().await;
    // The caller alone: 400.
    let e = client
        .notify_issue("REV-1", &notice(&[&me]))
        .await
        .unwrap_err();
    assert!(
        matches!(e, ApiError::BadRequest { status: 400, .. }),
        "{e:?}"
    );
    assert!(e.to_string().contains("same as the calling user"), "{e}");
    // Mail off: 403.
    sb.sandbox.set_mail_enabled(false);
    let e = client
        .notify_issue("REV-1", &notice(&[&users[0]]))
        .await
        .unwrap_err();
    assert!(matches!(e, ApiError::Forbidden { .. }), "{e:?}");
    assert!(
        e.to_string().to_lowercase().contains("outgoing email"),
        "{e}"
    );
    // Toggled back over HTTP.
    let r = sb
        .client
        .post(format!("{}/_sandbox/mail", sb.base))
        .json(&json!({"enabled": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    client
        .notify_issue("REV-1", &notice(&[&users[0]]))
        .await
        .expect("mail is on again");
    // No such issue: 404; not an issue key at all: refused before sending.
    let e = client
        .notify_issue("rev-1", &notice(&[&users[0]]))
        .await
        .unwrap_err();
    assert!(matches!(e, ApiError::NotFound { .. }), "{e:?}");
    let e = client
        .notify_issue("REV 1/../x", &notice(&[&users[0]]))
        .await
        .unwrap_err();
    assert!(matches!(e, ApiError::Config(_)), "{e:?}");
    assert_eq!(
        sb.sandbox.outbox().notices.len(),
        1,
        "only the accepted notice"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn comments_are_read_in_full_oldest_first_with_their_authors() {
    let Setup {
        sb, client, users, ..
    } = setup().await;
    assert!(client.issue_comments("REV-9").await.unwrap().is_empty());
    // More than two pages of 100.
    for i in 0..230 {
        let author = &users[i % users.len()];
        sb.sandbox
            .add_comment(
                "REV-9",
                author,
                &format!("comment {i}\nplease keep my seat"),
            )
            .unwrap();
    }
    sb.sandbox.advance_days(2).unwrap();
    sb.sandbox
        .add_comment("REV-9", &users[4], "late claim")
        .unwrap();
    sb.sandbox
        .add_comment("REV-10", &users[0], "another issue")
        .unwrap();
    let got = client.issue_comments("REV-9").await.unwrap();
    assert_eq!(got.len(), 231);
    for (i, c) in got.iter().take(230).enumerate() {
        assert_eq!(c.author_account_id, users[i % users.len()]);
        assert_eq!(c.body_text, format!("comment {i}\nplease keep my seat"));
    }
    let last = &got[230];
    assert_eq!(
        (last.author_account_id.as_str(), last.body_text.as_str()),
        (users[4].as_str(), "late claim")
    );
    assert!(last.created - got[0].created >= Duration::days(2));
    let ids: std::collections::BTreeSet<&str> = got.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids.len(), 231, "no comment twice");
    // Comments from the site admin over the Jira API are there too.
    let r = sb
        .site_send(
            Method::POST,
            "/rest/api/3/issue/REV-10/comment",
            Some(&json!({"body": {"type": "doc", "version": 1, "content": [
                {"type": "paragraph", "content": [{"type": "text", "text": "noted"}]}]}})),
        )
        .await;
    assert_eq!(r.status().as_u16(), 201);
    let other = client.issue_comments("REV-10").await.unwrap();
    let texts: Vec<&str> = other.iter().map(|c| c.body_text.as_str()).collect();
    assert_eq!(texts, ["another issue", "noted"]);
    let e = client.issue_comments("nope").await.unwrap_err();
    assert!(matches!(e, ApiError::NotFound { .. }), "{e:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_webhook_call_lands_in_the_outbox_and_its_url_stays_secret() {
    let Setup { sb, .. } = setup().await;
    let http = webhook_client().unwrap();
    let url = format!("{}/_sandbox/webhooks/8f1c-SECRETPART", sb.base);
    let payload = json!({"account_id": "a1", "product": "jira-software", "deadline": "2026-03-16"});
    post_webhook(&http, &url, &payload)
        .await
        .expect("delivered");
    let outbox = sb.sandbox.outbox();
    assert_eq!(outbox.webhooks.len(), 1);
    assert_eq!(
        outbox.webhooks[0].path,
        "/_sandbox/webhooks/8f1c-SECRETPART"
    );
    assert_eq!(outbox.webhooks[0].payload, payload);

    // A URL that answers 404, one where nothing listens, one on plain http elsewhere: errors
    // that say "the webhook" and never the URL.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let cases = [
        (format!("{}/hooks/SECRETPART", sb.base), "HTTP 404"),
        (
            format!("http://127.0.0.1:{closed}/hooks/SECRETPART"),
            "connect",
        ),
        ("http://hooks.example.com/SECRETPART".to_string(), "https"),
    ];
    for (bad, says) in cases {
        let e = post_webhook(&http, &bad, &payload).await.unwrap_err();
        let text = e.to_string();
        assert!(text.contains("webhook") && text.contains(says), "{text}");
        assert!(
            !text.contains("SECRETPART") && !format!("{e:?}").contains("SECRETPART"),
            "{text}"
        );
    }
    assert_eq!(sb.sandbox.outbox().webhooks.len(), 1);
}
