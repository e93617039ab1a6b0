//! The confirm dialog: the plan's summary and a scrollable list of what will be sent. Focus
//! starts on Cancel; a plan seats cannot undo needs the count of affected users typed.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use super::popup;
use crate::tui::state::{AppState, Confirm, Level};
use crate::tui::update::thousands;

pub fn draw(state: &AppState, frame: &mut Frame, area: Rect, confirm: &Confirm) {
    let t = state.theme;
    frame.render_widget(Clear, area);
    let r = popup(frame, area, area.width, area.height);
    let block = Block::default()
        .borders(Borders::ALL)
        .title(" Review the plan (Tab moves, Enter chooses, Esc cancels) ");
    let inner = block.inner(r);
    frame.render_widget(block, r);
    let Some(view) = &state.queue.plan else {
        frame.render_widget(Paragraph::new("The plan is being built…"), inner);
        return;
    };
    let plan = &view.plan;
    let affected = plan.affected_users();
    let irreversible = plan.is_irreversible();
    let mut top: Vec<Line> = crate::plan::summary(plan)
        .into_iter()
        .map(Line::from)
        .collect();
    if state.session.dry_run {
        top.push(Line::from(Span::styled(
            "Dry run: nothing will be changed; what would be done is recorded.",
            t.level(Level::Warn),
        )));
    }
    // The footer: typed count, then the buttons.
    let mut footer: Vec<Line> = Vec::new();
    if let Some(refusal) = &plan.refusal {
        footer.push(Line::from(Span::styled(
            refusal.describe(),
            t.level(Level::Error),
        )));
    } else if irreversible {
        footer.push(Line::from(vec![
            Span::styled(
                format!("This cannot be undone. Type {affected} to confirm: "),
                t.level(Level::Warn),
            ),
            Span::styled(format!("[{}]", confirm.typed), t.key()),
        ]));
    }
    let run_label = if state.session.dry_run {
        format!(" Dry run for {} users ", thousands(affected))
    } else {
        format!(" Run: change {} users ", thousands(affected))
    };
    footer.push(Line::from(vec![
        Span::styled(" Cancel ", t.tab(!confirm.on_run)),
        Span::raw("   "),
        Span::styled(run_label, t.tab(confirm.on_run)),
    ]));
    let footer_h = footer.len() as u16;
    let top_h = (top.len() as u16).min(inner.height.saturating_sub(footer_h + 2) / 2 + 1);
    frame.render_widget(
        Paragraph::new(top).wrap(Wrap { trim: false }),
        Rect::new(inner.x, inner.y, inner.width, top_h),
    );
    let list_y = inner.y + top_h;
    let list_h = inner.height.saturating_sub(top_h + footer_h);
    let mut lines = vec![Line::from(Span::styled(
        format!(
            "What will be sent ({} steps, j/k scroll):",
            plan.steps().count()
        ),
        t.header(),
    ))];
    let rows = list_h.saturating_sub(1) as usize;
    for step in plan.steps().skip(confirm.scroll).take(rows) {
        lines.push(Line::from(format!(
            "  {} <{}>: {}",
            step.name,
            step.email.as_deref().unwrap_or("no email"),
            step.change.describe()
        )));
    }
    frame.render_widget(
        Paragraph::new(lines),
        Rect::new(inner.x, list_y, inner.width, list_h),
    );
    frame.render_widget(
        Paragraph::new(footer),
        Rect::new(inner.x, list_y + list_h, inner.width, footer_h),
    );
}

pub fn draw_quit(state: &AppState, frame: &mut Frame, area: Rect) {
    let t = state.theme;
    let c = state.queue.queue.counts();
    let r = popup(frame, area, 60, 6);
    let text = vec![
        Line::from(format!(
            "The queue holds {} operations for {} targets.",
            c.operations,
            thousands(c.targets)
        )),
        Line::from("It is kept for next time. Nothing has been changed."),
        Line::from(""),
        Line::from(vec![
            Span::styled(" y ", t.key()),
            Span::raw("quit   "),
            Span::styled(" any other key ", t.key()),
            Span::raw("stay"),
        ]),
    ];
    frame.render_widget(
        Paragraph::new(text).block(Block::default().borders(Borders::ALL).title(" Quit? ")),
        r,
    );
}
