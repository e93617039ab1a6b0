//! Pop-up menus: the facet menu (`f`) writes the same tokens a keyboard user types, so what a
//! mouse user builds, a keyboard user can read and edit; the sort menu (`s`) picks a column.
//!
//! Every menu narrows as you type ([`Narrow`]): each typed word must appear in the item, in
//! any case (substring, not fuzzy: labels are short names an admin knows, and a fuzzy matcher
//! keeps "gra" matching half the groups); the items keep the menu's order.

use crate::domain::product_name;
use crate::filter::{SortKey, quote_value};
use crate::plan::OperationKind;

use super::loaded::Loaded;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Choice {
    /// Add this token to the query.
    Token(String),
    /// Open a submenu.
    Open(Submenu),
    /// Negate the next token chosen.
    ToggleNegate,
    Sort(SortKey),
    /// Queue this action for the marked users (or the current one).
    Queue(OperationKind),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Submenu {
    /// Products to remove access to.
    RemoveProduct,
    /// Groups to remove the targets from.
    RemoveGroup,
    Product,
    Idle,
    Status,
    Type,
    Domain,
    Group,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub label: String,
    pub choice: Choice,
}

/// Text typed to narrow a menu or help. While nothing is typed, the scope's keys (`j`, `k`,
/// `h`, `l`, `q`) keep their meaning and any other character starts the filter; after `/`
/// (`typing`), every character is typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Narrow {
    pub text: String,
    pub typing: bool,
}

impl Narrow {
    /// Every typed word is in `haystack`, in any case.
    pub fn matches(&self, haystack: &str) -> bool {
        words_match(&self.text, haystack)
    }

    pub fn is_empty(&self) -> bool {
        self.text.trim().is_empty()
    }

    /// Typed characters are text, not keys.
    pub fn active(&self) -> bool {
        self.typing || !self.text.is_empty()
    }
}

/// Every whitespace-separated word of `typed` occurs in `text`, ignoring case.
pub fn words_match(typed: &str, text: &str) -> bool {
    let text = text.to_lowercase();
    typed
        .split_whitespace()
        .all(|w| text.contains(&w.to_lowercase()))
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Menu {
    pub title: String,
    pub items: Vec<Item>,
    /// Index into `shown`.
    pub cursor: usize,
    pub offset: usize,
    /// What is typed to narrow the items.
    pub filter: Narrow,
    /// Indices into `items` that match the filter, in menu order (all of them unfiltered).
    pub shown: Vec<usize>,
    /// Facet menus: the next token is written with `!`.
    pub negate: bool,
    /// The menu this one was opened from (Esc goes back to it).
    pub parent: Option<Box<Menu>>,
}

fn item(label: impl Into<String>, choice: Choice) -> Item {
    Item {
        label: label.into(),
        choice,
    }
}

impl Item {
    /// What typing matches: the label and what the item writes (a token, a product's key and
    /// aliases).
    fn search_text(&self) -> String {
        let extra = match &self.choice {
            Choice::Token(t) => match t.strip_prefix("product:") {
                Some(key) => {
                    let aliases = crate::domain::product_entry(key)
                        .map(|p| p.aliases.join(" "))
                        .unwrap_or_default();
                    format!("{t} {aliases}")
                }
                None => t.clone(),
            },
            Choice::Queue(OperationKind::RemoveProductAccess { product }) => {
                let aliases = crate::domain::product_entry(product)
                    .map(|p| p.aliases.join(" "))
                    .unwrap_or_default();
                format!("{product} {aliases}")
            }
            Choice::Queue(_) | Choice::Open(_) | Choice::ToggleNegate | Choice::Sort(_) => {
                String::new()
            }
        };
        format!("{} {extra}", self.label)
    }
}

impl Menu {
    fn new(title: impl Into<String>, items: Vec<Item>) -> Menu {
        Menu {
            title: title.into(),
            shown: (0..items.len()).collect(),
            items,
            cursor: 0,
            offset: 0,
            filter: Narrow::default(),
            negate: false,
            parent: None,
        }
    }

    /// The item under the cursor.
    pub fn current(&self) -> Option<&Item> {
        self.shown.get(self.cursor).and_then(|&i| self.items.get(i))
    }

    /// The items the filter lets through, in order.
    pub fn visible(&self) -> impl Iterator<Item = &Item> {
        self.shown.iter().filter_map(|&i| self.items.get(i))
    }

    /// Narrows the items to the filter again (O(items), once per typed key): the cursor goes
    /// to the first match.
    pub fn refilter(&mut self) {
        let filter = &self.filter;
        self.shown = self
            .items
            .iter()
            .enumerate()
            .filter(|(_, item)| filter.is_empty() || filter.matches(&item.search_text()))
            .map(|(i, _)| i)
            .collect();
        self.cursor = 0;
        self.offset = 0;
    }

    pub fn facets() -> Menu {
        use Choice::{Open, Token};
        Menu::new(
            "Filter by",
            vec![
                item("product…", Open(Submenu::Product)),
                item("inactive for at least…", Open(Submenu::Idle)),
                item("never active", Token("never".into())),
                item("status…", Open(Submenu::Status)),
                item("account type…", Open(Submenu::Type)),
                item("email domain…", Open(Submenu::Domain)),
                item("group…", Open(Submenu::Group)),
                item("org or site admin", Token("admin".into())),
                item("synced from the identity provider", Token("synced".into())),
                item("negate the next choice (!)", Choice::ToggleNegate),
            ],
        )
    }

    /// A submenu's items, from the data on screen (products, domains, groups).
    pub fn submenu(which: Submenu, data: Option<&Loaded>) -> Menu {
        let token = |label: String, tok: String| item(label, Choice::Token(tok));
        let (title, items): (&str, Vec<Item>) = match which {
            Submenu::RemoveProduct => (
                "Remove access to",
                data.into_iter()
                    .flat_map(Loaded::product_keys)
                    .map(|k| {
                        item(
                            product_name(k),
                            Choice::Queue(OperationKind::RemoveProductAccess {
                                product: k.to_owned(),
                            }),
                        )
                    })
                    .collect(),
            ),
            Submenu::RemoveGroup => (
                "Remove from group",
                data.map(|d| {
                    d.derived
                        .groups_by_name
                        .iter()
                        .map(|&i| {
                            let g = &d.dir.groups[i];
                            let label = if g.synced {
                                format!("{} (synced: held out)", g.name)
                            } else {
                                g.name.clone()
                            };
                            item(
                                label,
                                Choice::Queue(OperationKind::RemoveFromGroup {
                                    group_id: g.id.clone(),
                                    group_name: g.name.clone(),
                                }),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default(),
            ),
            Submenu::Product => (
                "Product",
                data.into_iter()
                    .flat_map(Loaded::product_keys)
                    .map(|k| token(format!("{} ({k})", product_name(k)), format!("product:{k}")))
                    .collect(),
            ),
            Submenu::Idle => (
                "Inactive for at least",
                [30, 60, 90, 180, 365]
                    .into_iter()
                    .map(|d| token(format!("{d} days (or never)"), format!("idle:{d}")))
                    .collect(),
            ),
            Submenu::Status => (
                "Status",
                ["active", "suspended", "not_invited", "deactivated"]
                    .into_iter()
                    .map(|s| token(s.to_owned(), format!("status:{s}")))
                    .collect(),
            ),
            Submenu::Type => (
                "Account type",
                ["atlassian", "app", "customer"]
                    .into_iter()
                    .map(|s| token(s.to_owned(), format!("type:{s}")))
                    .collect(),
            ),
            Submenu::Domain => (
                "Email domain",
                data.map(|d| {
                    d.derived
                        .domains
                        .iter()
                        .map(|(dom, n)| token(format!("{dom} ({n})"), format!("domain:{dom}")))
                        .collect()
                })
                .unwrap_or_default(),
            ),
            Submenu::Group => (
                "Group",
                data.map(|d| {
                    d.derived
                        .groups_by_name
                        .iter()
                        .map(|&i| {
                            let g = &d.dir.groups[i];
                            token(g.name.clone(), format!("group:{}", quote_value(&g.name)))
                        })
                        .collect()
                })
                .unwrap_or_default(),
            ),
        };
        Menu::new(title, items)
    }

    /// The action menu (`a`): what to queue for `targets` users.
    pub fn actions(targets: usize) -> Menu {
        use Choice::{Open, Queue};
        let q = |k: OperationKind| Queue(k);
        let title = if targets == 1 {
            "Queue for 1 user".to_owned()
        } else {
            format!("Queue for {targets} users")
        };
        Menu::new(
            title,
            vec![
                item("remove product access…", Open(Submenu::RemoveProduct)),
                item("remove from a group…", Open(Submenu::RemoveGroup)),
                item(
                    "suspend (frees every seat, keeps content)",
                    q(OperationKind::Suspend),
                ),
                item("restore", q(OperationKind::Restore)),
                item(
                    "remove from the directory (irreversible)",
                    q(OperationKind::RemoveFromDirectory),
                ),
                item(
                    "deactivate the Atlassian account (managed only)",
                    q(OperationKind::Deactivate),
                ),
                item(
                    "reactivate the Atlassian account",
                    q(OperationKind::Reactivate),
                ),
            ],
        )
    }

    pub fn sort(products: &[String], current: &SortKey) -> Menu {
        let mut items = vec![
            item(
                "relevance (best match first)",
                Choice::Sort(SortKey::Relevance),
            ),
            item("name", Choice::Sort(SortKey::Name)),
            item("email", Choice::Sort(SortKey::Email)),
            item("status", Choice::Sort(SortKey::Status)),
            item("account type", Choice::Sort(SortKey::Type)),
            item("group count", Choice::Sort(SortKey::Groups)),
        ];
        for p in products {
            items.push(item(
                format!("days inactive on {}", product_name(p)),
                Choice::Sort(SortKey::Inactivity(p.clone())),
            ));
        }
        let mut menu = Menu::new("Sort by (again: reverse)", items);
        menu.cursor = menu
            .items
            .iter()
            .position(|i| i.choice == Choice::Sort(current.clone()))
            .unwrap_or(0);
        menu
    }
}
