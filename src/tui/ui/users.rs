//! The Users view: who holds what, and for how long they have not used it.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table};

use super::{days, short_product};
use crate::domain::{ProtectionReason, User, UserStatus};
use crate::filter::{Sort, SortKey};
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
    // The query's fuzzy words, for the highlight (a short string, parsed once a frame).
    let words = crate::filter::parse(&state.users.query)
        .map(|q| q.words)
        .unwrap_or_default();
    let sort = &state.users.sort;
    let sorted = |label: &str, key: SortKey, width: usize| {
        Cell::from(sorted_label(sort, !words.is_empty(), label, &key, width))
    };
    let mut header = vec![
        Cell::from(""),
        Cell::from(""),
        sorted("Name", SortKey::Name, usize::MAX),
        sorted("Email", SortKey::Email, usize::MAX),
        sorted("Status", SortKey::Status, 9),
    ];
    let mut widths = vec![
        Constraint::Length(1),
        Constraint::Length(3),
        Constraint::Fill(2),
        Constraint::Fill(3),
        Constraint::Length(9),
    ];
    if wide {
        header.push(sorted("Type", SortKey::Type, 9));
        widths.push(Constraint::Length(9));
    }
    for p in &products {
        header.push(sorted(
            &short_product(p),
            SortKey::Inactivity((*p).to_owned()),
            6,
        ));
        widths.push(Constraint::Length(6));
    }
    header.push(sorted("Grp", SortKey::Groups, 4));
    widths.push(Constraint::Length(4));
    let grants = super::breakdown::grants_product(state, area.width);
    if let Some(p) = grants {
        header.push(Cell::from(format!("Grants {}", short_product(p))));
        widths.push(Constraint::Fill(2));
    }
    let range = range_rows(state);

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
            let in_range = range.as_ref().is_some_and(|r| r.contains(&(start + i)));
            let (name, email) = matched_cells(state, u, &words);
            let mut cells = vec![
                Cell::from(match (marked, in_range) {
                    (true, _) => "*",
                    (false, true) => "+",
                    (false, false) => " ",
                }),
                Cell::from(Span::styled(markers(state, u), t.marker())),
                name,
                email,
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
                    Cell::from(Span::styled(format!("{text}{}", t.idle_mark()), t.idle()))
                } else {
                    Cell::from(text)
                });
            }
            cells.push(Cell::from(u.groups.len().to_string()));
            if let Some(p) = grants {
                cells.push(Cell::from(super::breakdown::grants_cell(data, u, p)));
            }
            let mut style = Style::default();
            if marked {
                style = style.patch(t.marked());
            }
            if in_range {
                style = style.patch(t.range());
            }
            let row = Row::new(cells).style(style);
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

/// The rows of the `V` range being built (from its start to the cursor), before it is marked.
fn range_rows(state: &AppState) -> Option<std::ops::RangeInclusive<usize>> {
    let from = state.marks.anchor?;
    let to = state.users.cursor;
    Some(from.min(to)..=from.max(to))
}

/// The header label of a column the rows may be sorted by: with `▲` (ascending) or `▼` when
/// it is the sort's column, the label shortened so the arrow fits in `width`.
fn sorted_label(sort: &Sort, words: bool, label: &str, key: &SortKey, width: usize) -> String {
    let Some(arrow) = sort_arrow(sort, words).filter(|_| sort_column(sort, words) == Some(key))
    else {
        return label.to_owned();
    };
    let room = width.saturating_sub(1);
    format!("{}{arrow}", label.chars().take(room).collect::<String>())
}

/// The column a sort orders by: relevance without fuzzy words is name order (None: by
/// relevance, which no column shows).
fn sort_column(sort: &Sort, words: bool) -> Option<&SortKey> {
    match &sort.key {
        SortKey::Relevance if words => None,
        SortKey::Relevance => Some(&SortKey::Name),
        key => Some(key),
    }
}

fn sort_arrow(sort: &Sort, words: bool) -> Option<&'static str> {
    sort_column(sort, words).map(|_| if sort.descending { "▼" } else { "▲" })
}

/// The sort in words for the status line: "sorted by JSW idle ▼", "sorted by best match";
/// None for the default name order (its header's arrow says it, the line keeps the room).
pub fn sort_text(state: &AppState) -> Option<String> {
    let sort = &state.users.sort;
    let words = crate::filter::parse(&state.users.query).is_ok_and(|q| !q.words.is_empty());
    if *sort == Sort::default() && !words {
        return None;
    }
    let Some(column) = sort_column(sort, words) else {
        return Some(if sort.descending {
            "sorted by worst match".into()
        } else {
            "sorted by best match".into()
        });
    };
    let what = match column {
        SortKey::Relevance | SortKey::Name => "name".to_owned(),
        SortKey::Email => "email".into(),
        SortKey::Status => "status".into(),
        SortKey::Type => "account type".into(),
        SortKey::Groups => "group count".into(),
        SortKey::Inactivity(p) => format!("{} idle", short_product(p)),
    };
    Some(format!(
        "sorted by {what} {}",
        sort_arrow(sort, words).unwrap_or_default()
    ))
}

/// The name and email cells, the characters the query's fuzzy words matched highlighted
/// (the filter's own matcher, on this row only).
fn matched_cells<'a>(state: &AppState, u: &'a User, words: &[String]) -> (Cell<'a>, Cell<'a>) {
    let email = u.email.as_deref().unwrap_or("");
    if words.is_empty() {
        return (Cell::from(u.name.as_str()), Cell::from(email));
    }
    let (in_name, in_email) = crate::filter::match_positions(&u.name, u.email.as_deref(), words);
    let style = state.theme.matched();
    (
        Cell::from(highlight(&u.name, &in_name, style)),
        Cell::from(highlight(email, &in_email, style)),
    )
}

/// `text` with the chars at `at` (sorted) in `style`, in runs.
fn highlight<'a>(text: &'a str, at: &[usize], style: Style) -> Line<'a> {
    if at.is_empty() {
        return Line::from(text);
    }
    let mut spans: Vec<Span<'a>> = Vec::new();
    let part = |from: usize, to: usize, hit: bool| {
        if hit {
            Span::styled(&text[from..to], style)
        } else {
            Span::raw(&text[from..to])
        }
    };
    let (mut run_start, mut run_hit) = (0, false);
    let mut next = at.iter().peekable();
    for (ci, (bi, _)) in text.char_indices().enumerate() {
        let hit = next.next_if(|&&p| p == ci).is_some();
        if hit != run_hit {
            if bi > run_start {
                spans.push(part(run_start, bi, run_hit));
            }
            (run_start, run_hit) = (bi, hit);
        }
    }
    if run_start < text.len() {
        spans.push(part(run_start, text.len(), run_hit));
    }
    Line::from(spans)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn runs(line: &Line<'_>) -> Vec<(String, bool)> {
        line.spans
            .iter()
            .map(|s| (s.content.to_string(), s.style != Style::default()))
            .collect()
    }

    #[test]
    fn highlight_styles_exactly_the_matched_chars() {
        let bold = Style::new().add_modifier(ratatui::style::Modifier::BOLD);
        // (text, highlighted chars, the runs drawn and whether each is highlighted)
        type Case<'a> = (&'a str, &'a [usize], &'a [(&'a str, bool)]);
        let cases: &[Case] = &[
            (
                "Ada Lovelace",
                &[4, 5, 6, 7],
                &[("Ada ", false), ("Love", true), ("lace", false)],
            ),
            ("Ada", &[0], &[("A", true), ("da", false)]),
            ("Ada", &[2], &[("Ad", false), ("a", true)]),
            ("Ada", &[0, 2], &[("A", true), ("d", false), ("a", true)]),
            (
                "Zoë Müller",
                &[2, 4],
                &[
                    ("Zo", false),
                    ("ë", true),
                    (" ", false),
                    ("M", true),
                    ("üller", false),
                ],
            ),
            ("Ada", &[], &[("Ada", false)]),
        ];
        for (text, at, want) in cases {
            let got = runs(&highlight(text, at, bold));
            let want: Vec<(String, bool)> = want.iter().map(|(s, b)| (s.to_string(), *b)).collect();
            assert_eq!(got, want, "{text:?} at {at:?}");
        }
    }

    #[test]
    fn the_sorted_column_carries_the_arrow() {
        let sort = |key, descending| Sort { key, descending };
        let jsw = || SortKey::Inactivity("jira-software".into());
        // Relevance without words is name order; with words no column has the arrow.
        let cases: &[(Sort, bool, &str, SortKey, usize, &str)] = &[
            (
                sort(SortKey::Relevance, false),
                false,
                "Name",
                SortKey::Name,
                99,
                "Name▲",
            ),
            (
                sort(SortKey::Relevance, false),
                true,
                "Name",
                SortKey::Name,
                99,
                "Name",
            ),
            (
                sort(SortKey::Name, true),
                true,
                "Name",
                SortKey::Name,
                99,
                "Name▼",
            ),
            (sort(jsw(), true), false, "JSW", jsw(), 6, "JSW▼"),
            (sort(jsw(), true), false, "Name", SortKey::Name, 99, "Name"),
            // Cut to fit the column: the arrow stays.
            (
                sort(SortKey::Inactivity("jira-admin".into()), false),
                false,
                "jira-a",
                SortKey::Inactivity("jira-admin".into()),
                6,
                "jira-▲",
            ),
            (
                sort(SortKey::Groups, true),
                false,
                "Grp",
                SortKey::Groups,
                4,
                "Grp▼",
            ),
        ];
        for (sort, words, label, key, width, want) in cases {
            assert_eq!(
                sorted_label(sort, *words, label, key, *width),
                *want,
                "{sort:?}"
            );
        }
    }
}
