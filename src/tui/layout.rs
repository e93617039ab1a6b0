//! Where things are on screen, as a pure function of the terminal size, so that drawing and
//! the mouse agree on which row was clicked.

use ratatui::layout::Rect;

use super::state::View;

/// Below this the console says so instead of drawing garbage.
pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 12;

pub fn too_small(size: (u16, u16)) -> bool {
    size.0 < MIN_WIDTH || size.1 < MIN_HEIGHT
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Areas {
    pub title: Rect,
    pub body: Rect,
    pub query: Rect,
    pub status: Rect,
}

pub fn areas(size: (u16, u16)) -> Areas {
    let (w, h) = size;
    let body_h = h.saturating_sub(3);
    Areas {
        title: Rect::new(0, 0, w, 1.min(h)),
        body: Rect::new(0, 1.min(h), w, body_h),
        query: Rect::new(0, h.saturating_sub(2), w, 1.min(h)),
        status: Rect::new(0, h.saturating_sub(1), w, 1.min(h)),
    }
}

/// Rows of a table on screen (its header takes one).
pub fn table_rows(size: (u16, u16)) -> usize {
    areas(size).body.height.saturating_sub(1) as usize
}

/// Lines above the Groups view's table: what it answers, and how the selection gets the product.
pub const GROUPS_HEADER: u16 = 2;

/// Rows of the Groups view's table on screen.
pub fn groups_rows(size: (u16, u16)) -> usize {
    table_rows(size).saturating_sub(GROUPS_HEADER as usize)
}

/// Widths from which the title bar writes the tabs in full (` 3 Activity `, 61 columns) or
/// compact (`3 Activity` with one space between, 53); below, digits alone (` 3 `, 18), and the
/// title names the view.
pub const TABS_FULL_FROM: u16 = 100;
pub const TABS_COMPACT_FROM: u16 = 72;

/// The tab labels in the title bar and the column each starts at, right-aligned. Tabs are
/// separated by `gap` unstyled spaces (0 in full form: the labels carry their padding).
pub fn tabs(size: (u16, u16)) -> Vec<(View, u16, String)> {
    let width = size.0;
    let (gap, labels): (u16, Vec<(View, String)>) = {
        let label = |i: usize, v: &View| -> String {
            if width >= TABS_FULL_FROM {
                format!(" {} {} ", i + 1, v.title())
            } else if width >= TABS_COMPACT_FROM {
                format!("{} {}", i + 1, v.title())
            } else {
                format!(" {} ", i + 1)
            }
        };
        let gap = u16::from((TABS_COMPACT_FROM..TABS_FULL_FROM).contains(&width));
        (
            gap,
            View::ALL
                .iter()
                .enumerate()
                .map(|(i, v)| (*v, label(i, v)))
                .collect(),
        )
    };
    let total: u16 = labels
        .iter()
        .map(|(_, l)| l.chars().count() as u16)
        .sum::<u16>()
        + gap * (labels.len() as u16).saturating_sub(1);
    let mut x = width.saturating_sub(total);
    labels
        .into_iter()
        .map(|(v, l)| {
            let at = x;
            x += l.chars().count() as u16 + gap;
            (v, at, l)
        })
        .collect()
}

/// The view whose tab is at column `x` of the title bar.
pub fn tab_at(size: (u16, u16), x: u16) -> Option<View> {
    tabs(size)
        .into_iter()
        .find(|(_, at, l)| x >= *at && x < at + l.chars().count() as u16)
        .map(|(v, _, _)| v)
}

/// Keeps `cursor` within `len` and on screen, scrolling `offset` as little as possible.
pub fn follow(cursor: &mut usize, offset: &mut usize, len: usize, height: usize) {
    if len == 0 {
        *cursor = 0;
        *offset = 0;
        return;
    }
    *cursor = (*cursor).min(len - 1);
    let height = height.max(1);
    if *cursor < *offset {
        *offset = *cursor;
    } else if *cursor >= *offset + height {
        *offset = *cursor + 1 - height;
    }
    *offset = (*offset).min(len.saturating_sub(height));
}

/// Lines of the effect panel at the top of the Queue view.
pub const QUEUE_PANEL: u16 = 6;

/// Rows of the queue list on screen (the effect panel takes the top of the view).
pub fn queue_rows(size: (u16, u16)) -> usize {
    table_rows(size).saturating_sub(QUEUE_PANEL as usize)
}

/// Lines above a batch's items in History (the counts per state and the filter).
pub const ITEMS_PANEL: u16 = 2;

/// Rows of a batch's items on screen.
pub fn items_rows(size: (u16, u16)) -> usize {
    table_rows(size).saturating_sub(ITEMS_PANEL as usize)
}
