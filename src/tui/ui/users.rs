//! The Users view: who holds what, and for how long they have not used it.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table};

use super::{days, short_product};
use crate::domain::{ProtectionReason, User, UserStatus};
use crate::tui::state::AppState;

/// Markers: A org or site admin, P protected (config, app account, the admin), S synced.
pub fn markers(state: &AppState, user: &User) -> String {
    let reasons = state.protection.reasons(user);
    let admin = user.org_admin || user.site_admin;
    let protected = reasons.iter().any(|r| {
        !matches!(
            r,
            ProtectionReason::OrgAdmin | ProtectionReason::SiteAdmin | ProtectionReason::Synced
        )
    });
    let mut s = String::with_capacity(3);
    s.push(if admin { 'A' } else { ' ' });
    s.push(if protected { 'P' } else { ' ' });
    s.push(if user.synced { 'S' } else { ' ' });
    s
}

pub fn status_word(status: &UserStatus) -> &str {
    match status {
        UserStatus::NotInvited => "invited",
        UserStatus::ForDeletion => "deleting",
        other => other.as_str(),
    }
}

pub fn draw(state: &AppState, frame: &mut Frame, area: Rect) {
    let t = state.theme;
    let Some(data) = &state.data else {
        let text = match &state.fetch {
            crate::tui::state::Fetch::Failed(e) => {
                format!("Could not fetch the org: {e}\n\nPress r to try again.")
            }
            _ => "Loading the directory…".to_owned(),
        };
        frame.render_widget(
            Paragraph::new(text).wrap(ratatui::widgets::Wrap { trim: true }),
            area,
        );
        return;
    };
    let dir = &data.dir;
    let products = data
        .derived
        .activity
        .iter()
        .map(|a| a.product.as_str())
        .collect::<Vec<_>>();
    let wide = area.width >= 110;
    let mut header = vec![
        Cell::from(""),
        Cell::from(""),
        Cell::from("Name"),
        Cell::from("Email"),
        Cell::from("Status"),
    ];
    let mut widths = vec![
        Constraint::Length(1),
        Constraint::Length(3),
        Constraint::Fill(2),
        Constraint::Fill(3),
        Constraint::Length(9),
    ];
    if wide {
        header.push(Cell::from("Type"));
        widths.push(Constraint::Length(9));
    }
    for p in &products {
        header.push(Cell::from(short_product(p)));
        widths.push(Constraint::Length(6));
    }
    header.push(Cell::from("Grp"));
    widths.push(Constraint::Length(4));
    let grants = super::breakdown::grants_product(state, area.width);
    if let Some(p) = grants {
        header.push(Cell::from(format!("Grants {}", short_product(p))));
        widths.push(Constraint::Fill(2));
    }

    let height = area.height.saturating_sub(1) as usize;
    let start = state.users.offset.min(state.users.rows.len());
    let end = (start + height).min(state.users.rows.len());
    // Only the rows on screen are built.
    let rows = state.users.rows[start..end]
        .iter()
        .enumerate()
        .map(|(i, &ix)| {
            let Some(u) = dir.users.get(ix as usize) else {
                return Row::new(Vec::<Cell>::new());
            };
            let marked = state.marks.contains(ix);
            let mut cells = vec![
                Cell::from(if marked { "*" } else { " " }),
                Cell::from(Span::styled(markers(state, u), t.marker())),
                Cell::from(u.name.as_str()),
                Cell::from(u.email.as_deref().unwrap_or("")),
                Cell::from(status_word(&u.status)),
            ];
            if wide {
                cells.push(Cell::from(u.account_type.as_str()));
            }
            for p in &products {
                let inactivity = u.access(p).map(|a| a.inactivity(dir.fetched_at));
                let threshold = state.config.inactivity_days(p);
                let idle = u
                    .access(p)
                    .is_some_and(|a| a.inactive_for_at_least(threshold, dir.fetched_at));
                let text = days(inactivity);
                cells.push(if idle {
                    Cell::from(Span::styled(text, t.idle()))
                } else {
                    Cell::from(text)
                });
            }
            cells.push(Cell::from(u.groups.len().to_string()));
            if let Some(p) = grants {
                cells.push(Cell::from(super::breakdown::grants_cell(data, u, p)));
            }
            let row = Row::new(cells);
            let row = if marked { row.style(t.marked()) } else { row };
            if start + i == state.users.cursor {
                row.style(t.selected())
            } else {
                row
            }
        });
    let table = Table::new(rows, widths)
        .header(Row::new(header).style(t.header()))
        .column_spacing(1);
    frame.render_widget(table, area);
    if state.users.rows.is_empty() && state.users.shown > 0 {
        let msg = Line::from(Span::styled(
            "  no user matches this filter (Esc clears it)",
            t.dim(),
        ));
        if area.height > 2 {
            frame.render_widget(
                Paragraph::new(msg),
                Rect::new(area.x, area.y + 2, area.width, 1),
            );
        }
    }
}
