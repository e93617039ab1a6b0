//! The Activity view: per product, its seats and their cost, and how long holders have gone
//! without using it. Choosing a bar or a preset opens the Users view with that filter.
//!
//! The keys follow the drawing: `↑`/`↓` walk the product table (a column), `←`/`→` walk the
//! chart's bars and then the presets (a row each, read left to right), and each preset has its
//! own key, written on it.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table, Wrap};

use crate::domain::{Bucket, ProductActivity, product_name};
use crate::output::words::money;
use crate::tui::format::thousands;
use crate::tui::loaded::Loaded;
use crate::tui::state::{AppState, PRESETS};

pub fn draw(state: &AppState, frame: &mut Frame, area: Rect) {
    let Some(data) = &state.data else {
        frame.render_widget(Paragraph::new("Loading the directory…"), area);
        return;
    };
    let products = &data.derived.activity;
    // What the view is for comes first: the products table, the histogram and the groups that
    // grant the chosen holders. The chart of seats and savings over time takes the bottom only
    // with what they leave (a short terminal hides it).
    let note_h = state.accounts_note().map_or(0, |note| {
        wrapped_lines(&note, area.width.max(1) as usize)
            .min(area.height / 4)
            .max(1)
    });
    let granting_h = super::breakdown::activity_wants(state);
    let needs = note_h + products.len() as u16 + 1 + HISTOGRAM + granting_h;
    let area = match state.savings.as_deref().filter(|v| !v.is_empty()) {
        Some(view) => {
            let chart_h = (area.height / 3)
                .clamp(CHART_MIN, 12)
                .min(area.height.saturating_sub(needs));
            if chart_h >= CHART_MIN {
                let [rest, chart] =
                    Layout::vertical([Constraint::Fill(1), Constraint::Length(chart_h)])
                        .areas(area);
                super::savings::draw(state, view, frame, chart);
                rest
            } else {
                area
            }
        }
        None => area,
    };
    let area = accounts_note(state, frame, area);
    let table_h = (products.len() as u16 + 1).min(area.height / 2).max(2);
    let [top, bottom] =
        Layout::vertical([Constraint::Length(table_h), Constraint::Fill(1)]).areas(area);
    products_table(state, data, frame, top);
    if let Some(a) = products.get(state.activity.product) {
        // Under the histogram: the groups that give the chosen holders the product. Where
        // rows are short the histogram's bars shrink before those lines go.
        let hist_h = HISTOGRAM
            .min(bottom.height.saturating_sub(granting_h))
            .max(HISTOGRAM_MIN);
        let [bottom, granting] =
            Layout::vertical([Constraint::Length(hist_h), Constraint::Fill(1)]).areas(bottom);
        chart(state, a, frame, bottom);
        super::breakdown::draw_activity(state, frame, granting);
    }
}

/// Rows of the histogram: its title, up to five rows of bars, labels, presets and keys.
const HISTOGRAM: u16 = 9;
/// With one row of bars.
const HISTOGRAM_MIN: u16 = 5;
/// The savings chart below this is not worth drawing.
const CHART_MIN: u16 = 6;

/// Why the view counts fewer users than the org has accounts (the demo's app and customer
/// accounts), once, above the table; returns the area left.
fn accounts_note(state: &AppState, frame: &mut Frame, area: Rect) -> Rect {
    let Some(note) = state.accounts_note() else {
        return area;
    };
    let lines = wrapped_lines(&note, area.width.max(1) as usize)
        .min(area.height / 4)
        .max(1);
    let [note_area, rest] =
        Layout::vertical([Constraint::Length(lines), Constraint::Fill(1)]).areas(area);
    frame.render_widget(
        Paragraph::new(Span::styled(note, state.theme.dim())).wrap(Wrap { trim: true }),
        note_area,
    );
    rest
}

/// Lines `text` takes wrapped at spaces into `width` columns (as the paragraph wraps it).
fn wrapped_lines(text: &str, width: usize) -> u16 {
    let mut lines = 1u16;
    let mut used = 0;
    for w in text.split(' ') {
        let len = w.chars().count();
        if used == 0 {
            used = len;
        } else if used + 1 + len <= width {
            used += 1 + len;
        } else {
            lines = lines.saturating_add(1);
            used = len;
        }
        // A word longer than the line takes several.
        while used > width {
            lines = lines.saturating_add(1);
            used -= width;
        }
    }
    lines
}

/// Products with limit, seats used and left, what they cost a month and how many are idle.
/// Columns are as wide as their widest cell; where that is more than the view, Limit goes
/// first (it is Used plus Left), so names and money are never cut.
fn products_table(state: &AppState, data: &Loaded, frame: &mut Frame, area: Rect) {
    let t = state.theme;
    let currency = &state.config.prices.currency;
    let cells: Vec<[String; 6]> = data
        .derived
        .activity
        .iter()
        .map(|a| {
            let seats = data.dir.seats.iter().find(|s| s.product.key == a.product);
            let reclaim = data.derived.reclaim.iter().find(|r| r.product == a.product);
            let num = |n: Option<u64>| {
                n.map(|n| thousands(n as usize))
                    .unwrap_or_else(|| "-".into())
            };
            let used = seats.map(|s| s.used).unwrap_or(a.holders);
            let cost = state
                .config
                .prices
                .of(&a.product)
                .map(|p| money(currency, p * used as f64))
                .unwrap_or_else(|| "no price".into());
            let idle = reclaim
                .map(|r| {
                    let c = r
                        .monthly_cost()
                        .map(|c| format!(" ({})", money(currency, c)))
                        .unwrap_or_default();
                    format!("{} ≥{}d{c}", thousands(r.idle as usize), r.threshold_days)
                })
                .unwrap_or_default();
            [
                product_name(&a.product),
                num(seats.and_then(|s| s.limit)),
                thousands(used as usize),
                num(seats.and_then(|s| s.remaining)),
                cost,
                idle,
            ]
        })
        .collect();
    let header = ["Product", "Limit", "Used", "Left", "Cost/month", "Idle"];
    // In usize: product names come from the API and may be as long as they like.
    let widths: Vec<usize> = (0..header.len())
        .map(|c| {
            cells
                .iter()
                .map(|r| r[c].chars().count())
                .chain([header[c].chars().count()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let needed = widths
        .iter()
        .fold(widths.len().saturating_sub(1), |a, w| a.saturating_add(*w));
    let room = usize::from(area.width);
    let (shown, spacing): (Vec<usize>, u16) = if needed.saturating_add(5) <= room {
        ((0..header.len()).collect(), 2)
    } else if needed <= room {
        ((0..header.len()).collect(), 1)
    } else {
        (vec![0, 2, 3, 4, 5], 1)
    };
    let rows = cells.into_iter().enumerate().map(|(i, r)| {
        let row = Row::new(shown.iter().map(|&c| Cell::from(r[c].clone())));
        if i == state.activity.product {
            row.style(t.selected())
        } else {
            row
        }
    });
    let constraints = shown.iter().map(|&c| {
        if c == header.len() - 1 {
            Constraint::Fill(1)
        } else {
            Constraint::Length(u16::try_from(widths[c]).unwrap_or(u16::MAX))
        }
    });
    frame.render_widget(
        Table::new(rows, constraints)
            .header(Row::new(shown.iter().map(|&c| header[c])).style(t.header()))
            .column_spacing(spacing),
        area,
    );
}

/// Lower edge of each bucket in days (the last, never active, is idle at any threshold).
const BUCKET_FROM: [u32; 5] = [0, 30, 60, 90, 180];

/// A bucket all of whose holders are idle past the product's threshold.
fn bucket_idle(i: usize, threshold: u32) -> bool {
    BUCKET_FROM.get(i).is_none_or(|from| *from >= threshold)
}

const EIGHTHS: [char; 9] = [' ', '▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// The chosen product's holders by days since last active, a bar per bucket from left to
/// right, then the presets on one row, each with its key.
fn chart(state: &AppState, a: &ProductActivity, frame: &mut Frame, area: Rect) {
    let t = state.theme;
    let threshold = state.config.inactivity_days(&a.product);
    let mut lines = vec![Line::from(Span::styled(
        format!(
            "{}: {} seat holders by days since last active",
            product_name(&a.product),
            thousands(a.holders as usize)
        ),
        t.title(),
    ))];
    // Title, labels, presets and the key line take four rows; the bars get the rest.
    let bar_rows = area.height.saturating_sub(4).clamp(1, 8) as u64;
    let col = ((area.width.saturating_sub(1)) / Bucket::ALL.len() as u16).clamp(8, 16) as usize;
    let bar_w = (col - 2).min(8);
    let max = a.buckets.iter().copied().max().unwrap_or(0).max(1);
    // Each bar's height in eighths of a row; a bucket with anyone shows at least one.
    let heights: Vec<u64> = a
        .buckets
        .iter()
        .map(|&n| {
            if n == 0 {
                0
            } else {
                (n * bar_rows * 8).div_ceil(max).max(1)
            }
        })
        .collect();
    for r in 0..bar_rows {
        let floor = (bar_rows - 1 - r) * 8;
        let mut spans = vec![Span::raw(" ")];
        for (i, h) in heights.iter().enumerate() {
            let level = h.saturating_sub(floor).min(8) as usize;
            let bar: String = std::iter::repeat_n(EIGHTHS[level], bar_w).collect();
            let style = if bucket_idle(i, threshold) {
                t.idle()
            } else {
                t.dim()
            };
            spans.push(Span::styled(bar, style));
            spans.push(Span::raw(" ".repeat(col - bar_w)));
        }
        lines.push(Line::from(spans));
    }
    let mut labels = vec![Span::raw(" ")];
    for (i, b) in Bucket::ALL.iter().enumerate() {
        let mark = if bucket_idle(i, threshold) && a.buckets[i] > 0 {
            t.idle_mark()
        } else {
            ""
        };
        let text = format!("{} {}{mark}", b.label(), thousands(a.buckets[i] as usize));
        let pad = col.saturating_sub(text.chars().count());
        let style = if state.activity.choice == i {
            t.selected()
        } else {
            ratatui::style::Style::default()
        };
        labels.push(Span::styled(text, style));
        labels.push(Span::raw(" ".repeat(pad)));
    }
    lines.push(Line::from(labels));
    lines.push(presets_line(state, a, area.width));
    let keys = if area.width >= 100 {
        " ↑↓ product  ←→ bucket or preset  Enter or a…e lists the users. Inactivity is a signal, not proof."
    } else {
        " ↑↓ product  ←→ bucket or preset  Enter or a…e lists the users"
    };
    lines.push(Line::from(Span::styled(keys, t.dim())));
    frame.render_widget(Paragraph::new(lines), area);
}

/// `[a] ≥30 days: 5  [b] ≥60 days: 4 …  [e] never: 1`, or the short form where that does
/// not fit; the chosen one reversed.
fn presets_line(state: &AppState, a: &ProductActivity, width: u16) -> Line<'static> {
    let t = state.theme;
    let texts = |long: bool| -> Vec<String> {
        PRESETS
            .iter()
            .map(|p| {
                let n = match p.days {
                    Some(d) => a.idle_at_least(d).unwrap_or(0),
                    None => a.buckets[Bucket::ALL.len() - 1],
                };
                let n = thousands(n as usize);
                match (p.days, long) {
                    (Some(d), true) => format!("[{}] ≥{d} days: {n}", p.key),
                    (Some(d), false) => format!("[{}] ≥{d}d {n}", p.key),
                    (None, true) => format!("[{}] never: {n}", p.key),
                    (None, false) => format!("[{}] never {n}", p.key),
                }
            })
            .collect()
    };
    let fits =
        |v: &[String]| v.iter().map(|s| s.chars().count() + 2).sum::<usize>() < width as usize;
    let long = texts(true);
    let chosen = if fits(&long) { long } else { texts(false) };
    let mut spans = vec![Span::raw(" ")];
    for (i, text) in chosen.into_iter().enumerate() {
        let style = if state.activity.choice == Bucket::ALL.len() + i {
            t.selected()
        } else {
            t.key()
        };
        spans.push(Span::styled(text, style));
        spans.push(Span::raw("  "));
    }
    Line::from(spans)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapped_lines_counts_word_wrapped_lines() {
        let cases = [
            ("", 10, 1),
            ("one two", 7, 1),
            ("one two", 6, 2),
            ("one two three", 9, 2),
            ("one two three", 3, 4),
            ("one two three", 5, 3),
            ("abcdefghij", 4, 3),
        ];
        for (text, width, want) in cases {
            assert_eq!(wrapped_lines(text, width), want, "{text:?} in {width}");
        }
    }

    #[test]
    fn idle_buckets_follow_the_threshold() {
        // 90 days: 90-180, 180+ and never; 45: from 60-90 on; never is idle at any threshold.
        let idle = |threshold| {
            (0..Bucket::ALL.len())
                .filter(|&i| bucket_idle(i, threshold))
                .collect::<Vec<_>>()
        };
        assert_eq!(idle(90), vec![3, 4, 5]);
        assert_eq!(idle(45), vec![2, 3, 4, 5]);
        assert_eq!(idle(1000), vec![5]);
    }
}
