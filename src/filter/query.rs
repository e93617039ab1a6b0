//! The query line: plain words (fuzzy, every word must match) and facet tokens (exact).
//!
//! `john product:jira-software idle:90 !synced group:"eng platform"`: words and facets AND
//! together, `!` negates any token, double quotes keep spaces in a value (or make a facet's
//! name, like `"admin"`, a plain word). [`parse`] checks the syntax; [`parse_in`] also checks
//! product keys and group names against a directory's [`Vocabulary`].

use std::ops::Range;

use crate::domain::Directory;
use crate::output::words::{edit_distance, nearest};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Facet {
    /// Holds the product (a product key, resolved from aliases by [`parse_in`]).
    Product(String),
    /// Inactive at least this many days (or never active) on the query's products, or on
    /// some held product when the query names none.
    Idle(u32),
    /// Never active on the query's products, or on some held product.
    Never,
    /// A `UserStatus` wire value: active, suspended, not_invited, deactivated, for_deletion.
    Status(String),
    /// An `AccountType` wire value: atlassian, app, customer.
    Type(String),
    /// Email domain, lower case, without `@`; subdomains match too.
    Domain(String),
    /// Group name as typed; matched case-insensitively.
    Group(String),
    Admin,
    Synced,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query {
    /// Lower-cased fuzzy words; every one must match.
    pub words: Vec<String>,
    /// (negated, facet)
    pub facets: Vec<(bool, Facet)>,
    /// Lower-cased `!word`s: a user matching any of them is left out.
    pub excluded_words: Vec<String>,
}

impl Query {
    /// No words and no facets: every user, unscored.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty() && self.facets.is_empty() && self.excluded_words.is_empty()
    }

    /// Products named by non-negated `product:` tokens: the scope of `idle:` and `never`.
    pub fn scope_products(&self) -> Vec<&str> {
        self.facets
            .iter()
            .filter_map(|(neg, f)| match f {
                Facet::Product(p) if !neg => Some(p.as_str()),
                _ => None,
            })
            .collect()
    }
}

/// A query that cannot run: what is wrong, how to fix it, and where (byte range in the query
/// text, for the query line to underline).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryError {
    pub message: String,
    pub span: Range<usize>,
}

impl QueryError {
    fn new(message: impl Into<String>, span: Range<usize>) -> QueryError {
        QueryError {
            message: message.into(),
            span,
        }
    }
}

impl std::fmt::Display for QueryError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for QueryError {}

/// One facet token, for the console's facet menu and help.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FacetToken {
    /// What the menu inserts: `product:` (a value follows) or `admin` (complete).
    pub token: &'static str,
    /// How it is written, e.g. `idle:N`.
    pub syntax: &'static str,
    pub description: &'static str,
    /// The fixed values it takes, when there is a fixed set.
    pub values: &'static [&'static str],
}

impl FacetToken {
    pub fn takes_value(&self) -> bool {
        self.token.ends_with(':')
    }
}

const STATUSES: &[&str] = &[
    "active",
    "suspended",
    "not_invited",
    "deactivated",
    "for_deletion",
];
const TYPES: &[&str] = &["atlassian", "app", "customer"];

const FACETS: &[FacetToken] = &[
    FacetToken {
        token: "product:",
        syntax: "product:KEY",
        description: "holds the product, e.g. product:jira-software",
        values: &[],
    },
    FacetToken {
        token: "idle:",
        syntax: "idle:N",
        description: "inactive at least N days (or never) on the product: of the query, \
                      or on some held product",
        values: &[],
    },
    FacetToken {
        token: "never",
        syntax: "never",
        description: "never active on the product: of the query, or on some held product",
        values: &[],
    },
    FacetToken {
        token: "status:",
        syntax: "status:active|suspended|not_invited|deactivated|for_deletion",
        description: "account status in the org directory",
        values: STATUSES,
    },
    FacetToken {
        token: "type:",
        syntax: "type:atlassian|app|customer",
        description: "account type (app and customer accounts take no seat)",
        values: TYPES,
    },
    FacetToken {
        token: "domain:",
        syntax: "domain:example.com",
        description: "email on the domain or one of its subdomains",
        values: &[],
    },
    FacetToken {
        token: "group:",
        syntax: "group:NAME",
        description: "member of the group; quote names with spaces: group:\"eng platform\"",
        values: &[],
    },
    FacetToken {
        token: "admin",
        syntax: "admin",
        description: "org admin or site admin",
        values: &[],
    },
    FacetToken {
        token: "synced",
        syntax: "synced",
        description: "managed by the identity provider (change it there)",
        values: &[],
    },
];

/// Every facet token with its description; `!` before any token negates it.
pub fn facet_tokens() -> &'static [FacetToken] {
    FACETS
}

const FACET_LIST: &str = "facets are product:, idle:N, never, status:, type:, domain:, group:, \
                          admin, synced (prefix ! to negate)";

/// `value` as it must be written after a facet's colon: bare when it can be, else in double
/// quotes with `"` and `\` escaped. `group:` + quote_value("eng platform") = `group:"eng platform"`.
pub fn quote_value(value: &str) -> String {
    let bare = !value.is_empty()
        && !value.starts_with('!')
        && !value
            .chars()
            .any(|c| c.is_whitespace() || c == '"' || c == '\\');
    if bare {
        return value.to_owned();
    }
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// The names in a directory a query can refer to: product keys and group names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Vocabulary {
    /// Product keys any user holds, sorted.
    pub products: Vec<String>,
    /// Group names (of `dir.groups` and of users' memberships), sorted, deduplicated.
    pub groups: Vec<String>,
}

impl Vocabulary {
    pub fn of(dir: &Directory) -> Vocabulary {
        let groups: std::collections::BTreeSet<&str> = dir
            .groups
            .iter()
            .map(|g| g.name.as_str())
            .chain(
                dir.users
                    .iter()
                    .flat_map(|u| u.groups.iter().map(|g| g.name.as_str())),
            )
            .collect();
        Vocabulary {
            products: dir.product_keys(),
            groups: groups.into_iter().map(str::to_owned).collect(),
        }
    }

    /// The product key `value` names: a key the directory holds, or a key, display name or
    /// alias of the one product table (`crate::domain::PRODUCTS`: jsw, jsm, jwm, jpd, ...).
    fn resolve_product(&self, value: &str) -> Option<String> {
        crate::domain::resolve_product_key(value, self.products.iter().map(String::as_str))
    }

    fn has_group(&self, name: &str) -> bool {
        let lower = name.to_lowercase();
        self.groups.iter().any(|g| g.to_lowercase() == lower)
    }
}

/// A token as written: `!`, an optional facet name before `:`, and the value.
struct Token {
    negated: bool,
    /// The facet name, lower case, when the token is `name:value` (name outside quotes).
    facet: Option<String>,
    value: String,
    /// Some part was in quotes: a bare facet word in quotes is a plain word.
    quoted: bool,
    span: Range<usize>,
}

fn tokenize(text: &str) -> Result<Vec<Token>, QueryError> {
    let mut tokens = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some(&(start, c)) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let mut negated = false;
        if c == '!' {
            negated = true;
            chars.next();
            match chars.peek() {
                None => {
                    return Err(QueryError::new(
                        "`!` needs a token right after it, e.g. !synced or !group:eng",
                        start..start + 1,
                    ));
                }
                Some(&(_, n)) if n.is_whitespace() => {
                    return Err(QueryError::new(
                        "`!` needs a token right after it, e.g. !synced or !group:eng",
                        start..start + 1,
                    ));
                }
                Some(&(i, '!')) => {
                    return Err(QueryError::new(
                        "one `!` negates a token; `!!` is not needed",
                        start..i + 1,
                    ));
                }
                _ => {}
            }
        }
        let mut raw = String::new();
        let mut facet = None;
        let mut quoted = false;
        let mut end = text.len();
        while let Some(&(i, c)) = chars.peek() {
            if c.is_whitespace() {
                end = i;
                break;
            }
            chars.next();
            match c {
                '"' => {
                    quoted = true;
                    let mut closed = false;
                    while let Some((_, q)) = chars.next() {
                        match q {
                            '"' => {
                                closed = true;
                                break;
                            }
                            '\\' => {
                                if let Some((_, e)) = chars.next() {
                                    raw.push(e);
                                }
                            }
                            other => raw.push(other),
                        }
                    }
                    if !closed {
                        return Err(QueryError::new(
                            "unclosed quote: add a closing `\"`",
                            i..text.len(),
                        ));
                    }
                }
                ':' if facet.is_none()
                    && !quoted
                    && !raw.is_empty()
                    && raw.chars().all(|c| c.is_ascii_alphabetic()) =>
                {
                    facet = Some(raw.to_ascii_lowercase());
                    raw.clear();
                }
                other => raw.push(other),
            }
        }
        tokens.push(Token {
            negated,
            facet,
            value: raw,
            quoted,
            span: start..end,
        });
    }
    Ok(tokens)
}

/// Parses the query's syntax and values. Product keys and group names are not checked (any
/// product key is taken as written); use [`parse_in`] when the directory is at hand.
pub fn parse(text: &str) -> Result<Query, QueryError> {
    parse_with(text, None)
}

/// Parses the query and checks its product keys and group names against the directory's
/// names; product aliases become keys.
pub fn parse_in(text: &str, vocabulary: &Vocabulary) -> Result<Query, QueryError> {
    parse_with(text, Some(vocabulary))
}

fn parse_with(text: &str, vocabulary: Option<&Vocabulary>) -> Result<Query, QueryError> {
    let mut query = Query::default();
    for token in tokenize(text)? {
        match facet_of(&token, vocabulary)? {
            Some(facet) => query.facets.push((token.negated, facet)),
            None if token.value.is_empty() => {}
            None if token.negated => query.excluded_words.push(token.value.to_lowercase()),
            None => query.words.push(token.value.to_lowercase()),
        }
    }
    Ok(query)
}

/// The facet a token is, None for a plain word.
fn facet_of(token: &Token, vocabulary: Option<&Vocabulary>) -> Result<Option<Facet>, QueryError> {
    let span = token.span.clone();
    let Some(name) = token.facet.as_deref() else {
        if token.quoted {
            return Ok(None);
        }
        return Ok(match token.value.to_lowercase().as_str() {
            "admin" => Some(Facet::Admin),
            "synced" => Some(Facet::Synced),
            "never" => Some(Facet::Never),
            _ => None,
        });
    };
    let value = token.value.as_str();
    let facet = match name {
        "product" => {
            if value.is_empty() {
                let known = vocabulary
                    .map(|v| v.products.join(", "))
                    .unwrap_or_default();
                return Err(QueryError::new(
                    format!(
                        "product: needs a product key, e.g. product:jira-software{}",
                        if known.is_empty() {
                            String::new()
                        } else {
                            format!("; products here: {known}")
                        }
                    ),
                    span,
                ));
            }
            match vocabulary {
                None => Facet::Product(value.to_lowercase()),
                Some(v) => match v.resolve_product(value) {
                    Some(key) => Facet::Product(key),
                    None => return Err(unknown_product(value, v, span)),
                },
            }
        }
        "idle" => {
            let days = value.strip_suffix(['d', 'D']).unwrap_or(value);
            match days.parse::<u32>() {
                Ok(n) if !days.starts_with('+') => Facet::Idle(n),
                _ => {
                    return Err(QueryError::new(
                        "idle: needs a number of days, e.g. idle:90",
                        span,
                    ));
                }
            }
        }
        "status" => {
            let v = value.to_lowercase().replace('-', "_");
            let v = if v == "invited" {
                "not_invited".to_owned()
            } else {
                v
            };
            if !STATUSES.contains(&v.as_str()) {
                return Err(QueryError::new(
                    format!(
                        "{}; statuses are active, suspended, not_invited (or invited), \
                         deactivated, for_deletion",
                        if value.is_empty() {
                            "status: needs a value".to_owned()
                        } else {
                            format!("unknown status `{value}`")
                        }
                    ),
                    span,
                ));
            }
            Facet::Status(v)
        }
        "type" => {
            let v = value.to_lowercase();
            if !TYPES.contains(&v.as_str()) {
                return Err(QueryError::new(
                    format!(
                        "{}; account types are atlassian, app, customer",
                        if value.is_empty() {
                            "type: needs a value".to_owned()
                        } else {
                            format!("unknown account type `{value}`")
                        }
                    ),
                    span,
                ));
            }
            Facet::Type(v)
        }
        "domain" => {
            let v = value.trim_start_matches('@').to_lowercase();
            if v.is_empty() || v.contains('@') {
                return Err(QueryError::new(
                    "domain: needs an email domain, e.g. domain:contractor.example",
                    span,
                ));
            }
            Facet::Domain(v)
        }
        "group" => {
            if value.is_empty() {
                return Err(QueryError::new(
                    "group: needs a group name, e.g. group:jira-software-users \
                     (quote names with spaces: group:\"eng platform\")",
                    span,
                ));
            }
            if let Some(v) = vocabulary
                && !v.has_group(value)
            {
                return Err(unknown_group(value, v, span));
            }
            Facet::Group(value.to_owned())
        }
        other => {
            let hint = FACETS
                .iter()
                .find(|f| edit_distance(f.token.trim_end_matches(':'), other) <= 2)
                .map(|f| format!(" (did you mean `{}`?)", f.token))
                .unwrap_or_default();
            return Err(QueryError::new(
                format!("unknown facet `{other}:`{hint}; {FACET_LIST}"),
                span,
            ));
        }
    };
    Ok(Some(facet))
}

fn unknown_product(value: &str, v: &Vocabulary, span: Range<usize>) -> QueryError {
    let others: Vec<&str> = crate::domain::PRODUCTS
        .iter()
        .map(|p| p.key)
        .filter(|k| !v.products.iter().any(|p| p == k))
        .collect();
    let here = if v.products.is_empty() {
        "nobody in this directory holds a product".to_owned()
    } else {
        format!("products here: {}", v.products.join(", "))
    };
    let known = v
        .products
        .iter()
        .map(String::as_str)
        .chain(others.iter().copied());
    let hint = match nearest(value, known).first() {
        Some(near) => format!(" (did you mean `product:{near}`?)"),
        None => String::new(),
    };
    QueryError::new(
        format!(
            "unknown product `{value}`{hint}; {here}; also known: {}",
            others.join(", ")
        ),
        span,
    )
}

fn unknown_group(value: &str, v: &Vocabulary, span: Range<usize>) -> QueryError {
    let near: Vec<String> = nearest(value, v.groups.iter().map(String::as_str))
        .into_iter()
        .map(|g| format!("group:{}", quote_value(g)))
        .collect();
    let hint = if near.is_empty() {
        String::new()
    } else {
        format!("; did you mean {}", near.join(", "))
    };
    QueryError::new(format!("no group named `{value}`{hint}"), span)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_cover_the_token() {
        let text = "john prodct:x";
        let e = parse(text).unwrap_err();
        assert_eq!(&text[e.span.clone()], "prodct:x");
        let text = "a group:\"eng";
        let e = parse(text).unwrap_err();
        assert_eq!(&text[e.span.clone()], "\"eng");
    }
}
