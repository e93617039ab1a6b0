//! Which groups grant a product, drawn where the other views need it: the Activity view's
//! idle holders one line per granting group, and the Users view's Grants column (the granting
//! groups of the query's product, built for the rows on screen only).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::domain::{User, product_name};
use crate::tui::breakdown::{GrantPath, grant_paths_into};
use crate::tui::breakdowns::for_activity;
use crate::tui::format::thousands;
use crate::tui::loaded::Loaded;
use crate::tui::state::AppState;

/// The Users view shows the Grants column from this width on.
pub const GRANTS_MIN_WIDTH: u16 = 120;

/// Lines the Activity view's breakdown wants: its title, up to three granting groups and the
/// line of other paths (five while it is counted), so the view can give it room first.
pub fn activity_wants(state: &AppState) -> u16 {
    let Some(b) = for_activity(state) else {
        return 5;
    };
    let Some(p) = b.products.first() else {
        return 0;
    };
    if crate::tui::breakdowns::still_loading(state).is_some() {
        return 2;
    }
    let granting = b
        .groups
        .iter()
        .filter(|g| g.through.first().is_some_and(|th| th.total() > 0))
        .count();
    let others = usize::from(p.admin_only > 0 || p.direct_only > 0);
    // No granting group still takes a line ("no group grants it").
    (1 + granting.clamp(1, 3) + others) as u16
}

/// The Activity view's block under the histogram: the groups that give the chosen holders
/// their product, one line each, as many as fit.
pub fn draw_activity(state: &AppState, frame: &mut Frame, area: Rect) {
    if area.height == 0 {
        return;
    }
    let t = state.theme;
    let Some(b) = for_activity(state) else {
        frame.render_widget(
            Paragraph::new(Line::from(Span::styled(
                "Granting groups: counting…",
                t.dim(),
            ))),
            area,
        );
        return;
    };
    let Some(p) = b.products.first() else {
        return;
    };
    // Part of the directory: no group read yet, so no holder can be told apart.
    if let Some(loading) = crate::tui::breakdowns::still_loading(state) {
        let text = format!("Granting {}: {loading}", product_name(&p.product));
        frame.render_widget(
            Paragraph::new(Line::from(Span::styled(
                text,
                t.level(crate::tui::state::Level::Warn),
            )))
            .wrap(ratatui::widgets::Wrap { trim: true }),
            area,
        );
        return;
    }
    let granting: Vec<_> = b
        .groups
        .iter()
        .filter(|g| g.through.first().is_some_and(|th| th.total() > 0))
        .collect();
    // One line (a short terminal with the chart): the groups in a row, most granting first.
    if area.height == 1 {
        let groups: Vec<String> = granting
            .iter()
            .map(|g| format!("{} {}", g.name, thousands(g.through[0].total() as usize)))
            .collect();
        let text = format!(
            "Granted by: {}  (Enter, then 2 for Groups)",
            if groups.is_empty() {
                "no group".to_owned()
            } else {
                groups.join(", ")
            }
        );
        frame.render_widget(Paragraph::new(Span::styled(text, t.dim())), area);
        return;
    }
    let mut lines = vec![Line::from(Span::styled(
        format!(
            "Granting {} to {} {}:",
            product_name(&p.product),
            crate::output::words::plural(b.selected, "holder"),
            b.label
        ),
        t.title(),
    ))];
    let mut others = Vec::new();
    if p.admin_only > 0 {
        others.push(format!("{} only as org admins", thousands(p.admin_only)));
    }
    if p.direct_only > 0 {
        others.push(format!(
            "{} only by a direct grant",
            thousands(p.direct_only)
        ));
    }
    // Lines left under the title, one kept for "… more" and one for the other paths.
    let room = area.height as usize - 1;
    let reserve = usize::from(!others.is_empty());
    let fit = if granting.len() + reserve <= room {
        granting.len()
    } else {
        room.saturating_sub(reserve + 1)
    };
    let name_w = granting
        .iter()
        .take(fit)
        .map(|g| g.name.chars().count())
        .max()
        .unwrap_or(0)
        .clamp(8, 32);
    for g in granting.iter().take(fit) {
        let th = g.through[0];
        let name: String = g.name.chars().take(name_w).collect();
        lines.push(Line::from(vec![
            Span::raw(format!("  {name:<name_w$} ")),
            Span::styled(format!("{:>6}", thousands(th.total() as usize)), t.key()),
            Span::raw(format!(
                "  ({} only through it, {} also another way){}",
                thousands(th.only as usize),
                thousands(th.also as usize),
                if g.synced { "  synced" } else { "" }
            )),
        ]));
    }
    if fit < granting.len() {
        lines.push(Line::from(Span::styled(
            format!(
                "  … {} more: press Enter, then 2 for Groups",
                thousands(granting.len() - fit)
            ),
            t.dim(),
        )));
    }
    if granting.is_empty() {
        lines.push(Line::from(Span::styled("  no group grants it", t.dim())));
    }
    if !others.is_empty() {
        lines.push(Line::from(Span::styled(
            format!("  and {}", others.join(", ")),
            t.dim(),
        )));
    }
    frame.render_widget(Paragraph::new(lines), area);
}

/// The product whose granting groups the Users view shows in a Grants column: the query's
/// first `product:`, when the terminal is wide enough.
pub fn grants_product(state: &AppState, width: u16) -> Option<&str> {
    if width < GRANTS_MIN_WIDTH {
        return None;
    }
    state.breakdowns.products.first().map(String::as_str)
}

/// One row's Grants cell: its first two granting groups, then "+N"; the admin role or a
/// direct grant when no group gives it. O(the user's groups): for rows on screen only.
pub fn grants_cell(data: &Loaded, user: &User, product: &str) -> String {
    let mut paths = Vec::new();
    grant_paths_into(&mut paths, &data.dir, &data.derived, user, product);
    let words: Vec<&str> = paths
        .iter()
        .map(|p| match p {
            GrantPath::Group(gi) => data.dir.groups[*gi].name.as_str(),
            GrantPath::OrgAdmin => "org admin",
            GrantPath::Direct => "direct grant",
        })
        .collect();
    let mut cell = words.iter().take(2).copied().collect::<Vec<_>>().join(", ");
    if words.len() > 2 {
        cell.push_str(&format!(" +{}", words.len() - 2));
    }
    cell
}
