//! The confirm dialog: the plan's summary and a scrollable list of what will be sent. Focus
//! starts on Cancel; a plan seats cannot undo needs the count of affected users typed.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use super::popup;
use crate::output::words::plural;
use crate::tui::format::thousands;
use crate::tui::state::{AppState, Confirm, Level, Subject};

/// Rows `lines` take when word-wrapped at `width`, greedily as the paragraph wraps them.
fn rows(lines: &[Line], width: u16) -> u16 {
    let width = usize::from(width.max(1));
    let mut total = 0usize;
    for line in lines {
        let text: String = line.spans.iter().map(|s| s.content.as_ref()).collect();
        let mut rows = 1;
        let mut used = 0usize;
        for word in text.split(' ') {
            let w = Span::raw(word).width();
            let need = if used == 0 { w } else { used + 1 + w };
            if need <= width {
                used = need;
            } else if w <= width {
                rows += 1;
                used = w;
            } else {
                // A word longer than the line is cut across rows.
                rows += (used > 0) as usize + (w - 1) / width;
                used = w % width;
            }
        }
        total += rows;
    }
    total.min(usize::from(u16::MAX)) as u16
}

/// What the dialog shows of the plan under review, whichever it is.
struct Reviewed<'a> {
    /// The summary, operation by operation.
    full: &'a [String],
    /// The same in fewer lines, for a small terminal.
    short: &'a [String],
    /// The steps on screen, from the scroll position (not collected: a plan may be long).
    steps: Box<dyn Iterator<Item = &'a crate::plan::Step> + 'a>,
    total_steps: usize,
    refusal: Option<String>,
    affected: usize,
    irreversible: bool,
}

pub fn draw(state: &AppState, frame: &mut Frame, area: Rect, confirm: &Confirm) {
    let t = state.theme;
    frame.render_widget(Clear, area);
    let r = popup(frame, area, area.width, area.height);
    let title = match (confirm.subject, &state.review) {
        (Subject::File, Some(review)) => format!(" Review: {} (Tab, Enter, Esc) ", review.source),
        _ => " Review the plan (Tab moves, Enter chooses, Esc cancels) ".to_owned(),
    };
    let block = Block::default().borders(Borders::ALL).title(title);
    let inner = block.inner(r);
    frame.render_widget(block, r);

    // What the dialog reviews: the queue's plan, or a plan file's fixed steps.
    let mut first: Vec<Line> = Vec::new();
    let Reviewed {
        full,
        short,
        steps,
        total_steps,
        refusal,
        affected,
        irreversible,
    } = match confirm.subject {
        Subject::Queue => {
            let Some(view) = &state.queue.plan else {
                frame.render_widget(Paragraph::new("The plan is being built…"), inner);
                return;
            };
            let plan = &view.plan;
            if let Some(note) = state.partial_note() {
                first.push(Line::from(Span::styled(
                    format!("⚠ {note}"),
                    t.level(Level::Error),
                )));
            }
            if state.queue.plan_pending() {
                first.push(Line::from(Span::styled(
                    "The plan is being built again on new data…",
                    t.level(Level::Warn),
                )));
            }
            Reviewed {
                full: &view.summary,
                short: &view.compact,
                steps: Box::new(
                    plan.steps()
                        .skip(confirm.scroll.min(view.steps.saturating_sub(1))),
                ),
                total_steps: view.steps,
                refusal: plan.refusal.as_ref().map(|r| r.describe()),
                affected: view.affected,
                irreversible: view.irreversible,
            }
        }
        Subject::File => {
            let Some(review) = &state.review else {
                return;
            };
            let file = &review.file;
            let skip = confirm.scroll.min(file.steps.len().saturating_sub(1));
            Reviewed {
                full: &review.summary,
                short: &review.summary,
                steps: Box::new(file.steps.iter().skip(skip)),
                total_steps: file.steps.len(),
                refusal: file.refusal.as_ref().map(|r| r.describe()),
                affected: review.affected,
                irreversible: review.irreversible,
            }
        }
    };
    let dry = state.session.dry_run.then(|| {
        Line::from(Span::styled(
            "DRY RUN: nothing will be changed; what would be sent is recorded and its plan kept in plans/.",
            t.level(Level::Warn),
        ))
    });

    // The footer: the refusal or the typed count, then the buttons.
    let mut footer: Vec<Line> = Vec::new();
    if let Some(refusal) = refusal {
        footer.push(Line::from(Span::styled(refusal, t.level(Level::Error))));
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
        format!(" Dry run for {} ", plural(affected, "user"))
    } else if confirm.partial_ok {
        format!(" Run on partial data: change {} ", plural(affected, "user"))
    } else {
        format!(" Run: change {} ", plural(affected, "user"))
    };
    footer.push(Line::from(vec![
        Span::styled(" Cancel ", t.tab(!confirm.on_run)),
        Span::raw("   "),
        Span::styled(run_label, t.tab(confirm.on_run)),
    ]));
    let footer_h = rows(&footer, inner.width).min(inner.height);

    // The summary always shows whole; the list of steps takes what is left, at least a few
    // rows when the full summary leaves them, else the compact summary is used.
    let summary_of = |lines: &[String]| -> Vec<Line<'static>> {
        let mut out = first.clone();
        out.extend(lines.iter().map(|l| Line::from(l.clone())));
        out.extend(dry.clone());
        out
    };
    let room = inner.height.saturating_sub(footer_h + 1);
    let mut top = summary_of(full);
    // A few steps stay in sight (fewer when the plan has fewer).
    let want_steps = total_steps.min(3) as u16;
    if rows(&top, inner.width) + want_steps > room {
        top = summary_of(short);
    }
    let mut top_h = rows(&top, inner.width);
    if top_h > room {
        // Too small for even the compact summary: say that something is cut.
        let mut used = 0;
        let keep = top
            .iter()
            .take_while(|l| {
                used += rows(std::slice::from_ref(*l), inner.width);
                used < room
            })
            .count();
        let cut = top.len().saturating_sub(keep);
        top.truncate(keep);
        top.push(Line::from(Span::styled(
            format!("… {cut} more summary lines: make the terminal taller"),
            t.level(Level::Warn),
        )));
        top_h = room;
    }
    frame.render_widget(
        Paragraph::new(top).wrap(Wrap { trim: false }),
        Rect::new(inner.x, inner.y, inner.width, top_h),
    );
    let list_y = inner.y + top_h;
    let list_h = inner.height.saturating_sub(top_h + footer_h);
    let shown = list_h.saturating_sub(1) as usize;
    let from = confirm.scroll.min(total_steps.saturating_sub(1));
    let to = (from + shown).min(total_steps);
    let mut lines = vec![Line::from(Span::styled(
        if to == from && total_steps > 0 {
            format!(
                "What will be sent: {} (a taller terminal shows them)",
                plural(total_steps, "step")
            )
        } else if to - from < total_steps {
            format!(
                "What will be sent: steps {}-{} of {} (j/k scroll):",
                from + 1,
                to,
                thousands(total_steps)
            )
        } else {
            format!("What will be sent ({}):", plural(total_steps, "step"))
        },
        t.header(),
    ))];
    for step in steps.take(to - from) {
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
    let c = state.queue.counts;
    let mut text: Vec<Line> = Vec::new();
    match state.batch.as_ref().filter(|b| b.running()) {
        Some(b) => {
            let id =
                b.id.map(|i| format!("Batch {i}"))
                    .unwrap_or_else(|| "A batch".into());
            let sent = b.done + b.failed + b.skipped;
            text.push(Line::from(Span::styled(
                format!(
                    "{id} is running: {} of {} items finished.",
                    thousands(sent as usize),
                    thousands(b.total as usize)
                ),
                t.level(Level::Warn),
            )));
            text.push(Line::from(
                "Quitting stops it after the requests in flight, which are recorded.",
            ));
            text.push(Line::from(
                "The rest stays open: resume it from History (c) or seats apply --resume.",
            ));
        }
        None => text.push(Line::from("No batch is running. Nothing has been changed.")),
    }
    if !state.queue.ops.is_empty() {
        text.push(Line::from(format!(
            "The queue holds {} for {}; it is kept for next time.",
            plural(c.operations, "operation"),
            plural(c.targets, "target")
        )));
    }
    text.push(Line::from(""));
    text.push(Line::from(vec![
        Span::styled(" y ", t.key()),
        Span::raw("quit   "),
        Span::styled(" any other key ", t.key()),
        Span::raw("stay"),
    ]));
    let r = popup(frame, area, 78, text.len() as u16 + 2);
    frame.render_widget(
        Paragraph::new(text)
            .wrap(Wrap { trim: false })
            .block(Block::default().borders(Borders::ALL).title(" Quit? ")),
        r,
    );
}

/// A queue edit that drops more than a handful of targets: asked first (z undoes it after).
pub fn draw_ask(state: &AppState, frame: &mut Frame, area: Rect, question: &str) {
    let t = state.theme;
    let text = vec![
        Line::from(question.to_owned()),
        Line::from(Span::styled("z in the Queue view undoes it.", t.dim())),
        Line::from(""),
        Line::from(vec![
            Span::styled(" y ", t.key()),
            Span::raw("remove   "),
            Span::styled(" any other key ", t.key()),
            Span::raw("keep"),
        ]),
    ];
    let r = popup(frame, area, 70, 6);
    frame.render_widget(
        Paragraph::new(text).wrap(Wrap { trim: false }).block(
            Block::default()
                .borders(Borders::ALL)
                .title(" Remove from the queue? "),
        ),
        r,
    );
}
