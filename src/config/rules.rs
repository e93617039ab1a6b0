//! `[[rules]]`: warn inactive users, wait a grace period, then reclaim their seat. Each rule is
//! checked as it is read (the query with the console's parser, the action against the query,
//! the channels), so a broken rule is an error at its line like every other config error.

use std::collections::BTreeSet;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// One rule, as written in config.toml.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawRule", into = "RawRule")]
pub struct Rule {
    /// Unique among the rules: the lifecycle rows are kept under it.
    pub name: String,
    /// The console's query language, e.g. `product:jira-software idle:90 !group:contractors`.
    pub query: String,
    pub action: RuleAction,
    /// The product the action takes away (the query's one `product:`); `None` for `suspend`
    /// when the query names none.
    pub product: Option<String>,
    /// Days between the notice and the reclaim.
    pub grace_days: u32,
    pub channels: Vec<Channel>,
    /// Most users a run warns, and most it reclaims.
    pub cap: u32,
    /// How a user can keep the seat besides using the product.
    pub claims: Option<Claims>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RuleAction {
    /// Remove access to the query's product.
    RemoveProductAccess,
    /// Suspend the user in the directory.
    Suspend,
}

impl RuleAction {
    pub fn as_str(self) -> &'static str {
        match self {
            RuleAction::RemoveProductAccess => "remove-product-access",
            RuleAction::Suspend => "suspend",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Claims {
    /// A comment by the user on the review issue of a `jira-notify` channel keeps the seat.
    Comment,
}

/// Where a notice goes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Channel {
    /// Jira's issue notify (`POST /rest/api/3/issue/{issue}/notify`): Atlassian mails the user.
    JiraNotify { issue: String },
    /// A JSON POST to an incoming-webhook URL kept in the keyring under `secret`.
    Webhook { secret: String },
    /// JSON lines appended to a file, for the admin's own mailer.
    File { path: PathBuf },
}

impl Channel {
    /// The channel's name in the lifecycle and the audit log (no secret: a webhook is named by
    /// its keyring entry, never its URL).
    pub fn label(&self) -> String {
        match self {
            Channel::JiraNotify { issue } => format!("jira-notify:{issue}"),
            Channel::Webhook { secret } => format!("webhook:{secret}"),
            Channel::File { path } => format!("file:{}", path.display()),
        }
    }
}

impl Rule {
    /// The review issue comments are read from: the first `jira-notify` channel's.
    pub fn review_issue(&self) -> Option<&str> {
        self.channels.iter().find_map(|c| match c {
            Channel::JiraNotify { issue } => Some(issue.as_str()),
            _ => None,
        })
    }
}

const fn default_cap() -> u32 {
    100
}

/// The rule as written; [`Rule`] is what it means once checked.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    name: String,
    query: String,
    action: RuleAction,
    grace_days: u32,
    channels: Vec<Channel>,
    #[serde(default = "default_cap")]
    cap: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    claims: Option<Claims>,
}

impl From<Rule> for RawRule {
    fn from(r: Rule) -> RawRule {
        RawRule {
            name: r.name,
            query: r.query,
            action: r.action,
            grace_days: r.grace_days,
            channels: r.channels,
            cap: r.cap,
            claims: r.claims,
        }
    }
}

impl TryFrom<RawRule> for Rule {
    type Error = String;

    fn try_from(raw: RawRule) -> Result<Rule, String> {
        let name = raw.name.trim().to_owned();
        if name.is_empty() || name.len() > 64 {
            return Err("a rule needs a name of 1 to 64 characters".into());
        }
        let at = |msg: String| format!("rule {name:?}: {msg}");
        let query = crate::filter::parse(&raw.query).map_err(|e| {
            at(format!(
                "the query {:?} does not parse at byte {}: {}",
                raw.query, e.span.start, e.message
            ))
        })?;
        if query.is_empty() {
            return Err(at("the query is empty: it would select every user".into()));
        }
        let products: BTreeSet<&str> = query.scope_products().into_iter().collect();
        let product = match (raw.action, products.len()) {
            (RuleAction::RemoveProductAccess, 1) => products.first().map(|p| (*p).to_owned()),
            (RuleAction::RemoveProductAccess, _) => {
                return Err(at(
                    "remove-product-access needs exactly one product: in the query, e.g. product:jira-software"
                        .into(),
                ));
            }
            (RuleAction::Suspend, 1) => products.first().map(|p| (*p).to_owned()),
            (RuleAction::Suspend, _) => None,
        };
        // An alias (`jsw`) becomes its key: the plan removes access by key.
        let product = match product {
            Some(p) => Some(crate::config::check_product_key(&p).map_err(at)?),
            None => None,
        };
        if !(1..=365).contains(&raw.grace_days) {
            return Err(at(format!(
                "grace_days must be from 1 to 365, not {}",
                raw.grace_days
            )));
        }
        if raw.channels.is_empty() {
            return Err(at(
                "a rule needs at least one channel: no user is reclaimed without a notice".into(),
            ));
        }
        for c in &raw.channels {
            match c {
                Channel::JiraNotify { issue } if !is_issue_key(issue) => {
                    return Err(at(format!(
                        "{issue:?} is not a Jira issue key (like OPS-12)"
                    )));
                }
                Channel::Webhook { secret } if secret.trim().is_empty() => {
                    return Err(at(
                        "a webhook channel needs the keyring secret's name".into()
                    ));
                }
                Channel::File { path } if path.as_os_str().is_empty() => {
                    return Err(at("a file channel needs a path".into()));
                }
                _ => {}
            }
        }
        if raw.claims == Some(Claims::Comment)
            && raw
                .channels
                .iter()
                .all(|c| !matches!(c, Channel::JiraNotify { .. }))
        {
            return Err(at(
                "claims = \"comment\" needs a jira-notify channel: its issue is where users comment"
                    .into(),
            ));
        }
        if !(1..=1_000_000).contains(&raw.cap) {
            return Err(at(format!(
                "cap must be from 1 to 1000000, not {}",
                raw.cap
            )));
        }
        Ok(Rule {
            name,
            query: raw.query,
            action: raw.action,
            product,
            grace_days: raw.grace_days,
            channels: raw.channels,
            cap: raw.cap,
            claims: raw.claims,
        })
    }
}

fn is_issue_key(s: &str) -> bool {
    let Some((project, number)) = s.split_once('-') else {
        return false;
    };
    !project.is_empty()
        && project
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
        && project.starts_with(|c: char| c.is_ascii_uppercase())
        && !number.is_empty()
        && number.chars().all(|c| c.is_ascii_digit())
}

/// The rules, with names unique (the lifecycle is kept by name).
pub(super) fn unique_rules<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<Rule>, D::Error> {
    let rules = Vec::<Rule>::deserialize(d)?;
    let mut seen = BTreeSet::new();
    for r in &rules {
        if !seen.insert(r.name.as_str()) {
            return Err(serde::de::Error::custom(format!(
                "two rules are named {:?}: each rule needs its own name",
                r.name
            )));
        }
    }
    Ok(rules)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    fn parse(text: &str) -> Result<Config, String> {
        crate::config::load::parse(std::path::Path::new("config.toml"), text)
            .map_err(|e| e.to_string())
    }

    const GOOD: &str = r#"
[[rules]]
name = "idle jira"
query = "product:jira-software idle:90 !group:contractors"
action = "remove-product-access"
grace_days = 14
cap = 50
claims = "comment"
channels = [
  { type = "jira-notify", issue = "OPS-12" },
  { type = "webhook", secret = "automation-hook" },
  { type = "file", path = "/var/lib/seats/notices.jsonl" },
]
"#;

    #[test]
    fn a_rule_reads_with_its_product_channels_and_claims() {
        let c = parse(GOOD).unwrap();
        let r = &c.rules[0];
        assert_eq!(r.name, "idle jira");
        assert_eq!(r.product.as_deref(), Some("jira-software"));
        assert_eq!(r.action, RuleAction::RemoveProductAccess);
        assert_eq!(r.grace_days, 14);
        assert_eq!(r.cap, 50);
        assert_eq!(r.claims, Some(Claims::Comment));
        assert_eq!(r.channels.len(), 3);
        assert_eq!(r.review_issue(), Some("OPS-12"));
        assert_eq!(r.channels[1].label(), "webhook:automation-hook");
    }

    #[test]
    fn a_query_that_does_not_parse_is_an_error_at_the_rules_line() {
        let text = GOOD.replace("idle:90", "idle:ninety");
        let e = parse(&text).unwrap_err();
        assert!(e.starts_with("config.toml:2:"), "{e}");
        assert!(
            e.contains("idle jira") && e.contains("does not parse"),
            "{e}"
        );
    }

    #[test]
    fn broken_rules_say_what_is_wrong() {
        let cases = [
            (
                GOOD.replace("product:jira-software ", ""),
                "exactly one product",
            ),
            (
                GOOD.replace("grace_days = 14", "grace_days = 0"),
                "grace_days",
            ),
            (GOOD.replace("OPS-12", "ops twelve"), "not a Jira issue key"),
            (
                GOOD.replace("\"remove-product-access\"", "\"delete\""),
                "unknown variant",
            ),
            (
                GOOD.replace("cap = 50", "cap = 50\ncolour = 1"),
                "unknown field",
            ),
            (
                GOOD.replace("  { type = \"jira-notify\", issue = \"OPS-12\" },\n", ""),
                "needs a jira-notify channel",
            ),
            (
                format!("{GOOD}{}", GOOD.replace("cap = 50", "cap = 5")),
                "two rules",
            ),
            (
                GOOD.replace("product:jira-software", "product:jira-softwar"),
                "jira-softwar",
            ),
        ];
        for (text, want) in cases {
            let e = parse(&text).unwrap_err();
            assert!(e.contains(want), "{want}: {e}");
        }
    }

    #[test]
    fn the_documented_example_parses_once_uncommented() {
        let asset = crate::config::DEFAULT_CONFIG_TOML;
        let start = asset
            .find("# [[rules]]")
            .expect("the asset documents [[rules]]");
        let example: String = asset[start..]
            .lines()
            .map_while(|l| l.strip_prefix("# "))
            .map(|l| format!("{l}\n"))
            .collect();
        let c = parse(&example).unwrap_or_else(|e| panic!("{e}\n{example}"));
        assert_eq!(c.rules.len(), 1);
        assert_eq!(c.rules[0].channels.len(), 3);
        assert_eq!(c.rules[0].claims, Some(Claims::Comment));
    }

    #[test]
    fn suspend_needs_no_product_and_the_rule_round_trips() {
        let text = r#"
[[rules]]
name = "gone quiet"
query = "idle:180 !admin"
action = "suspend"
grace_days = 30
channels = [{ type = "file", path = "n.jsonl" }]
"#;
        let c = parse(text).unwrap();
        assert_eq!(c.rules[0].product, None);
        let alias = parse(&GOOD.replace("product:jira-software", "product:jsw")).unwrap();
        assert_eq!(alias.rules[0].product.as_deref(), Some("jira-software"));
        assert_eq!(c.rules[0].cap, 100);
        let again = toml::to_string(&c).unwrap();
        assert_eq!(parse(&again).unwrap(), c);
    }
}
