//! Pop-up menus: the facet menu (`f`) writes the same tokens a keyboard user types, so what a
//! mouse user builds, a keyboard user can read and edit; the sort menu (`s`) picks a column.

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

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Menu {
    pub title: String,
    pub items: Vec<Item>,
    pub cursor: usize,
    pub offset: usize,
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

impl Menu {
    fn new(title: impl Into<String>, items: Vec<Item>) -> Menu {
        Menu {
            title: title.into(),
            items,
            cursor: 0,
            offset: 0,
            negate: false,
            parent: None,
        }
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
                data.map(|d| d.dir.product_keys())
                    .unwrap_or_default()
                    .into_iter()
                    .map(|k| {
                        item(
                            product_name(&k),
                            Choice::Queue(OperationKind::RemoveProductAccess { product: k }),
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
                data.map(|d| d.dir.product_keys())
                    .unwrap_or_default()
                    .into_iter()
                    .map(|k| {
                        token(
                            format!("{} ({k})", product_name(&k)),
                            format!("product:{k}"),
                        )
                    })
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
