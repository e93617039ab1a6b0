//! Screens of the console drawn on ratatui's TestBackend at 80x24 and 160x48, kept as insta
//! snapshots (text only; styles are checked on the buffer).

#[path = "support/console.rs"]
mod console;

use console::{play, press, state};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::Modifier;
use seats::tui::state::AppState;

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

fn screen(keys: &str, size: (u16, u16)) -> String {
    let mut s = state(size, true);
    play(&mut s, keys);
    render(&s).backend().to_string()
}

const SIZES: [(u16, u16); 2] = [(80, 24), (160, 48)];

#[test]
fn every_view_at_both_sizes() {
    let views: &[(&str, &str)] = &[
        ("users", ""),
        ("users_filtered", "/product:jira-software idle:90\n"),
        ("users_marked", "j j \\"),
        ("users_marked_hidden", "  /domain:partner.example\n"),
        ("groups", "2"),
        ("activity", "3l"),
        ("details", "j\n"),
        ("details_protected", "G\n"),
        ("help", "?"),
        ("facet_menu", "f"),
        ("facet_submenu_group", "f{group}"),
        ("sort_menu", "s"),
        ("query_line_open", "/ada"),
        ("queue_empty", "4"),
        // Alan, Barbara and Ken (the admin: held out) suspended; Ada's Jira removed.
        ("queue", "j j jjjjj a{suspend} a{remove product}{Jira}4"),
        ("confirm", "j j a{suspend}A"),
        (
            "confirm_irreversible",
            "j j a{remove from the directory}A\t12",
        ),
        ("action_menu", "j j a"),
        ("quit_with_a_queue", "a{suspend}q"),
        ("history_empty", "5"),
    ];
    for (name, keys) in views {
        for (w, h) in SIZES {
            insta::assert_snapshot!(format!("{name}_{w}x{h}"), screen(keys, (w, h)));
        }
    }
}

#[test]
fn too_small_says_so() {
    let mut s = state((80, 24), true);
    press(&mut s, "");
    s.size = (40, 10);
    let text = render(&s).backend().to_string();
    assert!(text.contains("60x12") && text.contains("40x10"), "{text}");
    insta::assert_snapshot!("too_small_40x10", text);
}

#[test]
fn the_cursor_row_is_reversed_and_only_it() {
    let mut s = state((80, 24), true);
    press(&mut s, "jj");
    let terminal = render(&s);
    let buffer = terminal.backend().buffer();
    // Row 0 title, 1 header, 2.. users: the cursor (third user) is on row 4.
    let reversed = |y: u16| buffer[(10, y)].modifier.contains(Modifier::REVERSED);
    assert!(reversed(4));
    assert!(!reversed(3) && !reversed(5));
}

#[test]
fn counts_are_always_visible() {
    let mut s = state((80, 24), true);
    press(&mut s, "/domain:partner.example\n");
    let text = render(&s).backend().to_string();
    assert!(text.contains("1/10"), "{text}");
    press(&mut s, " ");
    let text = render(&s).backend().to_string();
    assert!(text.contains("1 marked"), "{text}");
    press(&mut s, "\x1b");
    let text = render(&s).backend().to_string();
    assert!(text.contains("10/10 1 marked"), "{text}");
    press(&mut s, "/domain:acme.example\n");
    let text = render(&s).backend().to_string();
    assert!(text.contains("1 marked (1 hidden by filter)"), "{text}");
}
