//! A batch's items in the History view (Enter on a batch): counts per state, the filter, and
//! the items on screen only (a batch can hold 50,000).

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table};

use crate::exec::ItemState;
use crate::output::words::plural;
use crate::tui::batch_items::{ItemFilter, ItemsPanel, STATES};
use crate::tui::format::thousands;
use crate::tui::layout::ITEMS_PANEL;
use crate::tui::state::{AppState, Level};

pub fn draw(state: &AppState, frame: &mut Frame, area: Rect, panel: &ItemsPanel) {
    let t = state.theme;
    let panel_h = ITEMS_PANEL.min(area.height);
    let (first, second) = match (&panel.data, &panel.error) {
        (_, Some(e)) => (
            Line::from(Span::styled(
                format!("The items of batch {} could not be read: {e}", panel.batch),
                t.level(Level::Error),
            )),
            Line::from(Span::styled("Esc: back to the batches", t.dim())),
        ),
        (None, None) => (
            Line::from(Span::styled(
                format!("Reading the items of batch {}…", panel.batch),
                t.dim(),
            )),
            Line::from(Span::styled("Esc: back to the batches", t.dim())),
        ),
        (Some(d), None) => {
            let mut spans = vec![Span::styled(
                format!("Batch {}: {} · ", panel.batch, plural(d.rows.len(), "item")),
                t.title(),
            )];
            // Done, failed, skipped, unknown and pending always; sent and dry run when any.
            let counts = STATES
                .iter()
                .filter(|s| !matches!(s, ItemState::Sent | ItemState::DryRun) || d.count(**s) > 0)
                .map(|s| format!("{} {}", thousands(d.count(*s)), s.as_str()))
                .collect::<Vec<_>>()
                .join(", ");
            spans.push(Span::raw(counts));
            let shown = match panel.filter {
                ItemFilter::All => format!("Showing all {}", plural(d.rows.len(), "item")),
                f => format!(
                    "Showing {} {} of {}",
                    thousands(d.len(f)),
                    f.word(),
                    thousands(d.rows.len())
                ),
            };
            (
                Line::from(spans),
                Line::from(vec![
                    Span::styled(format!("{shown}  "), t.key()),
                    Span::styled(
                        "f failed  s skipped  a all  b give back  Esc batches",
                        t.dim(),
                    ),
                ]),
            )
        }
    };
    frame.render_widget(
        Paragraph::new(vec![first, second]),
        Rect::new(area.x, area.y, area.width, panel_h),
    );
    let list = Rect::new(
        area.x,
        area.y + panel_h,
        area.width,
        area.height.saturating_sub(panel_h),
    );
    let Some(d) = &panel.data else {
        return;
    };
    let height = list.height.saturating_sub(1) as usize;
    // The email where there is room for it; the name always.
    let wide = area.width >= 120;
    let len = d.len(panel.filter);
    if len == 0 {
        let text = match panel.filter {
            ItemFilter::All => format!("batch {} has no items", panel.batch),
            f => format!("no {} items in batch {}", f.word(), panel.batch),
        };
        frame.render_widget(Paragraph::new(Span::styled(text, t.dim())), list);
        return;
    }
    let start = panel.offset.min(len);
    let end = (start + height).min(len);
    // The Action column as wide as its widest cell on screen: "remove from jira-software-users"
    // must not be cut while Reason has room to spare.
    let action_w = (start..end)
        .filter_map(|i| d.get(panel.filter, i))
        .map(|item| item.action.chars().count())
        .max()
        .unwrap_or(0)
        .max("Action".len()) as u16;
    let rows = (start..end).filter_map(|i| {
        let item = d.get(panel.filter, i)?;
        let style = match item.state {
            ItemState::Failed => t.level(Level::Error),
            ItemState::Skipped | ItemState::Unknown | ItemState::Sent => t.level(Level::Warn),
            ItemState::Done | ItemState::Pending | ItemState::DryRun => {
                ratatui::style::Style::new()
            }
        };
        let mut cells = vec![
            // The journal counts from 0; people count from 1.
            Cell::from((item.seq + 1).to_string()),
            Cell::from(item.state.as_str()).style(style),
            Cell::from(item.name.clone()),
        ];
        if wide {
            cells.push(Cell::from(
                item.email.clone().unwrap_or_else(|| "no email".into()),
            ));
        }
        cells.push(Cell::from(item.action.clone()));
        cells.push(Cell::from(item.reason.clone().unwrap_or_default()));
        let row = Row::new(cells);
        Some(if i == panel.cursor {
            row.style(t.selected())
        } else {
            row
        })
    });
    let (titles, widths) = if wide {
        (
            vec!["#", "State", "User", "Email", "Action", "Reason"],
            vec![
                Constraint::Length(5),
                Constraint::Length(7),
                Constraint::Fill(2),
                Constraint::Fill(3),
                Constraint::Length(action_w),
                Constraint::Fill(4),
            ],
        )
    } else {
        (
            vec!["#", "State", "User", "Action", "Reason"],
            vec![
                Constraint::Length(5),
                Constraint::Length(7),
                Constraint::Fill(3),
                Constraint::Fill(2),
                Constraint::Fill(4),
            ],
        )
    };
    frame.render_widget(
        Table::new(rows, widths)
            .header(Row::new(titles).style(t.header()))
            .column_spacing(1),
        list,
    );
}
