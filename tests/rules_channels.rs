//! The rules' live channels against wiremock: Jira's issue notify and the review issue's
//! comments (every request valid against the Jira spec, comments read across pages), and the
//! webhook (a JSON POST of the notice; a failure names "the webhook", never its URL).
mod support;

use seats::atlassian::{Client, ClientOptions, Connection, Secret};
use seats::rules::{LiveTransport, NoticeText, Transport};
use serde_json::{Value, json};
use support::spec::spec;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn client(server: &MockServer) -> Client {
    let conn = Connection {
        admin_url: Some(server.uri()),
        site_url: Some(server.uri()),
        org_id: Some("o".into()),
        email: Some("admin@acme.example".into()),
        org_api_key: Some(Secret::new("k")),
        site_token: Some(Secret::new("t")),
    };
    Client::with_options(&conn, ClientOptions::default()).unwrap()
}

fn notice() -> NoticeText {
    NoticeText {
        subject: "Your Jira Software seat will be reclaimed on 2026-12-19".into(),
        text_body: "Hello Ada, ...".into(),
        payload: json!({ "account_id": "a1", "deadline": "2026-12-19T08:00:00Z" }),
    }
}

fn comment(id: &str, author: &str, created: &str) -> Value {
    json!({
        "id": id,
        "self": format!("https://acme.atlassian.net/rest/api/3/issue/10010/comment/{id}"),
        "author": { "accountId": author, "active": true, "displayName": author, "self": "https://acme.atlassian.net/rest/api/3/user" },
        "body": { "type": "doc", "version": 1, "content": [] },
        "created": created,
        "updated": created,
        "jsdPublic": true
    })
}

#[tokio::test]
async fn notify_and_comments_send_spec_valid_requests() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/rest/api/3/issue/OPS-12/notify"))
        .respond_with(ResponseTemplate::new(204))
        .mount(&server)
        .await;
    for (start, body) in [
        (
            "0",
            json!({"startAt": 0, "maxResults": 2, "total": 3, "comments": [
                comment("10001", "a1", "2026-12-02T10:00:00.000+00:00"),
                comment("10002", "a2", "2026-12-03T10:00:00.000+00:00")
            ]}),
        ),
        (
            "2",
            json!({"startAt": 2, "maxResults": 2, "total": 3, "comments": [
                comment("10003", "a3", "2026-12-04T10:00:00.000+00:00")
            ]}),
        ),
    ] {
        if let Err(e) =
            spec().check_response("GET", "/rest/api/3/issue/OPS-12/comment", 200, Some(&body))
        {
            panic!("mock comments page is not spec-valid: {e:?}");
        }
        Mock::given(method("GET"))
            .and(path("/rest/api/3/issue/OPS-12/comment"))
            .and(query_param("startAt", start))
            .respond_with(ResponseTemplate::new(200).set_body_json(body))
            .mount(&server)
            .await;
    }
    let t = LiveTransport::new(client(&server));
    let reference = t.notify_issue("OPS-12", &notice(), "a1").await.unwrap();
    assert_eq!(reference, "jira-notify:OPS-12");
    let comments = t.issue_comments("OPS-12").await.unwrap();
    let ids: Vec<(&str, &str)> = comments
        .iter()
        .map(|c| (c.id.as_str(), c.author_account_id.as_str()))
        .collect();
    assert_eq!(ids, [("10001", "a1"), ("10002", "a2"), ("10003", "a3")]);
    assert_eq!(
        comments[2].created.to_rfc3339(),
        "2026-12-04T10:00:00+00:00"
    );

    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 3);
    for r in &requests {
        let body: Option<Value> = serde_json::from_slice(&r.body).ok();
        if let Err(e) = spec().check_request(
            r.method.as_str(),
            r.url.path(),
            r.url.query(),
            body.as_ref(),
        ) {
            panic!("{} {} is not spec-valid: {e:?}", r.method, r.url);
        }
    }
    let notify: Value = serde_json::from_slice(&requests[0].body).unwrap();
    assert_eq!(notify["to"]["users"][0]["accountId"], "a1");
    assert_eq!(notify["subject"], notice().subject);
}

#[tokio::test]
async fn the_webhook_gets_the_notice_and_its_url_stays_out_of_errors() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/hooks/ok-token"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/hooks/broken-token"))
        .respond_with(ResponseTemplate::new(500))
        .mount(&server)
        .await;
    let t = LiveTransport::new(client(&server));
    let ok_url = format!("{}/hooks/ok-token", server.uri());
    let broken_url = format!("{}/hooks/broken-token", server.uri());
    let payload = notice().payload;
    let ok = t
        .post_webhook_to(&ok_url, "rules-ok", &payload)
        .await
        .unwrap();
    assert_eq!(ok, "webhook:rules-ok");
    let err = t
        .post_webhook_to(&broken_url, "rules-broken", &payload)
        .await
        .unwrap_err();
    let refused = t
        .post_webhook_to("http://hooks.example.com/x", "plain", &payload)
        .await
        .unwrap_err();
    assert!(refused.contains("only https is allowed"), "{refused}");
    assert!(
        err.starts_with("webhook \"rules-broken\": the webhook answered HTTP 500"),
        "{err}"
    );
    assert!(
        !err.contains("broken-token") && !err.contains("127.0.0.1"),
        "{err}"
    );
    let received = server.received_requests().await.unwrap();
    let body: Value = serde_json::from_slice(&received[0].body).unwrap();
    assert_eq!(body, payload);
}
