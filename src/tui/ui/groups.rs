//! The Groups view follows the query: for each group, how many of the Users view's rows it
//! holds and, for the product the query names, how many get it through the group (only
//! through it, or also another way), most granting first. Until the breakdown is counted,
//! the groups by name with their member counts.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table};

use super::short_product;
use crate::domain::product_name;
use crate::output::words::plural;
use crate::tui::breakdown::Breakdown;
use crate::tui::breakdowns::{for_groups, still_loading};
use crate::tui::format::{ellipsis, thousands};
use crate::tui::layout::GROUPS_HEADER;
use crate::tui::state::{AppState, Level};

/// Columns one product's "via, only, also" take.
const PRODUCT_COLUMNS: u16 = 7 + 6 + 6 + 3;

pub fn draw(state: &AppState, frame: &mut Frame, area: Rect) {
    let Some(data) = &state.data else {
        frame.render_widget(Paragraph::new("Loading the directory…"), area);
        return;
    };
    let [head, body] =
        Layout::vertical([Constraint::Length(GROUPS_HEADER), Constraint::Fill(1)]).areas(area);
    let t = state.theme;
    match for_groups(state) {
        Some(b) => {
            // Lines cut at the view's width end with "…" (the query can be long).
            let room = head.width as usize;
            let lines: Vec<Line> = header(state, b)
                .into_iter()
                .map(|l| {
                    let style = l.spans.first().map(|s| s.style).unwrap_or_default();
                    let text: String = l.spans.iter().map(|s| s.content.as_ref()).collect();
                    Line::from(Span::styled(ellipsis(&text, room), style))
                })
                .collect();
            frame.render_widget(Paragraph::new(lines), head);
            table(state, b, frame, body);
        }
        None => {
            let of = selection_words(state.users.query.as_str(), None);
            let lines = vec![
                Line::from(vec![
                    Span::styled(format!("Groups of {of}"), t.title()),
                    Span::styled("  counting…", t.key()),
                ]),
                Line::from(Span::styled(
                    "meanwhile every group by name, with its members in the directory",
                    t.dim(),
                )),
            ];
            frame.render_widget(Paragraph::new(lines), head);
            by_name(state, data, frame, body);
        }
    }
}

/// "the 1,234 users of `product:jira-software idle:90`", or "all 1,970 users".
fn selection_words(label: &str, n: Option<usize>) -> String {
    let users = n.map_or_else(|| "users".to_owned(), |n| plural(n, "user"));
    match (label.is_empty(), n) {
        (true, _) => format!("all {users}"),
        (false, Some(_)) => format!("{users} of `{label}`"),
        (false, None) => format!("the users of `{label}`"),
    }
}

/// What the view answers, in two lines.
fn header(state: &AppState, b: &Breakdown) -> Vec<Line<'static>> {
    let t = state.theme;
    let holding = b.holding();
    let rest = b.groups.len() - holding;
    let tail = if rest > 0 {
        format!(
            "; {} of {} {} none of them (listed last)",
            plural(rest, "group"),
            thousands(b.groups.len()),
            if rest == 1 { "holds" } else { "hold" }
        )
    } else {
        String::new()
    };
    let Some(first) = b.products.first() else {
        return vec![
            Line::from(Span::styled(
                format!(
                    "Groups of {}: members in the selection",
                    selection_words(&b.label, Some(b.selected))
                ),
                t.title(),
            )),
            Line::from(Span::styled(
                format!(
                    "the query names no product: add product:KEY to see which groups grant it{tail}"
                ),
                t.dim(),
            )),
        ];
    };
    let names: Vec<String> = b
        .products
        .iter()
        .map(|p| product_name(&p.product))
        .collect();
    let title = format!(
        "Groups granting {} to {}",
        names.join(" and "),
        selection_words(&b.label, Some(first.holders))
    );
    // Part of the directory: no group has been read, so every holder would look direct.
    if let Some(loading) = still_loading(state) {
        return vec![
            Line::from(Span::styled(title, t.title())),
            Line::from(Span::styled(loading, t.level(Level::Warn))),
        ];
    }
    let mut ways = vec![format!(
        "{} through a group",
        thousands(first.through_groups)
    )];
    if first.admin_only > 0 {
        ways.push(format!(
            "{} only as org admins",
            thousands(first.admin_only)
        ));
    }
    if first.direct_only > 0 {
        ways.push(format!(
            "{} only by a direct grant",
            thousands(first.direct_only)
        ));
    }
    let of = if b.products.len() > 1 {
        format!(" ({})", names[0])
    } else {
        String::new()
    };
    vec![
        Line::from(Span::styled(title, t.title())),
        Line::from(Span::styled(
            format!("{}{of}{tail}; Enter narrows", ways.join(", ")),
            t.dim(),
        )),
    ]
}

fn table(state: &AppState, b: &Breakdown, frame: &mut Frame, area: Rect) {
    let t = state.theme;
    // The group's own figures (all its members, the products it grants) where there is room.
    let groups = state
        .data
        .as_ref()
        .map(|d| &d.dir.groups[..])
        .unwrap_or(&[]);
    let own = area.width >= 100;
    // As many products as fit beside a readable name.
    let room = area
        .width
        .saturating_sub(24 + 9 + 7 + if own { 9 + 16 } else { 0 });
    let shown = b
        .products
        .len()
        .min((room / PRODUCT_COLUMNS) as usize)
        .max(usize::from(!b.products.is_empty()));
    let mut header = vec![Cell::from("Group"), Cell::from("Selected")];
    let mut widths = vec![Constraint::Fill(1), Constraint::Length(8)];
    for p in &b.products[..shown] {
        header.push(Cell::from(format!("Via {}", short_product(&p.product))));
        header.push(Cell::from("only"));
        header.push(Cell::from("also"));
        widths.extend([
            Constraint::Length(8),
            Constraint::Length(6),
            Constraint::Length(6),
        ]);
    }
    if own {
        header.extend([Cell::from("Members"), Cell::from("Grants")]);
        widths.extend([Constraint::Length(8), Constraint::Fill(1)]);
    }
    header.push(Cell::from("Synced"));
    widths.push(Constraint::Length(6));
    let height = area.height.saturating_sub(1) as usize;
    let (start, end) = window(state, b.groups.len(), height);
    let rows = b.groups[start..end].iter().enumerate().map(|(i, g)| {
        let mut cells = vec![
            Cell::from(g.name.clone()),
            Cell::from(thousands(g.members as usize)),
        ];
        for th in &g.through[..shown] {
            cells.push(Cell::from(thousands(th.total() as usize)));
            cells.push(Cell::from(thousands(th.only as usize)));
            cells.push(Cell::from(thousands(th.also as usize)));
        }
        if own {
            let group = groups.get(g.group);
            cells.push(Cell::from(
                group
                    .and_then(|g| g.member_count)
                    .map(|n| thousands(n as usize))
                    .unwrap_or_else(|| "?".into()),
            ));
            cells.push(Cell::from(group.map(grants_of).unwrap_or_default()));
        }
        cells.push(Cell::from(if g.synced { "synced" } else { "" }));
        let row = Row::new(cells);
        let row = if g.members == 0 {
            row.style(t.dim())
        } else {
            row
        };
        if start + i == state.groups.cursor {
            row.style(t.selected())
        } else {
            row
        }
    });
    frame.render_widget(
        Table::new(rows, widths)
            .header(Row::new(header).style(t.header()))
            .column_spacing(1),
        area,
    );
}

/// The products a group grants, short (`JSW Conf`).
fn grants_of(g: &crate::domain::Group) -> String {
    g.grants
        .iter()
        .map(|p| short_product(p))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The first and last+1 line on screen: the list's offset, moved so the cursor shows.
fn window(state: &AppState, len: usize, height: usize) -> (usize, usize) {
    let cursor = state.groups.cursor.min(len.saturating_sub(1));
    let mut start = state.groups.offset.min(len);
    if cursor >= start + height {
        start = cursor + 1 - height.max(1);
    }
    (start, (start + height).min(len))
}

/// Every group by name, with its members in the directory: shown while the breakdown counts.
fn by_name(state: &AppState, data: &crate::tui::loaded::Loaded, frame: &mut Frame, area: Rect) {
    let t = state.theme;
    let order = &data.derived.groups_by_name;
    let height = area.height.saturating_sub(1) as usize;
    let (start, end) = window(state, order.len(), height);
    let rows = order[start..end].iter().enumerate().map(|(i, &gi)| {
        let g = &data.dir.groups[gi];
        let grants = grants_of(g);
        let row = Row::new(vec![
            Cell::from(g.name.as_str()),
            Cell::from(
                g.member_count
                    .map(|n| thousands(n as usize))
                    .unwrap_or_else(|| "?".into()),
            ),
            Cell::from(grants),
            Cell::from(if g.synced { "synced" } else { "" }),
        ]);
        if start + i == state.groups.cursor {
            row.style(t.selected())
        } else {
            row
        }
    });
    let header = Row::new(vec!["Group", "Members", "Grants", "Synced"]).style(t.header());
    let table = Table::new(
        rows,
        [
            Constraint::Fill(3),
            Constraint::Length(8),
            Constraint::Fill(2),
            Constraint::Length(6),
        ],
    )
    .header(header)
    .column_spacing(1);
    frame.render_widget(table, area);
}
