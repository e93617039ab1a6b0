//! Self-tests of the OpenAPI validator in tests/support/spec.rs: the specs' own examples pass,
//! and the mistakes a fake or a client is likely to make are caught with a useful message.
mod support;

use serde_json::{Value, json};
use support::spec::{Exchange, Options, spec};

const SEARCH: &str = "/admin/v2/orgs/o1/directories/-/users/search";

/// Asserts a check failed and that one message contains every fragment.
fn assert_fails(result: Result<(), Vec<String>>, fragments: &[&str]) {
    let errors = result.expect_err("the check should have failed");
    assert!(
        errors
            .iter()
            .any(|e| fragments.iter().all(|f| e.contains(f))),
        "no error contains all of {fragments:?}; errors:\n{}",
        errors.join("\n")
    );
}

fn ok(result: Result<(), Vec<String>>) {
    if let Err(errors) = result {
        panic!("expected no errors, got:\n{}", errors.join("\n"));
    }
}

/// A user as the users/search response holds it, valid against the spec.
fn search_user() -> Value {
    json!({
        "accountId": "5b10ac8d82e05b22cc7d4ef5",
        "accountType": "atlassian",
        "accountStatus": "active",
        "status": "active",
        "membershipStatus": "active",
        "claimStatus": "managed",
        "name": "Ada Lovelace",
        "email": "ada@example.com",
        "addedToOrg": "2024-03-01T10:00:00Z",
        "productAccess": [{
            "id": "ari:cloud:platform::site/1",
            "key": "jira-software",
            "lastActiveTimestamp": "2026-10-01T08:30:00.000Z"
        }]
    })
}

fn search_page(user: Value) -> Value {
    json!({ "data": [user], "links": { "next": "c2" } })
}

// ---------------------------------------------------------------- matching operations

#[test]
fn paths_match_operations_with_the_server_prefix_and_literals_first() {
    let s = spec();
    let op = s.operation("POST", SEARCH).expect("users/search");
    assert_eq!(op.operation_id.as_deref(), Some("searchDirectoryUsers"));
    assert_eq!(op.path_params["directoryId"], "-");
    assert_eq!(op.path_params["orgId"], "o1");

    // `/users/{accountId}` (DELETE) must not swallow `/users/search`; GET uses the `userId` name.
    let del = s
        .operation("DELETE", "/admin/v2/orgs/o1/directories/d1/users/a%3A1")
        .expect("delete");
    assert_eq!(
        del.template,
        "/v2/orgs/{orgId}/directories/{directoryId}/users/{accountId}"
    );
    assert_eq!(
        del.path_params["accountId"], "a:1",
        "path params are percent-decoded"
    );
    let get = s
        .operation("GET", "/admin/v2/orgs/o1/directories/d1/users/a1")
        .expect("get");
    assert_eq!(
        get.template,
        "/v2/orgs/{orgId}/directories/{directoryId}/users/{userId}"
    );

    assert_eq!(
        s.operation("GET", "/users/abc/manage").map(|o| o.api),
        Some("user-management.json")
    );
    assert_eq!(
        s.operation("get", "/rest/api/3/group/member")
            .map(|o| o.api),
        Some("jira.json")
    );
    assert_eq!(
        s.operation("GET", "/ex/jira/cloud-1/rest/api/3/myself")
            .map(|o| o.template),
        Some("/rest/api/3/myself".to_string()),
        "scoped tokens reach Jira through api.atlassian.com/ex/jira/{{cloudId}}"
    );
    assert_eq!(
        s.operation("GET", "http://127.0.0.1:8080/admin/v1/orgs?cursor=c")
            .map(|o| o.template),
        Some("/v1/orgs".to_string()),
        "a recorded full URL works too"
    );
    ok(s.check_request(
        "GET",
        "http://127.0.0.1:8080/admin/v1/orgs?cursor=c",
        None,
        None,
    ));
    assert_fails(
        s.check_request(
            "GET",
            "https://api.atlassian.com/admin/v1/orgs?page=2",
            None,
            None,
        ),
        &["\"page\"", "not declared", "cursor"],
    );
    assert_eq!(
        s.operation("DELETE", "/wiki/rest/api/group/userByGroupId")
            .map(|o| o.api),
        Some("confluence-v1.json")
    );
}

#[test]
fn every_vendored_operation_is_listed_and_matches_itself() {
    let s = spec();
    let ops = s.operations();
    let count = |api: &str| ops.iter().filter(|o| o.0 == api).count();
    assert_eq!(
        [
            count("org.json"),
            count("user-management.json"),
            count("jira.json"),
            count("confluence-v1.json")
        ],
        // org: 22 plus GET .../users/count, which the parallel fetch uses.
        [23, 4, 11, 4],
        "the operations tools/trim-spec.py keeps"
    );
    let prefix = |api: &str| if api == "org.json" { "/admin" } else { "" };
    for (api, method, template) in &ops {
        let path = format!("{}{}", prefix(api), template.replace(['{', '}'], ""));
        let found = s.operation(method, &path).map(|o| o.template);
        assert_eq!(found.as_ref(), Some(template), "{method} {path}");
    }
}

#[test]
fn a_path_or_method_the_specs_do_not_have_is_reported() {
    let s = spec();
    assert!(s.operation("GET", "/admin/v1/orgs/o1/nonsense").is_none());
    assert!(
        s.operation("GET", "/v1/orgs").is_none(),
        "org paths sit under /admin"
    );
    assert!(s.operation("PUT", SEARCH).is_none());
    assert_fails(
        s.check_request("GET", "/admin/v3/orgs", None, None),
        &["no operation", "/admin/v3/orgs"],
    );
    assert_fails(
        s.check_response("PATCH", SEARCH, 200, None),
        &["no operation"],
    );
}

// ---------------------------------------------------------------- the specs' own examples

/// Every example in the vendored fixtures, as (method, concrete path, request?, status, body).
fn spec_examples() -> Vec<(String, String, Option<u16>, Value)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/openapi");
    let mut out = Vec::new();
    for (file, prefix) in [
        ("org.json", "/admin"),
        ("user-management.json", ""),
        ("jira.json", ""),
        ("confluence-v1.json", ""),
    ] {
        let text = std::fs::read_to_string(dir.join(file)).expect("fixture readable");
        let doc: Value = serde_json::from_str(&text).expect("fixture is JSON");
        let resolve = |v: &Value| -> Value {
            match v["$ref"].as_str().and_then(|r| r.strip_prefix('#')) {
                Some(p) => doc.pointer(p).cloned().unwrap_or(Value::Null),
                None => v.clone(),
            }
        };
        for (template, item) in doc["paths"].as_object().expect("paths") {
            // Concrete values for the path parameters; `-` is the org API's "all directories".
            let path = template
                .split('/')
                .map(|s| if s.starts_with('{') { "x1" } else { s })
                .collect::<Vec<_>>()
                .join("/");
            let path = format!("{prefix}{path}");
            for (method, op) in item.as_object().expect("path item") {
                let mut bodies = |content: &Value, status: Option<u16>| {
                    for media in content.as_object().into_iter().flat_map(|m| m.values()) {
                        let mut found = Vec::new();
                        if let Some(e) = media.get("example") {
                            found.push(e.clone());
                        }
                        for e in media["examples"]
                            .as_object()
                            .into_iter()
                            .flat_map(|m| m.values())
                        {
                            found.push(resolve(e)["value"].clone());
                        }
                        for e in found {
                            // Jira stores its examples as JSON text.
                            let e = match e.as_str().map(serde_json::from_str::<Value>) {
                                Some(Ok(v)) => v,
                                _ => e,
                            };
                            out.push((method.to_uppercase(), path.clone(), status, e));
                        }
                    }
                };
                bodies(&resolve(&op["requestBody"])["content"], None);
                for (status, response) in op["responses"].as_object().into_iter().flatten() {
                    if let Ok(code) = status.parse::<u16>() {
                        bodies(&resolve(response)["content"], Some(code));
                    }
                }
            }
        }
    }
    out
}

#[test]
fn the_specs_own_examples_pass() {
    let s = spec();
    let examples = spec_examples();
    // Jira's 200s, the org search and workspace requests, the user management errors, …
    assert!(
        examples.len() >= 15,
        "only {} examples found",
        examples.len()
    );
    let mut errors = Vec::new();
    for (method, path, status, body) in &examples {
        let result = match status {
            None => s.check_request(method, path, None, Some(body)),
            Some(code) => s.check_response(method, path, *code, Some(body)),
        };
        if let Err(e) = result {
            errors.extend(e);
        }
    }
    assert!(
        errors.is_empty(),
        "{} example(s) fail:\n{}",
        errors.len(),
        errors.join("\n")
    );
}

// ---------------------------------------------------------------- response bodies

#[test]
fn a_valid_users_search_page_passes() {
    ok(spec().check_response("POST", SEARCH, 200, Some(&search_page(search_user()))));
}

#[test]
fn a_wrong_type_is_reported_with_pointer_schema_and_value() {
    let mut user = search_user();
    user["mfaEnabled"] = json!("yes");
    assert_fails(
        spec().check_response("POST", SEARCH, 200, Some(&search_page(user))),
        &[
            "/data/0/mfaEnabled",
            "expected type boolean",
            "\"yes\"",
            "MultiDirectoryUser",
        ],
    );
}

#[test]
fn a_missing_required_field_is_reported() {
    assert_fails(
        spec().check_response("POST", SEARCH, 200, Some(&json!({"links": {}}))),
        &["at (root)", "missing required property \"data\""],
    );
    // MultiDirectoryUser requires nothing (a spec gap); the v1 last-active model does.
    let path = "/admin/v1/orgs/o1/directory/users/u1/last-active-dates";
    let body = json!({"data": {"product_access": [{"id": "p1"}]}, "links": {}});
    assert_fails(
        spec().check_response("GET", path, 200, Some(&body)),
        &[
            "/data/product_access/0",
            "missing required property \"key\"",
            "{\"id\":\"p1\"}",
        ],
    );
}

#[test]
fn an_unknown_enum_value_is_reported() {
    let mut user = search_user();
    user["accountStatus"] = json!("paused");
    assert_fails(
        spec().check_response("POST", SEARCH, 200, Some(&search_page(user))),
        &[
            "/data/0/accountStatus",
            "not one of the allowed values",
            "\"active\"",
            "\"paused\"",
        ],
    );
}

#[test]
fn a_misspelled_property_is_reported_by_default_and_can_be_allowed() {
    let mut user = search_user();
    let access = &mut user["productAccess"][0];
    access["lastActive"] = access["lastActiveTimestamp"].take();
    access
        .as_object_mut()
        .map(|m| m.remove("lastActiveTimestamp"));
    let body = search_page(user);
    assert_fails(
        spec().check_response("POST", SEARCH, 200, Some(&body)),
        &[
            "/data/0/productAccess/0",
            "does not declare: lastActive",
            "lastActiveTimestamp",
        ],
    );
    let errors = spec()
        .check_response("POST", SEARCH, 200, Some(&body))
        .unwrap_err();
    assert_eq!(
        errors.len(),
        1,
        "the parents must not be reported as well: {errors:#?}"
    );

    let allow = Options {
        allow_extra: &["lastActive"],
        ..Options::default()
    };
    ok(spec().check_response_with("POST", SEARCH, 200, Some(&body), &allow));
    let lenient = Options {
        strict_objects: false,
        ..Options::default()
    };
    ok(spec().check_response_with("POST", SEARCH, 200, Some(&body), &lenient));
}

#[test]
fn strictness_sees_through_all_of() {
    // GetDirectoryUserDetails-style bodies: Jira's User uses allOf for nested beans; the org
    // event page composes models. A property declared in any branch is not "undeclared".
    let s = spec();
    let me = json!({
        "accountId": "5b10ac8d82e05b22cc7d4ef5",
        "accountType": "atlassian",
        "active": true,
        "displayName": "Ada",
        "avatarUrls": {"48x48": "https://avatar.example/48"},
        "groups": {"size": 1, "items": [{"name": "jira-users", "groupId": "g1"}]},
    });
    ok(s.check_response("GET", "/rest/api/3/myself", 200, Some(&me)));
    let mut bad = me.clone();
    bad["avatarUrls"]["64x64"] = json!("https://avatar.example/64");
    assert_fails(
        s.check_response("GET", "/rest/api/3/myself", 200, Some(&bad)),
        &["/avatarUrls", "does not declare: 64x64"],
    );
}

#[test]
fn strictness_follows_the_one_of_branch_that_matched() {
    // Manageability.Rule.Simple is oneOf Allowed {allowed: true} | Unallowed {allowed: false, reason}.
    let s = spec();
    let path = "/users/5b10ac8d82e05b22cc7d4ef5/manage";
    let body = json!({
        "lifecycle.enablement": {"allowed": false, "reason": {"key": "externalDirectory.scim"}},
        "profile.read": {"allowed": true},
        "profile.write": {"name": {"allowed": true}},
    });
    ok(s.check_response("GET", path, 200, Some(&body)));
    let mut bad = body.clone();
    bad["profile.read"]["reason"] = json!({"key": "administrative"});
    assert_fails(
        s.check_response("GET", path, 200, Some(&bad)),
        &["/profile.read", "does not declare: reason"],
    );
    let mut bad = body;
    bad["lifecycle.enablement"]["reason"]["key"] = json!("scim");
    let errors = s.check_response("GET", path, 200, Some(&bad)).unwrap_err();
    assert_eq!(errors.len(), 1, "one error, not a cascade: {errors:#?}");
    assert!(
        errors[0].contains("/lifecycle.enablement: matches none of the oneOf"),
        "{errors:#?}"
    );
}

#[test]
fn confluence_group_pages_and_members_are_checked() {
    let s = spec();
    let groups = json!({
        "results": [{"type": "group", "name": "confluence-users", "id": "g1",
                     "_links": {"self": "https://x.atlassian.net/wiki/rest/api/group/by-id?id=g1"}}],
        "start": 0, "limit": 200, "size": 1,
        "_links": {"base": "https://x.atlassian.net/wiki", "context": "/wiki"}
    });
    ok(s.check_response("GET", "/wiki/rest/api/group", 200, Some(&groups)));
    let mut bad = groups.clone();
    bad["results"][0]["groupId"] = bad["results"][0]["id"].take();
    bad["results"][0].as_object_mut().map(|m| m.remove("id"));
    assert_fails(
        s.check_response("GET", "/wiki/rest/api/group", 200, Some(&bad)),
        &["/results/0", "missing required property \"id\""],
    );
    assert_fails(
        s.check_response("GET", "/wiki/rest/api/group", 200, Some(&bad)),
        &["/results/0", "does not declare: groupId"],
    );

    // Confluence's User allows additional properties: only types and enums are checked.
    let members = json!({
        "results": [{"type": "known", "accountId": "5b10ac8d82e05b22cc7d4ef5", "accountType": "atlassian",
                     "email": "", "publicName": "Ada", "displayName": "Ada", "somethingNew": 1}],
        "start": 0, "limit": 200, "size": 1, "_links": {}
    });
    let path = "/wiki/rest/api/group/g1/membersByGroupId";
    ok(s.check_response("GET", path, 200, Some(&members)));
    let mut bad = members;
    bad["results"][0]["type"] = json!("robot");
    assert_fails(
        s.check_response("GET", path, 200, Some(&bad)),
        &["/results/0/type", "allowed values"],
    );

    let add = "/wiki/rest/api/group/userByGroupId";
    ok(s.check_request(
        "POST",
        add,
        Some("groupId=g1"),
        Some(&json!({"accountId": "a1"})),
    ));
    assert_fails(
        s.check_request("POST", add, Some("groupId=g1"), None),
        &["request body is required"],
    );
    assert_fails(
        s.check_request("POST", add, None, Some(&json!({"accountId": "a1"}))),
        &["missing required query parameter \"groupId\""],
    );
    ok(s.check_response("DELETE", add, 204, None));
}

#[test]
fn a_wrong_date_time_is_reported() {
    let mut user = search_user();
    user["productAccess"][0]["lastActiveTimestamp"] = json!("2026-10-01 08:30");
    assert_fails(
        spec().check_response("POST", SEARCH, 200, Some(&search_page(user))),
        &[
            "/data/0/productAccess/0/lastActiveTimestamp",
            "not a valid date-time",
            "2026-10-01 08:30",
        ],
    );
    // snake_case v1 model: last_active is a date, last_active_timestamp a date-time.
    let path = "/admin/v1/orgs/o1/directory/users/u1/last-active-dates";
    let page = |last: Value| {
        json!({"data": {"product_access": [{"id": "p1", "key": "confluence", "last_active": last}]},
               "links": {}})
    };
    ok(spec().check_response("GET", path, 200, Some(&page(json!("2026-10-01")))));
    assert_fails(
        spec().check_response("GET", path, 200, Some(&page(json!("01/10/2026")))),
        &["last_active", "not a valid date"],
    );
}

#[test]
fn nullable_fields_accept_null_and_others_do_not() {
    // MultiDirectoryUser.managementSource is a nullable enum; accountId is not nullable.
    let mut user = search_user();
    user["managementSource"] = Value::Null;
    ok(spec().check_response("POST", SEARCH, 200, Some(&search_page(user.clone()))));
    user["accountId"] = Value::Null;
    assert_fails(
        spec().check_response("POST", SEARCH, 200, Some(&search_page(user))),
        &["/data/0/accountId", "expected type string"],
    );
}

#[test]
fn statuses_must_be_declared_and_204_has_no_body() {
    let s = spec();
    let suspend = "/admin/v2/orgs/o1/directories/d1/users/u1/suspend";
    ok(s.check_response("POST", suspend, 204, None));
    assert_fails(
        s.check_response("POST", suspend, 204, Some(&json!({}))),
        &["204 must have no body"],
    );
    assert_fails(
        s.check_response("POST", suspend, 200, None),
        &["status 200 is not declared", "204"],
    );
    // Jira's group/member declares no 429, but a gateway can send one.
    let member = "/rest/api/3/group/member";
    assert_fails(
        s.check_response("GET", member, 429, None),
        &["status 429 is not declared"],
    );
    let gateway = Options {
        extra_statuses: &[429],
        ..Options::default()
    };
    ok(s.check_response_with("GET", member, 429, None, &gateway));
    // A declared JSON body must be there.
    assert_fails(
        s.check_response("GET", "/admin/v1/orgs", 200, None),
        &["declares a JSON body"],
    );
    // Except where the schema is empty: Jira's notify 204 has no body on the wire.
    ok(s.check_response("POST", "/rest/api/3/issue/REV-1/notify", 204, None));
}

#[test]
fn error_bodies_are_checked_where_the_spec_describes_them() {
    let s = spec();
    let disable = "/users/5b10ac8d82e05b22cc7d4ef5/manage/lifecycle/disable";
    let conflict = |account: &str| {
        json!({
            "key": "conflict.lifecycleErrors",
            "context": {
                "accountId": account,
                "errorCodes": [{"code": "account.managed.by.scim", "message": "synced"}],
                "message": "cannot disable"
            }
        })
    };
    // Passes only thanks to the AccountId pattern erratum (published with a trailing newline).
    ok(s.check_response(
        "POST",
        disable,
        409,
        Some(&conflict("5b10ac8d82e05b22cc7d4ef5")),
    ));
    assert_fails(
        s.check_response("POST", disable, 409, Some(&conflict("!!!"))),
        &["/context/accountId", "does not match the pattern"],
    );
    assert_fails(
        s.check_response("POST", disable, 409, Some(&json!(["no"]))),
        &["at (root)", "expected type object"],
    );
    // Jira declares its 4xx without a schema: any body is accepted there.
    ok(s.check_response(
        "GET",
        "/rest/api/3/group/member",
        404,
        Some(&json!({"errorMessages": ["no group"]})),
    ));
}

#[test]
fn role_assignment_takes_account_ids_despite_the_uuid_format() {
    let path = "/admin/v1/orgs/o1/users/5b10ac8d82e05b22cc7d4ef5/roles/assign";
    let body = json!({"role": "atlassian/user", "resource": "ari:cloud:platform::site/1"});
    ok(spec().check_request("POST", path, None, Some(&body)));
    assert_fails(
        spec().check_request(
            "POST",
            path,
            None,
            Some(&json!({"role": "atlassian/owner"})),
        ),
        &["/role"],
    );
}

/// Every schema node below a component that carries an `example`: (api, where, schema, example).
fn schema_examples() -> Vec<(&'static str, String, Value, Value)> {
    type Found = Vec<(&'static str, String, Value, Value)>;
    fn walk(api: &'static str, at: String, node: &Value, out: &mut Found) {
        let Some(m) = node.as_object() else { return };
        if let Some(example) = m.get("example") {
            out.push((api, at.clone(), node.clone(), example.clone()));
        }
        for (k, v) in m {
            match (k.as_str(), v) {
                ("properties", Value::Object(props)) => props
                    .iter()
                    .for_each(|(name, p)| walk(api, format!("{at}/properties/{name}"), p, out)),
                ("items" | "additionalProperties" | "not", v) => {
                    walk(api, format!("{at}/{k}"), v, out)
                }
                ("allOf" | "anyOf" | "oneOf", Value::Array(bs)) => bs
                    .iter()
                    .enumerate()
                    .for_each(|(i, b)| walk(api, format!("{at}/{k}/{i}"), b, out)),
                _ => {}
            }
        }
    }
    let mut out = Vec::new();
    for api in [
        "org.json",
        "user-management.json",
        "jira.json",
        "confluence-v1.json",
    ] {
        let doc = spec().document(api).expect("vendored");
        for (name, schema) in doc["components"]["schemas"]
            .as_object()
            .into_iter()
            .flatten()
        {
            walk(api, name.clone(), schema, &mut out);
        }
    }
    out
}

/// Examples the published specs get wrong; they must keep failing, or this list is stale.
const WRONG_EXAMPLES: &[(&str, &str)] = &[
    // A string enum whose example is an array of it.
    ("org.json", "PlatformRole"),
];

#[test]
fn the_schemas_own_examples_pass() {
    let examples = schema_examples();
    assert!(
        examples.len() >= 50,
        "only {} schema examples found",
        examples.len()
    );
    let mut errors = Vec::new();
    for (api, at, schema, example) in &examples {
        let result = spec().check_value(api, schema, example, true, &Options::default());
        let known_wrong = WRONG_EXAMPLES.contains(&(*api, at.as_str()));
        match result {
            Err(e) if !known_wrong => errors.extend(e.into_iter().map(|m| format!("{at}: {m}"))),
            Ok(()) if known_wrong => {
                errors.push(format!("{api} {at}: listed in WRONG_EXAMPLES but passes"))
            }
            _ => {}
        }
    }
    assert!(
        errors.is_empty(),
        "{} schema example(s) fail:\n{}",
        errors.len(),
        errors.join("\n")
    );
}

// ---------------------------------------------------------------- requests

#[test]
fn a_valid_search_request_passes() {
    ok(spec().check_request(
        "POST",
        SEARCH,
        None,
        Some(&json!({"searchTerm": "ada", "expand": ["productAccess"], "limit": 100, "cursor": "c2"})),
    ));
}

#[test]
fn a_limit_over_100_is_reported_in_bodies_and_queries() {
    assert_fails(
        spec().check_request("POST", SEARCH, None, Some(&json!({"limit": 101}))),
        &[
            "request body at /limit",
            "greater than the maximum 100",
            "101",
        ],
    );
    let list = "/admin/v2/orgs/o1/directories/-/users";
    ok(spec().check_request("GET", list, Some("limit=100&cursor=abc"), None));
    assert_fails(
        spec().check_request("GET", list, Some("limit=101"), None),
        &["\"limit\"", "maximum 100"],
    );
    assert_fails(
        spec().check_request("GET", list, Some("limit=many"), None),
        &["\"limit\"", "expected type integer"],
    );
}

#[test]
fn an_undeclared_query_parameter_is_reported() {
    assert_fails(
        spec().check_request(
            "GET",
            "/rest/api/3/group/member",
            Some("groupId=g1&startat=0"),
            None,
        ),
        &["\"startat\"", "not declared", "startAt"],
    );
    ok(spec().check_request(
        "GET",
        "/rest/api/3/group/member",
        Some("groupId=g1&startAt=50&maxResults=50"),
        None,
    ));
}

#[test]
fn query_arrays_enums_and_required_parameters_are_checked() {
    let s = spec();
    let list = "/admin/v2/orgs/o1/directories/-/users";
    ok(s.check_request("GET", list, Some("status=active&status=suspended"), None));
    assert_fails(
        s.check_request("GET", list, Some("status=gone"), None),
        &["\"status\"", "allowed values"],
    );
    // Jira DELETE group/user requires accountId.
    assert_fails(
        s.check_request("DELETE", "/rest/api/3/group/user", Some("groupId=g1"), None),
        &["missing required query parameter \"accountId\""],
    );
    ok(s.check_request(
        "DELETE",
        "/rest/api/3/group/user",
        Some("groupId=g1&accountId=a1"),
        None,
    ));
    ok(s.check_request(
        "GET",
        "/rest/api/3/group/bulk",
        Some("groupId=g1&groupId=g2&startAt=0"),
        None,
    ));
}

#[test]
fn request_bodies_are_checked_strictly_too() {
    let s = spec();
    let membership = "/admin/v2/orgs/o1/directories/d1/groups/g1/memberships";
    ok(s.check_request("POST", membership, None, Some(&json!({"accountId": "a1"}))));
    assert_fails(
        s.check_request("POST", membership, None, Some(&json!({"account_id": "a1"}))),
        &["does not declare: account_id", "declares: accountId"],
    );
    assert_fails(
        s.check_request(
            "POST",
            "/admin/v2/orgs/o1/directories/d1/users/u1/suspend",
            None,
            Some(&json!({})),
        ),
        &["takes no request body"],
    );
    assert_fails(
        s.check_request(
            "POST",
            SEARCH,
            None,
            Some(&json!({"expand": ["lastActive"]})),
        ),
        &["/expand/0"],
    );
}

#[test]
fn search_term_with_emails_is_not_a_schema_error() {
    // The API answers 400 ("mutually exclusive"), but the schema has no oneOf/not for it: the
    // client must enforce it itself, and the sandbox must answer 400 like the real API.
    ok(spec().check_request(
        "POST",
        SEARCH,
        None,
        Some(&json!({"searchTerm": "ada", "emails": ["ada@example.com"]})),
    ));
}

#[test]
fn exchanges_are_checked_as_a_whole() {
    let s = spec();
    let request = json!({"limit": 500});
    let response = search_page(search_user());
    let ex = Exchange {
        method: "POST",
        path: SEARCH,
        query: Some("debug=1"),
        request_body: Some(&request),
        status: 200,
        response_body: Some(&response),
    };
    let errors = s.check_exchange(&ex).unwrap_err();
    assert_eq!(errors.len(), 2, "{errors:#?}");
    let fine = Exchange {
        query: None,
        request_body: None,
        ..ex
    };
    ok(s.check_exchange(&fine));
    assert_fails(s.check_all([&ex, &fine]), &["exchange #0", "\"debug\""]);
}
