//! Details of one user: every group, each product with its last-active date and every path
//! that grants it, and why the user is protected.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use super::{days, popup};
use crate::domain::{Directory, ProductAccess, ProtectionReason, User, product_name};
use crate::tui::breakdown::{GrantPath, grant_paths_into};
use crate::tui::loaded::Derived;
use crate::tui::state::AppState;

/// The paths that give `user` the product (`tui::breakdown::grant_paths_into`, the one
/// definition the Groups view counts), in words: groups (synced ones say so), the org admin
/// role, or a direct grant.
pub fn grant_paths(dir: &Directory, derived: &Derived, user: &User, product: &str) -> Vec<String> {
    let mut paths = Vec::new();
    grant_paths_into(&mut paths, dir, derived, user, product);
    paths
        .iter()
        .map(|p| match p {
            GrantPath::Group(gi) => {
                let g = &dir.groups[*gi];
                if g.synced {
                    format!("{} (synced: change it in the identity provider)", g.name)
                } else {
                    g.name.clone()
                }
            }
            GrantPath::OrgAdmin => "org admin role (cannot be removed here)".into(),
            GrantPath::Direct => "a direct role grant (no group gives it)".into(),
        })
        .collect()
}

/// "last active 2026-08-27 (95d)", or "never active": the date and its age once each.
pub fn last_active(a: &ProductAccess, at: chrono::DateTime<chrono::Utc>) -> String {
    match a.last_active {
        Some(d) => format!(
            "last active {} ({})",
            d.format("%Y-%m-%d"),
            days(Some(a.inactivity(at)))
        ),
        None => "never active".into(),
    }
}

pub fn draw(state: &AppState, frame: &mut Frame, area: Rect, user: u32, scroll: usize) {
    let t = state.theme;
    let Some(data) = &state.data else { return };
    let Some(u) = data.dir.users.get(user as usize) else {
        return;
    };
    let dir = &data.dir;
    let mut lines: Vec<Line> = vec![
        Line::from(Span::styled(u.name.clone(), t.title())),
        Line::from(format!(
            "{}   {}   {} account{}",
            u.email.as_deref().unwrap_or("(no email)"),
            super::users::status_word(&u.status),
            u.account_type.as_str(),
            if u.managed { ", managed" } else { "" }
        )),
        Line::from(Span::styled(
            format!("account id {}", u.account_id),
            t.dim(),
        )),
        Line::from(""),
    ];
    // A synced user is held out of only what the identity provider owns: not "protected".
    let (synced, reasons): (Vec<_>, Vec<_>) = state
        .protection
        .reasons(u)
        .into_iter()
        .partition(|r| matches!(r, ProtectionReason::Synced));
    for (heading, reasons) in [("Protected", reasons), ("Identity provider", synced)] {
        if reasons.is_empty() {
            continue;
        }
        lines.push(Line::from(Span::styled(heading, t.header())));
        for r in &reasons {
            lines.push(Line::from(format!("  {}", r.describe())));
        }
        lines.push(Line::from(""));
    }
    lifecycle(state, &u.account_id, &mut lines);
    lines.push(Line::from(Span::styled("Products", t.header())));
    if u.product_access.is_empty() {
        lines.push(Line::from("  no product access"));
    }
    for a in &u.product_access {
        lines.push(Line::from(vec![
            Span::styled(format!("  {}", product_name(&a.product)), t.title()),
            Span::raw(format!("  {}", last_active(a, dir.fetched_at))),
        ]));
        let paths = grant_paths(dir, &data.derived, u, &a.product);
        lines.push(Line::from(format!("    through {}", paths.join(", "))));
    }
    lines.push(Line::from(""));
    lines.push(Line::from(Span::styled(
        format!("Groups ({})", u.groups.len()),
        t.header(),
    )));
    for g in &u.groups {
        let synced = data
            .derived
            .group_ix
            .get(g.id.as_str())
            .is_some_and(|&i| dir.groups[i].synced);
        lines.push(Line::from(format!(
            "  {}{}",
            g.name,
            if synced { "  (synced)" } else { "" }
        )));
    }
    // Cover the whole view: half-hidden rows beside a box read as part of it.
    frame.render_widget(ratatui::widgets::Clear, area);
    let r = popup(frame, area, area.width.saturating_sub(4), area.height);
    let block = Block::default()
        .borders(Borders::ALL)
        .title(" Details (Esc closes, j/k scroll) ");
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false })
            .scroll((scroll.min(u16::MAX as usize) as u16, 0)),
        r,
    );
}

/// The user's place in each rule that has seen them: state, notice, deadline, batch.
fn lifecycle(state: &AppState, account_id: &str, lines: &mut Vec<Line<'_>>) {
    let t = state.theme;
    let Some(cycles) = state
        .rules
        .data
        .as_ref()
        .and_then(|d| d.by_account.get(account_id))
    else {
        return;
    };
    lines.push(Line::from(Span::styled("Rules", t.header())));
    let date = |d: chrono::DateTime<chrono::Utc>| d.format("%Y-%m-%d").to_string();
    for c in cycles {
        let mut text = format!("  {}: {}", c.rule, crate::tui::rules::state_word(c.state));
        if let Some(w) = c.warned_at {
            text.push_str(&format!(", warned {}", date(w)));
            if let Some(ch) = &c.channel {
                text.push_str(&format!(" by {ch}"));
            }
        }
        if let Some(d) = c.deadline {
            text.push_str(&format!(", deadline {}", date(d)));
        }
        if let Some(b) = c.batch_id {
            text.push_str(&format!(", batch {b}"));
        }
        lines.push(Line::from(text));
        if let Some(e) = &c.evidence {
            lines.push(Line::from(Span::styled(format!("    {e}"), t.dim())));
        }
    }
    lines.push(Line::from(""));
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn last_active_says_never_once() {
        let at = chrono::Utc
            .with_ymd_and_hms(2026, 11, 30, 9, 0, 0)
            .single()
            .unwrap_or_default();
        let access = |last| ProductAccess {
            product: "jira-software".into(),
            last_active: last,
            resource: None,
        };
        assert_eq!(last_active(&access(None), at), "never active");
        assert_eq!(
            last_active(&access(Some(at - chrono::Duration::days(95))), at),
            "last active 2026-08-27 (95d)"
        );
    }
}
