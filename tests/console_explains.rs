//! What the screen shows, it explains (issue 17, point 4): the sort's arrow and name, the
//! fuzzy match highlighted, the `V` range drawn before it is marked, markers for every colour
//! that carries meaning under NO_COLOR, Activity presets one key away, a title that fits 80
//! columns, why the demo lists fewer users than accounts, "never active" once. Styles are
//! checked on the buffer; insta snapshots hold the text.

#[path = "support/console.rs"]
mod console;

use console::{play, press, state};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};
use seats::tui::state::{AppState, OrgAccounts, View};

fn render(state: &AppState) -> Terminal<TestBackend> {
    let (w, h) = state.size;
    let mut terminal = match Terminal::new(TestBackend::new(w, h)) {
        Ok(t) => t,
        Err(e) => panic!("test terminal: {e}"),
    };
    if let Err(e) = terminal.draw(|f| seats::tui::ui::draw(state, f)) {
        panic!("draw: {e}");
    }
    terminal
}

/// Row `y` of the buffer as text, one char per cell.
fn row_text(b: &Buffer, y: u16) -> String {
    (0..b.area.width).map(|x| b[(x, y)].symbol()).collect()
}

/// Where `needle` starts on screen: (column, row), the first row that has it.
fn find(b: &Buffer, needle: &str) -> (u16, u16) {
    for y in 0..b.area.height {
        let text = row_text(b, y);
        if let Some(at) = text.find(needle) {
            return (text[..at].chars().count() as u16, y);
        }
    }
    panic!("{needle:?} is not on screen:\n{}", screen_text(b));
}

fn screen_text(b: &Buffer) -> String {
    (0..b.area.height)
        .map(|y| row_text(b, y))
        .collect::<Vec<_>>()
        .join("\n")
}

fn status_line(b: &Buffer) -> String {
    row_text(b, b.area.height - 1)
}

/// Which of the `len` cells from (x, y) are drawn as a match.
fn matched(b: &Buffer, (x, y): (u16, u16), len: u16) -> Vec<bool> {
    (x..x + len)
        .map(|x| {
            b[(x, y)]
                .modifier
                .contains(Modifier::UNDERLINED | Modifier::BOLD)
        })
        .collect()
}

#[test]
fn fuzzy_words_are_highlighted_where_they_matched() {
    let mut s = state((80, 24), true);
    press(&mut s, "/love acme\n");
    let t = render(&s);
    let b = t.backend().buffer();
    // "love" in the name, "acme" in the email; nothing else of either.
    let name = find(b, "Ada Lovelace");
    assert_eq!(
        matched(b, name, 12),
        [vec![false; 4], vec![true; 4], vec![false; 4]].concat(),
        "{}",
        screen_text(b)
    );
    let email = find(b, "ada@acme.example");
    assert_eq!(
        matched(b, email, 16),
        [vec![false; 4], vec![true; 4], vec![false; 8]].concat()
    );
    // Facets alone highlight nothing.
    let mut s = state((80, 24), true);
    press(&mut s, "/product:jira-software\n");
    let t = render(&s);
    let b = t.backend().buffer();
    let name = find(b, "Ada Lovelace");
    assert!(!matched(b, name, 12).contains(&true));
}

#[test]
fn the_highlight_shows_in_colour_too() {
    let mut s = state((80, 24), true);
    s.theme.color = true;
    press(&mut s, "/turing\n");
    let t = render(&s);
    let b = t.backend().buffer();
    let (x, y) = find(b, "Turing");
    // The cursor row is reversed; the match keeps its own marks inside it.
    assert!(b[(x, y)].modifier.contains(Modifier::UNDERLINED));
    assert_eq!(b[(x, y)].fg, Color::Green);
    assert!(!b[(x - 2, y)].modifier.contains(Modifier::UNDERLINED));
}

#[test]
fn the_sorted_column_has_an_arrow_and_the_status_line_names_the_sort() {
    let mut s = state((80, 24), true);
    // The default (name order): the arrow on Name, the status line left to messages.
    let t = render(&s);
    let b = t.backend().buffer();
    find(b, "Name▲");
    assert!(!status_line(b).contains("sorted by"), "{}", status_line(b));
    // Most idle on Jira Software first, then reversed.
    play(&mut s, "s{days inactive on Jira Software}");
    let t = render(&s);
    let b = t.backend().buffer();
    find(b, "JSW▼");
    assert!(!row_text(b, 1).contains("Name▲"));
    assert!(
        status_line(b).contains("sorted by JSW idle ▼"),
        "{}",
        status_line(b)
    );
    play(&mut s, "s{days inactive on Jira Software}");
    let t = render(&s);
    let b = t.backend().buffer();
    find(b, "JSW▲");
    assert!(status_line(b).contains("sorted by JSW idle ▲"));
    // Relevance with words: no column, the status line says so.
    play(&mut s, "s{relevance}/ada\n");
    let t = render(&s);
    let b = t.backend().buffer();
    assert!(!row_text(b, 1).contains('▲') && !row_text(b, 1).contains('▼'));
    assert!(
        status_line(b).contains("sorted by best match"),
        "{}",
        status_line(b)
    );
}

#[test]
fn the_v_range_is_drawn_before_it_is_marked() {
    for color in [false, true] {
        let mut s = state((80, 24), true);
        s.theme.color = color;
        press(&mut s, "Vjj");
        let t = render(&s);
        let b = t.backend().buffer();
        // Rows 2..4 (the first three users) are the range, the cursor on the third.
        for y in 2..=4 {
            assert_eq!(b[(0, y)].symbol(), "+", "row {y}:\n{}", screen_text(b));
        }
        assert_eq!(b[(0, 5)].symbol(), " ");
        let in_range = |y: u16| {
            let c = &b[(10, y)];
            if color {
                c.bg == Color::Blue
            } else {
                c.modifier.contains(Modifier::UNDERLINED)
            }
        };
        assert!(in_range(2) && in_range(3), "color {color}");
        assert!(!in_range(5), "color {color}");
        assert!(s.marks.is_empty(), "nothing is marked before the second V");
        // The second V marks them: `*`, no range any more.
        press(&mut s, "V");
        let t = render(&s);
        let b = t.backend().buffer();
        for y in 2..=4 {
            assert_eq!(b[(0, y)].symbol(), "*");
        }
        assert_eq!(s.marks.len(), 3);
        assert!(!b[(10, 2)].modifier.contains(Modifier::UNDERLINED) || color);
    }
}

#[test]
fn no_color_puts_a_marker_where_the_colour_meant_something() {
    // Alan: 95 days on Jira Software, past the 90-day threshold; Ada: 3 days.
    let mut s = state((80, 24), true);
    let t = render(&s);
    let b = t.backend().buffer();
    let alan = row_text(b, find(b, "Alan Turing").1);
    let ada = row_text(b, find(b, "Ada Lovelace").1);
    assert!(alan.contains("95d!"), "{alan}");
    assert!(ada.contains(" 3d ") && ada.contains("120d!"), "{ada}");
    // In colour the red says it: no marker.
    s.theme.color = true;
    let t = render(&s);
    let b = t.backend().buffer();
    let (x, y) = find(b, "95d");
    assert_eq!(b[(x, y)].fg, Color::Red);
    assert!(!row_text(b, y).contains("95d!"));
    // The Activity bars: idle buckets' counts carry it too.
    s.theme.color = false;
    press(&mut s, "3");
    let t = render(&s);
    let b = t.backend().buffer();
    let labels = row_text(b, find(b, "0-30 ").1);
    assert!(
        labels.contains("90-180 2!") && labels.contains("60-90 1 "),
        "{labels}"
    );
}

#[test]
fn activity_presets_are_one_key_away_and_arrows_read_left_to_right() {
    let mut s = state((80, 24), true);
    press(&mut s, "3");
    let t = render(&s);
    let b = t.backend().buffer();
    // Each preset shows its key.
    for key in ["[a] ≥30", "[b] ≥60", "[c] ≥90", "[d] ≥180", "[e] never"] {
        find(b, key);
    }
    // → walks the bars left to right, then on to the presets.
    let reversed = |s: &AppState, text: &str| {
        let t = render(s);
        let b = t.backend().buffer();
        let at = find(b, text);
        b[at].modifier.contains(Modifier::REVERSED)
    };
    assert!(reversed(&s, "0-30 "));
    press(&mut s, "l");
    assert!(reversed(&s, "30-60 ") && !reversed(&s, "0-30 "));
    press(&mut s, "llll");
    assert!(reversed(&s, "never 1"));
    press(&mut s, "l");
    assert!(reversed(&s, "[a] ≥30"));
    // A preset's key opens its users at once.
    press(&mut s, "\x1b3c");
    assert_eq!(s.view, View::Users);
    assert!(s.users.query.starts_with("product:confluence idle:90 "));
}

#[test]
fn the_activity_table_cuts_no_name_or_money() {
    // A price that makes the cost column wide: at 60 columns Limit gives way (it is Used plus
    // Left); at 160 every column is there. Names and amounts whole either way.
    for (width, limit_shown) in [(60u16, false), (160, true)] {
        let mut s = state((width, 24), true);
        s.config
            .prices
            .per_user_month
            .insert("confluence".into(), 1_234_567.0);
        press(&mut s, "3");
        let text = render(&s).backend().to_string();
        assert!(text.contains("USD 7,407,402.00"), "{text}");
        assert!(text.contains("Jira Software "), "{text}");
        assert_eq!(text.contains("Limit"), limit_shown, "{text}");
    }
}

#[test]
fn the_title_fits_its_width_without_cutting_a_word() {
    let views = ["Users", "Groups", "Activity", "Queue", "History", "Rules"];
    for width in [60u16, 71, 72, 80, 99, 100, 160] {
        for dry_run in [false, true] {
            let mut s = state((width, 24), false);
            s.session.dry_run = dry_run;
            s.session.label = "demo: 2,000 simulated accounts".into();
            let t = render(&s);
            let b = t.backend().buffer();
            let title = row_text(b, 0);
            // Every tab can be clicked where it is drawn.
            for (v, at, label) in seats::tui::layout::tabs((width, 24)) {
                assert_eq!(
                    seats::tui::layout::tab_at((width, 24), at),
                    Some(v),
                    "{width}"
                );
                assert!(title.contains(label.trim()), "{width}: {title:?}");
            }
            // From 72 columns the tabs name their views; below, the title names this one.
            if width >= 72 {
                for v in views {
                    assert!(title.contains(v), "{width}: {title:?}");
                }
            } else {
                assert!(title.contains("Users"), "{width}: {title:?}");
            }
            // The state first: DRY RUN, offline, whenever they are on.
            assert_eq!(title.contains("DRY RUN"), dry_run, "{width}: {title:?}");
            assert!(title.contains("offline"), "{width}: {title:?}");
            // The label whole, or its first words and "…": never a piece of a word.
            let label_words = ["demo:", "2,000", "simulated", "accounts"];
            for w in title.split_whitespace() {
                let w = w.trim_end_matches('…');
                let known = label_words.contains(&w)
                    || views.contains(&w)
                    || [
                        "seats", "DRY", "RUN", "offline", "1", "2", "3", "4", "5", "6", "",
                    ]
                    .contains(&w);
                assert!(known, "{width}: {w:?} in {title:?}");
            }
        }
    }
    // At 80 columns: tabs, state and the label's leading words all there.
    let mut s = state((80, 24), true);
    s.session.dry_run = true;
    s.session.label = "demo: 2,000 simulated accounts".into();
    let t = render(&s);
    let title = row_text(t.backend().buffer(), 0);
    assert!(title.contains("demo: 2,000"), "{title:?}");
    insta::assert_snapshot!("title_dry_run_80x24", title);
}

#[test]
fn the_demo_says_why_it_lists_fewer_users_than_accounts() {
    // The fixture's directory holds 10 users.
    let cases: &[(Option<OrgAccounts>, Option<&str>)] = &[
        (
            Some(OrgAccounts {
                total: 13,
                apps: 2,
                customers: 1,
            }),
            Some(
                "10 of 13 accounts listed: 2 apps and 1 customer live on the site APIs, not in the org directory",
            ),
        ),
        (
            Some(OrgAccounts {
                total: 12,
                apps: 2,
                customers: 0,
            }),
            Some(
                "10 of 12 accounts listed: 2 apps live on the site APIs, not in the org directory",
            ),
        ),
        // More missing than apps and customers (users removed since): the gap, plainly.
        (
            Some(OrgAccounts {
                total: 14,
                apps: 2,
                customers: 1,
            }),
            Some(
                "10 of 14 accounts listed: the other 4 are not in the org directory (app and customer accounts live on the site APIs)",
            ),
        ),
        (
            Some(OrgAccounts {
                total: 11,
                apps: 0,
                customers: 0,
            }),
            Some(
                "10 of 11 accounts listed: the other one is not in the org directory (app and customer accounts live on the site APIs)",
            ),
        ),
        (
            Some(OrgAccounts {
                total: 11,
                apps: 1,
                customers: 0,
            }),
            Some(
                "10 of 11 accounts listed: 1 app lives on the site APIs, not in the org directory",
            ),
        ),
        (
            Some(OrgAccounts {
                total: 10,
                apps: 0,
                customers: 0,
            }),
            None,
        ),
        (None, None),
    ];
    for (accounts, want) in cases {
        let mut s = state((160, 48), true);
        s.accounts = *accounts;
        assert_eq!(s.accounts_note().as_deref(), *want, "{accounts:?}");
        // Once, on the Activity view.
        press(&mut s, "3");
        let text = render(&s).backend().to_string();
        if let Some(w) = want {
            assert_eq!(text.matches("accounts listed").count(), 1, "{text}");
            assert!(text.contains(&w[..40]), "{text}");
        } else {
            assert!(!text.contains("accounts listed"), "{text}");
        }
    }
}

#[test]
fn details_say_never_active_once() {
    // Grace Hopper, sixth by name, has never used Jira Software.
    let mut s = state((80, 24), true);
    press(&mut s, "jjjjj\n");
    let text = render(&s).backend().to_string();
    assert!(text.contains("Grace Hopper"), "{text}");
    assert!(text.contains("Jira Software  never active"), "{text}");
    assert!(!text.contains("(never)"), "{text}");
    assert!(
        text.contains("Confluence  last active 2026-11-20 (10d)"),
        "{text}"
    );
    // She is synced from the IdP: held out of what the IdP owns, not "protected" from
    // everything (a plan may still suspend her or change groups made in Atlassian).
    assert!(text.contains("Identity provider"), "{text}");
    assert!(!text.contains("Protected"), "{text}");
}

#[test]
fn explained_screens_at_both_sizes() {
    let screens: &[(&str, &str)] = &[
        // A fuzzy query, sorted by Jira Software idle, a range being built.
        (
            "users_explained",
            "/a acme\ns{days inactive on Jira Software}Vj",
        ),
        ("activity_explained", "3jllllll"),
    ];
    for (name, keys) in screens {
        for size in [(80, 24), (160, 48)] {
            let mut s = state(size, true);
            s.accounts = Some(OrgAccounts {
                total: 13,
                apps: 2,
                customers: 1,
            });
            play(&mut s, keys);
            let text = render(&s).backend().to_string();
            insta::assert_snapshot!(format!("{name}_{}x{}", size.0, size.1), text);
        }
    }
}

#[test]
fn help_lists_the_markers_in_their_own_column_and_without_colour_as_drawn() {
    // (colour on, the marker, where its text starts: after the widest marker and two spaces)
    for (color, marker) in [(true, "red days"), (false, "120d!")] {
        let mut s = state((120, 40), true);
        s.theme.color = color;
        press(&mut s, "?marker");
        let screen = render(&s).backend().to_string();
        let row = screen
            .lines()
            .find(|l| l.contains("idle past the threshold"))
            .unwrap_or_default()
            .to_owned();
        assert!(
            row.contains(&format!("  {marker}  idle past the threshold")),
            "colour {color}: {row}"
        );
        assert!(!row.contains("daysidle"), "{row}");
        if !color {
            assert!(!row.contains("red"), "{row}");
        }
    }
}
