//! Checks HTTP exchanges against Atlassian's official OpenAPI specs, vendored (trimmed) in
//! `tests/fixtures/openapi` by `tools/trim-spec.py`.
//!
//! OpenAPI 3.0 schemas are not JSON Schema, so each one is converted to a JSON Schema 2020-12
//! document (components under `$defs`), then compiled lazily with `jsonschema`, once per
//! (operation, request/response status, strictness):
//! - `$ref: #/components/schemas/X` becomes `#/$defs/X`; other siblings of a `$ref` are ignored as
//!   OpenAPI 3.0 says, except `nullable`.
//! - `nullable: true` adds `null` to `type` (and `enum`), or wraps the schema in `anyOf [null, …]`.
//! - `readOnly` properties are not required in requests, `writeOnly` ones not in responses.
//! - `discriminator`, `example(s)`, `x-*`, `xml`, `externalDocs` and prose are dropped.
//! - formats are checked (`date-time`, `date`, `uuid`, `uri`, `email`, …); OpenAPI's numeric
//!   formats (`int32`, `int64`, …) are ignored.
//!
//! **Strict objects (the default).** Atlassian's schemas rarely say `additionalProperties: false`,
//! so a misspelt field would pass plain validation. Every object schema that declares
//! `properties` (itself or through `allOf`/`anyOf`/`oneOf`) and says nothing about
//! `additionalProperties` gets `unevaluatedProperties: false`, so undeclared properties are
//! reported. Branches of a composition are left open and the composing schema is closed, which
//! keeps `allOf` of several objects working. Relax it per call with [`Options`]: `allow_extra`
//! lists property names to accept anyway, `strict_objects: false` turns it off. Note each use
//! with the spec gap it works around.
//!
//! Where a spec declares a response without a body schema (many 4xx in the Jira and Confluence
//! specs, Jira's `DELETE /group/user` 200), any body is accepted, except that a 204 must have none.
//! Where it declares an empty schema (`{}`, Jira's `notify` 204), no body is accepted too.
#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;
use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};

use jsonschema::error::{TypeKind, ValidationErrorKind};
use jsonschema::{Draft, ValidationError, Validator};
use serde_json::{Map, Value, json};

/// The vendored specs, and extra path prefixes under which each API is also served
/// (scoped tokens reach Jira and Confluence through `api.atlassian.com/ex/<product>/<cloudId>`).
const APIS: &[(&str, &[&str])] = &[
    ("org.json", &[]),
    ("user-management.json", &[]),
    ("jira.json", &["/ex/jira/{cloudId}"]),
    ("confluence-v1.json", &["/ex/confluence/{cloudId}"]),
];

/// Known defects in the published specs, fixed in memory when loading (the fixtures stay as
/// published). Loading fails if one no longer matches, so a regenerated fixture gets a look.
/// (api, JSON pointer, the published value, the value used instead or `None` to drop the keyword)
const ERRATA: &[(&str, &str, &str, Option<&str>)] = &[
    // A YAML block scalar leaked a newline into the pattern: as published, no account ID matches.
    (
        "user-management.json",
        "/components/schemas/AccountId/pattern",
        "[a-zA-Z0-9_|:-]{1,128}\n",
        Some("[a-zA-Z0-9_|:-]{1,128}"),
    ),
    // `userId` is an Atlassian account ID (e.g. 5b10ac8d82e05b22cc7d4ef5, from GET /v1/orgs/{orgId}/users),
    // not a UUID as the schema's `format` says.
    (
        "org.json",
        "/paths/~1v1~1orgs~1{orgId}~1users~1{userId}~1roles~1assign/post/parameters/1/schema/format",
        "uuid",
        None,
    ),
    (
        "org.json",
        "/paths/~1v1~1orgs~1{orgId}~1users~1{userId}~1roles~1revoke/post/parameters/1/schema/format",
        "uuid",
        None,
    ),
];

fn apply_errata(file: &str, doc: &mut Value) -> Result<(), String> {
    for (api, pointer, published, fixed) in ERRATA.iter().filter(|e| e.0 == file) {
        let (parent, key) = pointer.rsplit_once('/').unwrap_or(("", pointer));
        let holder = doc.pointer_mut(parent).and_then(Value::as_object_mut);
        let Some(holder) =
            holder.filter(|h| h.get(key).and_then(Value::as_str) == Some(*published))
        else {
            return Err(format!(
                "{api}: erratum at {pointer} no longer matches {published:?}: re-check it against the spec"
            ));
        };
        match fixed {
            Some(v) => holder.insert(key.to_string(), json!(v)),
            None => holder.remove(key),
        };
    }
    Ok(())
}

const METHODS: &[&str] = &["get", "put", "post", "delete", "patch", "head", "options"];

/// Longest value or schema text quoted in an error message.
const SNIPPET: usize = 160;

/// How strictly a check treats properties the spec does not declare.
#[derive(Clone, Copy, Debug)]
pub struct Options<'a> {
    /// Report object properties the schema does not declare (default: true).
    pub strict_objects: bool,
    /// Property names accepted even where undeclared (a spec gap; note why at the call site).
    pub allow_extra: &'a [&'a str],
    /// Response statuses accepted even if the operation does not declare them (e.g. a gateway
    /// 429); their bodies are not checked.
    pub extra_statuses: &'a [u16],
}

impl Default for Options<'_> {
    fn default() -> Self {
        STRICT
    }
}

/// The default: undeclared properties and statuses are errors.
pub const STRICT: Options<'static> = Options {
    strict_objects: true,
    allow_extra: &[],
    extra_statuses: &[],
};

/// One request and its response, as a recording fake would keep them.
pub trait ExchangeLike {
    fn method(&self) -> &str;
    /// The path without the query, e.g. `/admin/v1/orgs`.
    fn path(&self) -> &str;
    /// The raw query string without `?`.
    fn query(&self) -> Option<&str>;
    fn request_body(&self) -> Option<&Value>;
    fn status(&self) -> u16;
    fn response_body(&self) -> Option<&Value>;
}

/// A borrowed exchange, for checks written inline.
#[derive(Clone, Copy, Debug)]
pub struct Exchange<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub query: Option<&'a str>,
    pub request_body: Option<&'a Value>,
    pub status: u16,
    pub response_body: Option<&'a Value>,
}

impl ExchangeLike for Exchange<'_> {
    fn method(&self) -> &str {
        self.method
    }
    fn path(&self) -> &str {
        self.path
    }
    fn query(&self) -> Option<&str> {
        self.query
    }
    fn request_body(&self) -> Option<&Value> {
        self.request_body
    }
    fn status(&self) -> u16 {
        self.status
    }
    fn response_body(&self) -> Option<&Value> {
        self.response_body
    }
}

/// The operation a concrete request matched.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OperationRef {
    /// The fixture file, e.g. `org.json`.
    pub api: &'static str,
    /// Upper case, e.g. `POST`.
    pub method: String,
    /// The spec's path template, e.g. `/v2/orgs/{orgId}/directories/{directoryId}/users/search`.
    pub template: String,
    pub operation_id: Option<String>,
    /// Percent-decoded path parameter values by name.
    pub path_params: BTreeMap<String, String>,
    api_index: usize,
}

#[derive(Debug)]
enum Seg {
    Lit(String),
    Param(String),
}

struct Op {
    method: &'static str,
    template: String,
    segs: Vec<Seg>,
}

struct Api {
    file: &'static str,
    doc: Value,
    /// Path prefixes (as segments) the API's paths may sit under; the first is the server's.
    prefixes: Vec<Vec<Seg>>,
    ops: Vec<Op>,
}

/// All vendored APIs. Get it with [`spec`].
pub struct Spec {
    apis: Vec<Api>,
    /// Compiled validators with the JSON Schema they came from (for error messages).
    compiled: Mutex<HashMap<String, Arc<(Validator, Value)>>>,
}

/// The vendored specs, loaded once per test binary.
pub fn spec() -> &'static Spec {
    static SPEC: OnceLock<Spec> = OnceLock::new();
    SPEC.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/openapi");
        Spec::load(&dir).unwrap_or_else(|e| panic!("{e} (regenerate with tools/trim-spec.py)"))
    })
}

fn segments(path: &str) -> Vec<Seg> {
    path.split('/')
        .filter(|s| !s.is_empty())
        .map(
            |s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some(name) => Seg::Param(name.to_string()),
                None => Seg::Lit(s.to_string()),
            },
        )
        .collect()
}

/// A request target without scheme and host, if it is a full URL.
fn without_origin(target: &str) -> &str {
    match target.split_once("://") {
        Some((_, rest)) => rest.find('/').map_or("/", |i| &rest[i..]),
        None => target,
    }
}

/// The path part of a server URL: `https://api.atlassian.com/admin` gives `/admin`.
fn server_path(url: &str) -> &str {
    let rest = url.split_once("//").map_or(url, |(_, r)| r);
    rest.find('/').map_or("", |i| &rest[i..])
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push((h * 16 + l) as u8);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn snippet(v: &Value) -> String {
    let mut s = v.to_string();
    if s.chars().count() > SNIPPET {
        s = s.chars().take(SNIPPET).collect::<String>() + "…";
    }
    s
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Dir {
    Request,
    Response,
}

impl Spec {
    fn load(dir: &Path) -> Result<Spec, String> {
        let mut apis = Vec::new();
        for (file, extra_prefixes) in APIS {
            let path = dir.join(file);
            let text = std::fs::read_to_string(&path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            let mut doc: Value = serde_json::from_str(&text)
                .map_err(|e| format!("{} is not JSON: {e}", path.display()))?;
            apply_errata(file, &mut doc)?;
            let server = doc
                .pointer("/servers/0/url")
                .and_then(Value::as_str)
                .unwrap_or("");
            let mut prefixes = vec![segments(server_path(server))];
            prefixes.extend(extra_prefixes.iter().map(|p| segments(p)));
            let mut ops = Vec::new();
            for (template, item) in doc["paths"].as_object().into_iter().flatten() {
                for method in METHODS {
                    if item.get(*method).is_some() {
                        ops.push(Op {
                            method,
                            template: template.clone(),
                            segs: segments(template),
                        });
                    }
                }
            }
            apis.push(Api {
                file,
                doc,
                prefixes,
                ops,
            });
        }
        Ok(Spec {
            apis,
            compiled: Mutex::new(HashMap::new()),
        })
    }

    /// Which operation a concrete request path matches, e.g.
    /// `("POST", "/admin/v2/orgs/o1/directories/-/users/search")`. Literal segments win over
    /// parameters (`/users/search` is not `/users/{accountId}`). A full URL's origin and a
    /// `?query` suffix are ignored.
    pub fn operation(&self, method: &str, path: &str) -> Option<OperationRef> {
        let path = without_origin(path);
        let path = path.split('?').next().unwrap_or(path);
        let method = method.to_ascii_lowercase();
        let parts: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        // (literal segments matched, api, op, params)
        let mut best: Option<(usize, usize, &Op, BTreeMap<String, String>)> = None;
        for (ai, api) in self.apis.iter().enumerate() {
            for prefix in &api.prefixes {
                let Some(rest) = strip_prefix(&parts, prefix) else {
                    continue;
                };
                for op in api.ops.iter().filter(|op| op.method == method) {
                    if let Some((score, params)) = match_segs(rest, &op.segs)
                        && best.as_ref().is_none_or(|b| score > b.0)
                    {
                        best = Some((score, ai, op, params));
                    }
                }
            }
        }
        let (_, ai, op, path_params) = best?;
        let api = &self.apis[ai];
        Some(OperationRef {
            api: api.file,
            method: op.method.to_ascii_uppercase(),
            template: op.template.clone(),
            operation_id: self
                .op_json(ai, op.method, &op.template)
                .and_then(|o| o.get("operationId"))
                .and_then(Value::as_str)
                .map(str::to_string),
            path_params,
            api_index: ai,
        })
    }

    fn op_json(&self, ai: usize, method: &str, template: &str) -> Option<&Value> {
        self.apis[ai].doc.get("paths")?.get(template)?.get(method)
    }

    fn resolve<'a>(&'a self, ai: usize, v: &'a Value) -> &'a Value {
        // Parameters and responses may be `$ref`s into components; follow a few levels.
        let mut v = v;
        for _ in 0..8 {
            match v.get("$ref").and_then(Value::as_str) {
                Some(r) => match r
                    .strip_prefix('#')
                    .and_then(|p| self.apis[ai].doc.pointer(p))
                {
                    Some(t) => v = t,
                    None => return v,
                },
                None => return v,
            }
        }
        v
    }

    fn find(&self, method: &str, path: &str) -> Result<(OperationRef, &Value), Vec<String>> {
        let Some(op) = self.operation(method, path) else {
            return Err(vec![format!(
                "{method} {path}: no operation in the vendored specs matches this method and path \
                 (check the path, or add the operation to tools/trim-spec.py)"
            )]);
        };
        let json = self
            .op_json(op.api_index, &op.method.to_ascii_lowercase(), &op.template)
            .ok_or_else(|| vec![format!("{method} {path}: operation vanished from the spec")])?;
        Ok((op, json))
    }

    /// All parameters of an operation (path-level ones overridden by operation-level ones).
    fn parameters(&self, op: &OperationRef) -> Vec<&Value> {
        let doc = &self.apis[op.api_index].doc;
        let item = &doc["paths"][&op.template];
        let own = &item[op.method.to_ascii_lowercase()]["parameters"];
        let mut out: Vec<&Value> = Vec::new();
        for p in own.as_array().into_iter().flatten() {
            out.push(self.resolve(op.api_index, p));
        }
        for p in item["parameters"].as_array().into_iter().flatten() {
            let p = self.resolve(op.api_index, p);
            if !out
                .iter()
                .any(|o| o["name"] == p["name"] && o["in"] == p["in"])
            {
                out.push(p);
            }
        }
        out
    }

    /// Checks a request: the operation exists, path params fit their schemas, every query
    /// parameter is declared and valid (type, enum, min/max, required ones present), the JSON
    /// body validates against the requestBody schema.
    pub fn check_request(
        &self,
        method: &str,
        path: &str,
        query: Option<&str>,
        body: Option<&Value>,
    ) -> Result<(), Vec<String>> {
        self.check_request_with(method, path, query, body, &STRICT)
    }

    pub fn check_request_with(
        &self,
        method: &str,
        path: &str,
        query: Option<&str>,
        body: Option<&Value>,
        opts: &Options,
    ) -> Result<(), Vec<String>> {
        let path = without_origin(path);
        let (path, inline_query) = match path.split_once('?') {
            Some((p, q)) => (p, Some(q)),
            None => (path, None),
        };
        let query = query.or(inline_query);
        let (op, json) = self.find(method, path)?;
        let ctx = format!("{method} {path}");
        let mut errors = Vec::new();
        let params = self.parameters(&op);

        for p in params.iter().filter(|p| p["in"] == "path") {
            let name = p["name"].as_str().unwrap_or_default();
            match op.path_params.get(name) {
                Some(v) => self.check_param(&op, &ctx, p, std::slice::from_ref(v), opts, &mut errors),
                None => errors.push(format!(
                    "{ctx}: the spec declares path parameter {name} but the template has no {{{name}}}"
                )),
            }
        }

        // Query: group repeated keys (form style, explode) in order.
        let mut given: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (k, v) in url::form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
            given
                .entry(k.into_owned())
                .or_default()
                .push(v.into_owned());
        }
        let declared: Vec<&&Value> = params.iter().filter(|p| p["in"] == "query").collect();
        for p in &declared {
            let name = p["name"].as_str().unwrap_or_default();
            let schema = &p["schema"];
            if schema["type"] == "object" && schema.get("properties").is_some() {
                // form + explode: an object's properties are sent as their own keys.
                for (prop, sub) in schema["properties"].as_object().into_iter().flatten() {
                    for key in [
                        prop.clone(),
                        format!("{name}[{prop}]"),
                        format!("{name}.{prop}"),
                    ] {
                        if let Some(values) = given.remove(&key) {
                            let sub_param = json!({"name": key, "in": "query", "schema": sub});
                            self.check_param(&op, &ctx, &sub_param, &values, opts, &mut errors);
                        }
                    }
                }
                continue;
            }
            match given.remove(name) {
                Some(values) => self.check_param(&op, &ctx, p, &values, opts, &mut errors),
                None if p["required"] == true => errors.push(format!(
                    "{ctx}: missing required query parameter {name:?} (schema {})",
                    snippet(&strip_prose(schema))
                )),
                None => {}
            }
        }
        for (name, values) in given {
            let known: Vec<&str> = declared.iter().filter_map(|p| p["name"].as_str()).collect();
            errors.push(format!(
                "{ctx}: query parameter {name:?} = {:?} is not declared by the spec (declared: {})",
                values.join(","),
                if known.is_empty() {
                    "none".to_string()
                } else {
                    known.join(", ")
                }
            ));
        }

        let request_body = self.resolve(op.api_index, &json["requestBody"]);
        match (request_body.get("content").and_then(json_schema_of), body) {
            (Some(schema), Some(body)) => {
                let key = format!("{}|{}|request", op.api, json_key(&op));
                self.validate(
                    &op,
                    &key,
                    schema,
                    Dir::Request,
                    body,
                    &ctx,
                    "request body",
                    opts,
                    &mut errors,
                );
            }
            (None, Some(b)) if request_body.is_null() => errors.push(format!(
                "{ctx}: the operation takes no request body, got {}",
                snippet(b)
            )),
            (Some(_), None) if request_body["required"] == true => errors.push(format!(
                "{ctx}: the request body is required but none was sent"
            )),
            _ => {}
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    /// Checks one query or path parameter given as strings (several for a repeated query key).
    fn check_param(
        &self,
        op: &OperationRef,
        ctx: &str,
        p: &Value,
        values: &[String],
        opts: &Options,
        errors: &mut Vec<String>,
    ) {
        let name = p["name"].as_str().unwrap_or_default();
        let schema = &p["schema"];
        let ty = schema["type"].as_str().unwrap_or("");
        let value = if ty == "array" {
            let item_ty = self.resolve(op.api_index, &schema["items"])["type"]
                .as_str()
                .unwrap_or("");
            if item_ty == "object" {
                // The spec does not say how an array of objects is put in a query (sortBy):
                // the values cannot be checked against the item schema.
                return;
            }
            // explode (the default for form style) repeats the key; explode=false joins with commas.
            let split: Vec<&str> = if p["explode"] == false {
                values.iter().flat_map(|v| v.split(',')).collect()
            } else {
                values.iter().map(String::as_str).collect()
            };
            Value::Array(split.into_iter().map(|v| coerce(item_ty, v)).collect())
        } else {
            if values.len() > 1 {
                errors.push(format!(
                    "{ctx}: parameter {name:?} is not an array but was given {} times",
                    values.len()
                ));
            }
            coerce(ty, &values[0])
        };
        let key = format!("{}|{}|param|{}|{}", op.api, json_key(op), p["in"], name);
        let what = format!("{} parameter {name:?}", p["in"].as_str().unwrap_or("?"));
        self.validate(
            op,
            &key,
            schema,
            Dir::Request,
            &value,
            ctx,
            &what,
            opts,
            errors,
        );
    }

    /// Checks a response: the status is declared for the operation (or `default`), and the
    /// JSON body validates against that response's schema (a 204 must have no body).
    pub fn check_response(
        &self,
        method: &str,
        path: &str,
        status: u16,
        body: Option<&Value>,
    ) -> Result<(), Vec<String>> {
        self.check_response_with(method, path, status, body, &STRICT)
    }

    pub fn check_response_with(
        &self,
        method: &str,
        path: &str,
        status: u16,
        body: Option<&Value>,
        opts: &Options,
    ) -> Result<(), Vec<String>> {
        let path = without_origin(path);
        let path = path.split('?').next().unwrap_or(path);
        let (op, json) = self.find(method, path)?;
        let ctx = format!("{method} {path} → {status}");
        let mut errors = Vec::new();
        if status == 204
            && let Some(b) = body
        {
            errors.push(format!(
                "{ctx}: a 204 must have no body, got {}",
                snippet(b)
            ));
        }
        let responses = &json["responses"];
        let code = status.to_string();
        let range = format!("{}XX", status / 100);
        let found = [
            code.as_str(),
            range.as_str(),
            &range.to_ascii_lowercase(),
            "default",
        ]
        .into_iter()
        .find_map(|k| responses.get(k).map(|r| (k.to_string(), r)));
        let Some((status_key, response)) = found else {
            if !opts.extra_statuses.contains(&status) {
                let declared: Vec<&String> = responses
                    .as_object()
                    .into_iter()
                    .flat_map(|m| m.keys())
                    .collect();
                errors.push(format!(
                    "{ctx}: status {status} is not declared for {} {} (declared: {})",
                    op.method,
                    op.template,
                    declared
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
            return if errors.is_empty() {
                Ok(())
            } else {
                Err(errors)
            };
        };
        let response = self.resolve(op.api_index, response);
        match (response.get("content").and_then(json_schema_of), body) {
            (Some(schema), Some(body)) => {
                let key = format!("{}|{}|response|{status_key}", op.api, json_key(&op));
                self.validate(
                    &op,
                    &key,
                    schema,
                    Dir::Response,
                    body,
                    &ctx,
                    "response body",
                    opts,
                    &mut errors,
                );
            }
            // An empty schema says nothing of the body: Jira's `notify` declares `{}` for its
            // 204, which has no body on the wire.
            (Some(schema), None) if schema.as_object().is_some_and(|o| o.is_empty()) => {}
            (Some(_), None) => errors.push(format!(
                "{ctx}: the spec declares a JSON body for {status_key} but the response has none"
            )),
            // Declared without a schema: nothing to check the body against.
            (None, _) => {}
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    /// Checks both halves of a recorded exchange; errors of both are returned together.
    pub fn check_exchange(&self, ex: &impl ExchangeLike) -> Result<(), Vec<String>> {
        self.check_exchange_with(ex, &STRICT)
    }

    pub fn check_exchange_with(
        &self,
        ex: &impl ExchangeLike,
        opts: &Options,
    ) -> Result<(), Vec<String>> {
        let mut errors = Vec::new();
        if let Err(e) =
            self.check_request_with(ex.method(), ex.path(), ex.query(), ex.request_body(), opts)
        {
            errors.extend(e);
        }
        // A path with no operation has been reported once already.
        if self.operation(ex.method(), ex.path()).is_some()
            && let Err(e) = self.check_response_with(
                ex.method(),
                ex.path(),
                ex.status(),
                ex.response_body(),
                opts,
            )
        {
            errors.extend(e);
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    /// Checks many exchanges; returns every error, each prefixed with the exchange's index.
    pub fn check_all<'e, E: ExchangeLike + 'e>(
        &self,
        exchanges: impl IntoIterator<Item = &'e E>,
    ) -> Result<(), Vec<String>> {
        let mut errors = Vec::new();
        for (i, ex) in exchanges.into_iter().enumerate() {
            if let Err(e) = self.check_exchange(ex) {
                errors.extend(e.into_iter().map(|m| format!("exchange #{i}: {m}")));
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    /// Every vendored operation as (fixture file, upper-case method, path template), e.g. to
    /// check that a test run exercised all of them.
    pub fn operations(&self) -> Vec<(&'static str, String, String)> {
        self.apis
            .iter()
            .flat_map(|api| {
                api.ops.iter().map(|op| {
                    (
                        api.file,
                        op.method.to_ascii_uppercase(),
                        op.template.clone(),
                    )
                })
            })
            .collect()
    }

    /// A vendored spec as the validator uses it (errata applied), by fixture file name.
    pub fn document(&self, api: &str) -> Option<&Value> {
        self.apis.iter().find(|a| a.file == api).map(|a| &a.doc)
    }

    /// Checks a value against an OpenAPI schema taken from one of the vendored specs (`api` is
    /// the fixture file, e.g. `org.json`); `$ref`s resolve in that spec.
    pub fn check_value(
        &self,
        api: &str,
        schema: &Value,
        value: &Value,
        response: bool,
        opts: &Options,
    ) -> Result<(), Vec<String>> {
        let Some(api_index) = self.apis.iter().position(|a| a.file == api) else {
            return Err(vec![format!("no vendored spec named {api}")]);
        };
        let op = OperationRef {
            api: self.apis[api_index].file,
            method: String::new(),
            template: String::new(),
            operation_id: None,
            path_params: BTreeMap::new(),
            api_index,
        };
        let dir = if response {
            Dir::Response
        } else {
            Dir::Request
        };
        let key = format!("{api}|value|{dir:?}|{schema}");
        let mut errors = Vec::new();
        self.validate(
            &op,
            &key,
            schema,
            dir,
            value,
            api,
            "value",
            opts,
            &mut errors,
        );
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn validate(
        &self,
        op: &OperationRef,
        key: &str,
        schema: &Value,
        dir: Dir,
        instance: &Value,
        ctx: &str,
        what: &str,
        opts: &Options,
        errors: &mut Vec<String>,
    ) {
        let key = format!("{key}|{}", opts.strict_objects);
        let compiled = {
            let mut cache = self.compiled.lock().unwrap_or_else(|p| p.into_inner());
            match cache.get(&key) {
                Some(v) => v.clone(),
                None => {
                    let doc = &self.apis[op.api_index].doc;
                    let root = Converter::new(doc, dir, opts.strict_objects).document(schema);
                    let mut options = jsonschema::options();
                    options
                        .with_draft(Draft::Draft202012)
                        .should_validate_formats(true);
                    if op.api == "jira.json" {
                        // Jira writes its dates with a `+0000` offset (its own examples do):
                        // ISO 8601, though not the RFC 3339 the format names.
                        options.with_format("date-time", jira_date_time);
                    }
                    match options.build(&root) {
                        Ok(v) => {
                            let v = Arc::new((v, root));
                            cache.insert(key.clone(), v.clone());
                            v
                        }
                        Err(e) => {
                            errors.push(format!(
                                "{ctx}: cannot compile the spec's schema for the {what}: {e}"
                            ));
                            return;
                        }
                    }
                }
            }
        };
        let (validator, root) = &*compiled;
        let found: Vec<ValidationError> = validator.iter_errors(instance).collect();
        for e in &found {
            if let ValidationErrorKind::UnevaluatedProperties { unexpected }
            | ValidationErrorKind::AdditionalProperties { unexpected } = &e.kind
            {
                // A declared property whose value fails yields no annotation, so it also shows
                // up as "unevaluated": keep only names that are neither allowed nor failing.
                let at = e.instance_path.as_str();
                let failing = |name: &str| {
                    let own = format!("{at}/{}", name.replace('~', "~0").replace('/', "~1"));
                    found.iter().any(|o| {
                        let p = o.instance_path.as_str();
                        p == own || p.starts_with(&format!("{own}/"))
                    })
                };
                // Likewise a failed oneOf/anyOf/allOf here leaves declared properties unevaluated;
                // that failure is reported on its own.
                let (schema_name, schema) = schema_at(root, e.schema_path.as_str());
                let mut declared = BTreeSet::new();
                declared_properties(root, &schema, &mut declared, 0);
                let composition_failed = found.iter().any(|o| {
                    o.instance_path.as_str() == at
                        && !matches!(o.kind, ValidationErrorKind::UnevaluatedProperties { .. })
                });
                let left: Vec<String> = unexpected
                    .iter()
                    .filter(|u| !opts.allow_extra.contains(&u.as_str()) && !failing(u))
                    .filter(|u| !(composition_failed && declared.contains(*u)))
                    .cloned()
                    .collect();
                if !left.is_empty() {
                    errors.push(describe_unexpected(
                        e,
                        &left,
                        &schema_name,
                        &declared,
                        ctx,
                        what,
                    ));
                }
                continue;
            }
            errors.push(describe(e, root, ctx, what));
        }
    }
}

/// The parts of a key identifying an operation in the compiled-schema cache.
fn json_key(op: &OperationRef) -> String {
    format!("{} {}", op.method, op.template)
}

fn strip_prefix<'p>(parts: &'p [&'p str], prefix: &[Seg]) -> Option<&'p [&'p str]> {
    if parts.len() < prefix.len() {
        return None;
    }
    for (part, seg) in parts.iter().zip(prefix) {
        if let Seg::Lit(l) = seg
            && l != part
        {
            return None;
        }
    }
    Some(&parts[prefix.len()..])
}

fn match_segs(parts: &[&str], segs: &[Seg]) -> Option<(usize, BTreeMap<String, String>)> {
    if parts.len() != segs.len() {
        return None;
    }
    let mut literal = 0;
    let mut params = BTreeMap::new();
    for (part, seg) in parts.iter().zip(segs) {
        match seg {
            Seg::Lit(l) if l == part => literal += 1,
            Seg::Lit(_) => return None,
            Seg::Param(name) => {
                params.insert(name.clone(), percent_decode(part));
            }
        }
    }
    Some((literal, params))
}

/// The schema of the JSON media type in a `content` map (`application/json`, `…+json`, `*/*`).
/// `date-time` as Jira sends it: RFC 3339, or `2021-01-17T12:34:00.000+0000`.
fn jira_date_time(s: &str) -> bool {
    chrono::DateTime::parse_from_rfc3339(s).is_ok()
        || chrono::DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f%z").is_ok()
}

fn json_schema_of(content: &Value) -> Option<&Value> {
    let map = content.as_object()?;
    let media = map
        .iter()
        .find(|(k, _)| k.contains("json"))
        .or_else(|| map.iter().find(|(k, _)| k.as_str() == "*/*"))?;
    media.1.get("schema")
}

/// A query or path string as the JSON value its schema type expects; left a string when it
/// does not parse, so the type error names the value.
fn coerce(ty: &str, s: &str) -> Value {
    match ty {
        "integer" => s
            .parse::<i64>()
            .map(Value::from)
            .unwrap_or_else(|_| json!(s)),
        "number" => s
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number)
            .unwrap_or_else(|| json!(s)),
        "boolean" => match s {
            "true" => json!(true),
            "false" => json!(false),
            _ => json!(s),
        },
        _ => json!(s),
    }
}

/// A schema without its prose, for error messages.
fn strip_prose(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(k, _)| {
                    !matches!(k.as_str(), "description" | "title" | "example" | "examples")
                })
                .map(|(k, v)| (k.clone(), strip_prose(v)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(strip_prose).collect()),
        other => other.clone(),
    }
}

/// Turns OpenAPI 3.0 schemas into one JSON Schema 2020-12 document.
struct Converter<'d> {
    doc: &'d Value,
    dir: Dir,
    strict: bool,
    /// `$defs` names still to convert, with whether they sit at an instance location (closed).
    todo: Vec<(String, bool)>,
    done: BTreeSet<(String, bool)>,
}

impl<'d> Converter<'d> {
    fn new(doc: &'d Value, dir: Dir, strict: bool) -> Self {
        Converter {
            doc,
            dir,
            strict,
            todo: Vec::new(),
            done: BTreeSet::new(),
        }
    }

    fn component(&self, r: &str) -> Option<(&'d str, &'d Value)> {
        let name = r.strip_prefix("#/components/schemas/")?;
        let (k, v) = self.doc["components"]["schemas"]
            .as_object()?
            .get_key_value(name)?;
        Some((k.as_str(), v))
    }

    fn def_name(name: &str, closed: bool) -> String {
        if closed {
            name.to_string()
        } else {
            format!("{name}@open")
        }
    }

    /// A self-contained document: the converted schema plus every `$defs` entry it reaches.
    fn document(mut self, schema: &Value) -> Value {
        let mut root = match self.convert(schema, true) {
            Value::Object(m) => m,
            other => {
                let mut m = Map::new();
                m.insert("allOf".into(), json!([other]));
                m
            }
        };
        let mut defs = Map::new();
        while let Some((name, closed)) = self.todo.pop() {
            if !self.done.insert((name.clone(), closed)) {
                continue;
            }
            let Some(src) = self.doc["components"]["schemas"].get(&name) else {
                continue;
            };
            let converted = self.convert(src, closed);
            defs.insert(Self::def_name(&name, closed), converted);
        }
        root.insert(
            "$schema".into(),
            json!("https://json-schema.org/draft/2020-12/schema"),
        );
        if !defs.is_empty() {
            root.insert("$defs".into(), Value::Object(defs));
        }
        Value::Object(root)
    }

    /// Whether a schema declares object properties, itself or through a composition.
    fn declares_properties(&self, v: &Value, depth: usize) -> bool {
        if depth > 16 {
            return false;
        }
        if let Some(r) = v.get("$ref").and_then(Value::as_str) {
            return self
                .component(r)
                .is_some_and(|(_, t)| self.declares_properties(t, depth + 1));
        }
        v.get("properties").is_some()
            || ["allOf", "anyOf", "oneOf"].iter().any(|k| {
                v[*k]
                    .as_array()
                    .is_some_and(|bs| bs.iter().any(|b| self.declares_properties(b, depth + 1)))
            })
    }

    /// Whether a composition sets `additionalProperties` anywhere (then it is explicit).
    fn says_additional(&self, v: &Value, depth: usize) -> bool {
        if depth > 16 {
            return false;
        }
        if let Some(r) = v.get("$ref").and_then(Value::as_str) {
            return self
                .component(r)
                .is_some_and(|(_, t)| self.says_additional(t, depth + 1));
        }
        v.get("additionalProperties").is_some()
            || ["allOf", "anyOf", "oneOf"].iter().any(|k| {
                v[*k]
                    .as_array()
                    .is_some_and(|bs| bs.iter().any(|b| self.says_additional(b, depth + 1)))
            })
    }

    fn is_flag(&self, v: &Value, flag: &str) -> bool {
        if v[flag] == true {
            return true;
        }
        v.get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| self.component(r))
            .is_some_and(|(_, t)| t[flag] == true)
    }

    /// `closed`: the schema sits at an instance location of its own (not a composition branch),
    /// so strictness may close it.
    fn convert(&mut self, v: &Value, closed: bool) -> Value {
        let Some(m) = v.as_object() else {
            return v.clone();
        };
        let nullable = m.get("nullable") == Some(&Value::Bool(true));
        if let Some(r) = m.get("$ref").and_then(Value::as_str) {
            let out = match self.component(r) {
                Some((name, _)) => {
                    self.todo.push((name.to_string(), closed));
                    json!({ "$ref": format!("#/$defs/{}", Self::def_name(name, closed)) })
                }
                // Unknown target: leave it to jsonschema to report.
                None => json!({ "$ref": r }),
            };
            return if nullable {
                json!({"anyOf": [{"type": "null"}, out]})
            } else {
                out
            };
        }

        let mut out = Map::new();
        for (k, val) in m {
            match k.as_str() {
                "nullable" | "discriminator" | "example" | "examples" | "xml" | "externalDocs"
                | "description" => {}
                k if k.starts_with("x-") => {}
                "properties" => {
                    let props = val
                        .as_object()
                        .into_iter()
                        .flatten()
                        .map(|(name, s)| (name.clone(), self.convert(s, true)))
                        .collect();
                    out.insert(k.into(), Value::Object(props));
                }
                "items" | "additionalProperties" => {
                    out.insert(k.into(), self.convert(val, true));
                }
                "allOf" | "anyOf" | "oneOf" | "not" => {
                    let conv = match val {
                        Value::Array(bs) => {
                            Value::Array(bs.iter().map(|b| self.convert(b, false)).collect())
                        }
                        other => self.convert(other, false),
                    };
                    out.insert(k.into(), conv);
                }
                "required" => {
                    // readOnly properties are only sent in responses, writeOnly only in requests.
                    let skip = if self.dir == Dir::Request {
                        "readOnly"
                    } else {
                        "writeOnly"
                    };
                    let props = &m.get("properties").cloned().unwrap_or(Value::Null);
                    let req: Vec<Value> = val
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter(|n| {
                            n.as_str()
                                .and_then(|n| props.get(n))
                                .is_none_or(|p| !self.is_flag(p, skip))
                        })
                        .cloned()
                        .collect();
                    out.insert(k.into(), Value::Array(req));
                }
                // OpenAPI 3.0 (draft 4) booleans; 2020-12 wants the bound itself.
                "exclusiveMinimum" | "exclusiveMaximum" if val.is_boolean() => {
                    let bound = if k == "exclusiveMinimum" {
                        "minimum"
                    } else {
                        "maximum"
                    };
                    if val == true
                        && let Some(b) = m.get(bound)
                    {
                        out.insert(k.into(), b.clone());
                    }
                }
                "minimum" | "maximum" => {
                    let ex = if k == "minimum" {
                        "exclusiveMinimum"
                    } else {
                        "exclusiveMaximum"
                    };
                    if m.get(ex) != Some(&Value::Bool(true)) {
                        out.insert(k.into(), val.clone());
                    }
                }
                _ => {
                    out.insert(k.clone(), val.clone());
                }
            }
        }

        if nullable && let Some(t) = out.get("type").cloned() {
            let mut types = match t {
                Value::Array(a) => a,
                other => vec![other],
            };
            if !types.contains(&json!("null")) {
                types.push(json!("null"));
            }
            out.insert("type".into(), Value::Array(types));
            if let Some(Value::Array(e)) = out.get_mut("enum")
                && !e.contains(&Value::Null)
            {
                e.push(Value::Null);
            }
        }

        if self.strict && closed && !self.says_additional(v, 0) && self.declares_properties(v, 0) {
            out.insert("unevaluatedProperties".into(), json!(false));
        }

        let out = Value::Object(out);
        if nullable && m.get("type").is_none() {
            json!({"anyOf": [{"type": "null"}, out]})
        } else {
            out
        }
    }
}

/// One validation error as a sentence: where, what was expected, what was found.
fn describe(e: &ValidationError, root: &Value, ctx: &str, what: &str) -> String {
    let at = e.instance_path.as_str();
    let at = if at.is_empty() { "(root)" } else { at };
    let msg = match &e.kind {
        ValidationErrorKind::Type { kind } => {
            let expected = match kind {
                TypeKind::Single(t) => t.to_string(),
                TypeKind::Multiple(ts) => {
                    let names: Vec<String> = ts.into_iter().map(|t| t.to_string()).collect();
                    names.join(" or ")
                }
            };
            format!("expected type {expected}")
        }
        ValidationErrorKind::Enum { options } => {
            format!("not one of the allowed values {}", snippet(options))
        }
        ValidationErrorKind::Required { property } => {
            format!("missing required property {property}")
        }
        ValidationErrorKind::Format { format } => format!("not a valid {format}"),
        ValidationErrorKind::Maximum { limit } => format!("greater than the maximum {limit}"),
        ValidationErrorKind::Minimum { limit } => format!("less than the minimum {limit}"),
        ValidationErrorKind::ExclusiveMaximum { limit } => format!("not below {limit}"),
        ValidationErrorKind::ExclusiveMinimum { limit } => format!("not above {limit}"),
        ValidationErrorKind::MaxItems { limit } => format!("more than {limit} items"),
        ValidationErrorKind::MinItems { limit } => format!("fewer than {limit} items"),
        ValidationErrorKind::MaxLength { limit } => format!("longer than {limit} characters"),
        ValidationErrorKind::MinLength { limit } => format!("shorter than {limit} characters"),
        ValidationErrorKind::Pattern { pattern } => {
            format!("does not match the pattern {pattern:?}")
        }
        ValidationErrorKind::UniqueItems => "items are not unique".to_string(),
        ValidationErrorKind::OneOfNotValid => "matches none of the oneOf schemas".to_string(),
        ValidationErrorKind::OneOfMultipleValid => {
            "matches more than one of the oneOf schemas".to_string()
        }
        ValidationErrorKind::AnyOf => "matches none of the anyOf schemas".to_string(),
        ValidationErrorKind::Constant { expected_value } => {
            format!("expected the constant {expected_value}")
        }
        ValidationErrorKind::FalseSchema => "no value is allowed here".to_string(),
        other => format!("{other:?}"),
    };
    let (name, schema) = schema_at(root, e.schema_path.as_str());
    let mut out = format!("{ctx}: {what} at {at}: {msg}");
    let _ = write!(out, "; schema {name}: {}", snippet(&strip_prose(&schema)));
    let _ = write!(out, "; value: {}", snippet(&e.instance));
    out
}

/// Undeclared properties, with the names the schema does declare.
fn describe_unexpected(
    e: &ValidationError,
    names: &[String],
    schema_name: &str,
    declared: &BTreeSet<String>,
    ctx: &str,
    what: &str,
) -> String {
    let at = e.instance_path.as_str();
    let at = if at.is_empty() { "(root)" } else { at };
    let declared: Vec<&str> = declared.iter().map(String::as_str).collect();
    format!(
        "{ctx}: {what} at {at}: properties the spec does not declare: {} (a misspelling? if the spec \
         is incomplete, allow them with Options::allow_extra); schema {schema_name} declares: {}; value: {}",
        names.join(", "),
        declared.join(", "),
        snippet(&e.instance)
    )
}

fn declared_properties(root: &Value, schema: &Value, out: &mut BTreeSet<String>, depth: usize) {
    if depth > 16 {
        return;
    }
    if let Some(target) = schema["$ref"]
        .as_str()
        .and_then(|r| r.strip_prefix("#/$defs/"))
        && let Some(t) = root["$defs"].get(target)
    {
        declared_properties(root, t, out, depth + 1);
    }
    out.extend(
        schema["properties"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(k, _)| k.clone()),
    );
    for k in ["allOf", "anyOf", "oneOf"] {
        for b in schema[k].as_array().into_iter().flatten() {
            declared_properties(root, b, out, depth + 1);
        }
    }
}

/// The schema holding the failed keyword, and the `$defs` entry (component) it sits in.
/// `schema_path` is a keyword path: a `$ref` segment means "follow the reference here".
fn schema_at(root: &Value, schema_path: &str) -> (String, Value) {
    let segs: Vec<String> = schema_path
        .split('/')
        .skip(1)
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect();
    // Drop the failed keyword itself to show the schema that holds it.
    let segs = &segs[..segs.len().saturating_sub(1)];
    let mut node = root;
    let mut name = "(operation)".to_string();
    let mut sub = String::new();
    for seg in segs {
        if seg == "$ref" {
            let Some(target) = node["$ref"]
                .as_str()
                .and_then(|r| r.strip_prefix("#/$defs/"))
            else {
                break;
            };
            let Some(t) = root["$defs"].get(target) else {
                break;
            };
            node = t;
            name = target.trim_end_matches("@open").to_string();
            sub.clear();
            continue;
        }
        let next = match node {
            Value::Object(m) => m.get(seg.as_str()),
            Value::Array(a) => seg.parse::<usize>().ok().and_then(|i| a.get(i)),
            _ => None,
        };
        match next {
            Some(n) => {
                node = n;
                let _ = write!(sub, "/{seg}");
            }
            None => break,
        }
    }
    let mut schema = node.clone();
    if let Value::Object(m) = &mut schema {
        m.remove("$defs");
        m.remove("$schema");
    }
    (format!("{name}{sub}"), schema)
}
