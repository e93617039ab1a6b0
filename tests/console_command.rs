//! Command mode, menus that narrow as you type, and help that can be searched: reducer tables
//! over the console's test org, and the screens at 80x24 and 160x48.

#[path = "support/console.rs"]
mod console;

use console::{CONF, JSW, play, press, state};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use seats::plan::OperationKind;
use seats::tui::action::{Action, Effect};
use seats::tui::complete::Listing;
use seats::tui::keymap::{Command, Scope, command_in};
use seats::tui::state::{AppState, InputKind, Overlay};
use seats::tui::update::update;

const SIZE: (u16, u16) = (120, 30);

fn line(s: &AppState) -> String {
    s.input.as_ref().map(|i| i.text.clone()).unwrap_or_default()
}

fn labels(s: &AppState) -> Vec<String> {
    s.input
        .as_ref()
        .map(|i| {
            i.complete
                .suggestions
                .items
                .iter()
                .map(|x| x.insert.clone())
                .collect()
        })
        .unwrap_or_default()
}

fn flash(s: &AppState) -> String {
    s.flash.as_ref().map(|f| f.text.clone()).unwrap_or_default()
}

fn back_tab(s: &mut AppState) -> Vec<Effect> {
    update(
        s,
        Action::Key(KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT)),
    )
}

fn queued(s: &AppState) -> Vec<OperationKind> {
    s.queue
        .ops
        .operations()
        .iter()
        .map(|o| o.kind.clone())
        .collect()
}

fn render(s: &AppState) -> String {
    let (w, h) = s.size;
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap_or_else(|e| panic!("{e}"));
    terminal
        .draw(|f| seats::tui::ui::draw(s, f))
        .unwrap_or_else(|e| panic!("draw: {e}"));
    terminal.backend().to_string()
}

// ---- command mode ----

#[test]
fn the_popup_lists_the_commands_matching_what_is_typed() {
    // (typed, the commands listed, in order)
    let cases: &[(&str, &[&str])] = &[
        (
            ":rem",
            &[
                "remove-product-access",
                "remove-group",
                "remove-from-directory",
            ],
        ),
        (":q", &["quit", "clear-queue"]),
        (":give", &["give-back"]),
        // An alias finds its command.
        (":w", &["write"]),
        (":zzz", &[]),
    ];
    for (keys, want) in cases {
        let mut s = state(SIZE, true);
        press(&mut s, keys);
        assert_eq!(labels(&s), *want, "{keys:?}");
    }
    // Nothing typed: every command of the catalogue, each with its usage and help.
    let mut s = state(SIZE, true);
    press(&mut s, ":");
    let all = seats::tui::commands::catalogue();
    assert_eq!(labels(&s).len(), all.len());
    let screen = render(&s);
    assert!(screen.contains("remove-group NAME"), "{screen}");
    assert!(screen.contains("give-back BATCH USER"), "{screen}");
}

#[test]
fn tab_completes_each_kind_of_word() {
    // (keys, the line after them)
    let cases: &[(&str, &str)] = &[
        // Command names: one match completes, with a space when arguments follow.
        (":sus\t", "suspend"),
        (":remove-g\t", "remove-group "),
        (":give\t", "give-back "),
        // Several sharing a longer prefix: that prefix first.
        (":rem\t", "remove-"),
        (":remove-p\t", "remove-product-access "),
        (":cl\t", "clear-queue"),
        // Product keys, by key, alias or name: the key the org's data carries.
        (":remove-product conf\t", "remove-product confluence"),
        (":remove-product jsw\t", "remove-product jira-software"),
        (
            ":remove-product-access jira-so\t",
            "remove-product-access jira-software",
        ),
        // Group names, by prefix or by a word inside, in any case.
        (":remove-group eng\t", "remove-group eng-platform"),
        (":remove-group OKTA\t", "remove-group okta-all-employees"),
        // Nothing to complete: the line stays.
        (":remove-group zzz\t", "remove-group zzz"),
        (":suspend \t", "suspend "),
    ];
    for (keys, want) in cases {
        let mut s = state(SIZE, true);
        let effects = press(&mut s, keys);
        assert!(effects.is_empty(), "{keys:?}: {effects:?}");
        assert_eq!(line(&s), *want, "{keys:?}");
    }
}

#[test]
fn tab_again_cycles_and_shift_tab_goes_back() {
    let mut s = state(SIZE, true);
    // "users" is inside two group names: no common prefix, so Tab cycles, by name.
    press(&mut s, ":remove-group users");
    assert_eq!(
        labels(&s),
        ["confluence-users", "jira-software-users"],
        "substring matches, by name"
    );
    press(&mut s, "\t");
    assert_eq!(line(&s), "remove-group confluence-users");
    press(&mut s, "\t");
    assert_eq!(line(&s), "remove-group jira-software-users");
    press(&mut s, "\t");
    assert_eq!(line(&s), "remove-group confluence-users", "round again");
    back_tab(&mut s);
    assert_eq!(line(&s), "remove-group jira-software-users");
    // The choice runs as typed.
    press(&mut s, "\x1b j j");
    press(&mut s, ":remove-group users\t\n");
    assert!(
        queued(&s).iter().any(|k| matches!(
            k,
            OperationKind::RemoveFromGroup { group_name, .. } if group_name == "confluence-users"
        )),
        "{:?} {}",
        queued(&s),
        flash(&s)
    );

    // Commands cycle too: `re` is the start of several with nothing longer in common.
    let mut s = state(SIZE, true);
    press(&mut s, ":re\t");
    assert_eq!(line(&s), "read");
    press(&mut s, "\t");
    assert_eq!(line(&s), "remove-product-access");
    // Typing ends the cycle: the popup follows the line again.
    press(&mut s, " ");
    let heading = s
        .input
        .as_ref()
        .and_then(|i| i.complete.suggestions.heading.clone())
        .unwrap_or_default();
    assert!(
        heading.starts_with("remove-product-access PRODUCT"),
        "{heading}"
    );
    assert!(labels(&s).contains(&JSW.to_owned()), "{:?}", labels(&s));
}

#[test]
fn products_list_the_orgs_keys_first_then_the_table() {
    let mut s = state(SIZE, true);
    press(&mut s, ":remove-product ");
    let l = labels(&s);
    assert_eq!(&l[..2], [CONF, JSW], "held keys first: {l:?}");
    assert!(l.contains(&"loom".to_owned()), "{l:?}");
    // `js`: Jira Software by its alias jsw, Service Management by jsm/jsd.
    press(&mut s, "js");
    assert_eq!(labels(&s), [JSW, "jira-servicedesk"]);
    press(&mut s, "\t");
    assert_eq!(
        line(&s),
        format!("remove-product {JSW}"),
        "cycles from the first"
    );
}

#[test]
fn file_paths_are_listed_off_the_ui_thread_on_tab() {
    let mut s = state(SIZE, true);
    press(&mut s, ":write pl");
    // Typing reads nothing: the popup says Tab lists the folder.
    assert!(labels(&s).is_empty());
    let effects = press(&mut s, "\t");
    let [Effect::ListDir { request, dir }] = &effects[..] else {
        panic!("Tab asks for the listing: {effects:?}");
    };
    assert_eq!(dir, "");
    let listing = |dir: &str, names: &[(&str, bool)]| Listing {
        dir: dir.into(),
        entries: names.iter().map(|(n, d)| (n.to_string(), *d)).collect(),
    };
    // A stale answer (an older request) is dropped.
    update(
        &mut s,
        Action::DirListed {
            request: request - 1,
            listing: Ok(listing("", &[("zzz", false)])),
        },
    );
    assert_eq!(line(&s), "write pl");
    update(
        &mut s,
        Action::DirListed {
            request: *request,
            listing: Ok(listing(
                "",
                &[("plan.json", false), ("plans", true), ("other", false)],
            )),
        },
    );
    // The waiting Tab completes the shared prefix; the next cycles.
    assert_eq!(line(&s), "write plan");
    assert_eq!(labels(&s), ["plan.json", "plans/"]);
    press(&mut s, "s\t");
    // One folder: completed with its slash and no space; the next Tab lists it.
    assert_eq!(line(&s), "write plans/");
    let effects = press(&mut s, "\t");
    assert!(
        matches!(&effects[..], [Effect::ListDir { dir, .. }] if dir == "plans/"),
        "{effects:?}"
    );
    // Narrowing the same folder needs no new listing.
    let mut s2 = state(SIZE, true);
    press(&mut s2, ":read ");
    let effects = press(&mut s2, "\t");
    let [Effect::ListDir { request, .. }] = &effects[..] else {
        panic!("{effects:?}");
    };
    update(
        &mut s2,
        Action::DirListed {
            request: *request,
            listing: Ok(listing("", &[("a.json", false), ("b.json", false)])),
        },
    );
    assert_eq!(line(&s2), "read a.json", "cycling from the first");
    press(&mut s2, "\x08\x08\x08\x08\x08\x08b");
    assert_eq!(line(&s2), "read b");
    assert_eq!(labels(&s2), ["b.json"], "narrowed from the listing kept");
    assert!(
        press(&mut s2, "\t").is_empty(),
        "no I/O for the same folder"
    );
    assert_eq!(line(&s2), "read b.json");
    // A folder that cannot be read says so.
    let mut s = state(SIZE, true);
    press(&mut s, ":read nope/");
    let effects = press(&mut s, "\t");
    let [Effect::ListDir { request, .. }] = &effects[..] else {
        panic!("{effects:?}");
    };
    update(
        &mut s,
        Action::DirListed {
            request: *request,
            listing: Err("cannot list \"nope/\": No such file or directory".into()),
        },
    );
    assert!(flash(&s).contains("cannot list"), "{}", flash(&s));
}

#[test]
fn a_listing_asked_by_an_earlier_line_does_not_answer_a_new_one() {
    let mut s = state(SIZE, true);
    press(&mut s, ":read ");
    let [Effect::ListDir { request: first, .. }] = &press(&mut s, "\t")[..] else {
        panic!("Tab asks for the listing");
    };
    let first = *first;
    // Esc, and a new line asking for another folder.
    press(&mut s, "\x1b:read plans/");
    let [
        Effect::ListDir {
            request: second,
            dir,
        },
    ] = &press(&mut s, "\t")[..]
    else {
        panic!("Tab asks for the listing");
    };
    assert_eq!(dir, "plans/");
    assert!(
        *second > first,
        "the counter runs on: {first} then {second}"
    );
    // The first line's listing (of another folder) lands late: it is not this line's.
    update(
        &mut s,
        Action::DirListed {
            request: first,
            listing: Ok(Listing {
                dir: "".into(),
                entries: vec![("old.json".into(), false)],
            }),
        },
    );
    assert_eq!(line(&s), "read plans/");
    assert!(labels(&s).is_empty(), "{:?}", labels(&s));
}

#[test]
fn batches_complete_from_history() {
    let mut s = state(SIZE, true);
    let batch = |id: i64| seats::exec::BatchInfo {
        id,
        created_at: console::fetched_at(),
        finished_at: None,
        operator: "ken@acme.example".into(),
        profile: None,
        org_id: "org-1".into(),
        query: None,
        source: "console".into(),
        dry_run: false,
        status: seats::exec::BatchStatus::Finished,
        counts: Default::default(),
    };
    update(
        &mut s,
        Action::History(Ok(vec![batch(12), batch(11), batch(3)])),
    );
    press(&mut s, ":give-back 1");
    assert_eq!(labels(&s), ["12", "11"]);
    press(&mut s, "2\t");
    assert_eq!(line(&s), "give-back 12 ", "a space: the user follows");
    let heading = s
        .input
        .as_ref()
        .and_then(|i| i.complete.suggestions.heading.clone())
        .unwrap_or_default();
    assert!(
        heading.contains("USER: the user's account id or email"),
        "{heading}"
    );
    // A batch History does not have is refused before anything runs.
    press(&mut s, "\x1b:give-back 99 ada@acme.example\n");
    assert!(
        flash(&s).contains("no batch 99 in History"),
        "{}",
        flash(&s)
    );
}

#[test]
fn a_group_name_is_found_in_any_case_as_the_query_finds_it() {
    let mut dir = console::directory();
    dir.groups.push(seats::domain::Group {
        id: "g-equipe".into(),
        name: "Équipe Support".into(),
        synced: false,
        grants: vec![],
        member_count: Some(0),
    });
    let mut s = state(SIZE, true);
    let loaded = seats::tui::loaded::Loaded::new(
        std::sync::Arc::new(dir),
        seats::tui::loaded::Origin::Snapshot,
        &s.config,
    );
    let effects = update(
        &mut s,
        Action::SnapshotLoaded {
            loaded: Some(loaded),
            notice: None,
        },
    );
    console::answer(&mut s, effects);
    // Lower case beyond ASCII: the query's `group:` takes it, and so does the `:` line.
    press(&mut s, "/group:\"équipe support\"\n");
    assert!(s.users.error.is_none(), "{:?}", s.users.error);
    press(&mut s, "\x1b:remove-group équipe support\n");
    assert!(
        matches!(
            s.queue.ops.operations().first().map(|o| &o.kind),
            Some(OperationKind::RemoveFromGroup { group_name, .. }) if group_name == "Équipe Support"
        ),
        "{:?}",
        flash(&s)
    );
}

#[test]
fn arguments_are_validated_before_anything_runs() {
    // (line, what the status line must say)
    let cases: &[(&str, &[&str])] = &[
        (
            ":remove-group\n",
            &["remove-group NAME: the group to remove the marked users from"],
        ),
        (
            ":remove-group engg\n",
            &["no group named \"engg\"", "did you mean eng-platform"],
        ),
        (
            ":remove-product\n",
            &["remove-product-access PRODUCT: the product to take"],
        ),
        (
            ":remove-product jra\n",
            &[
                "unknown product \"jra\"",
                "did you mean jira",
                "products here: confluence, jira-software",
            ],
        ),
        (":remove-product loom\n", &["nobody here holds Loom (loom)"]),
        (
            ":suspnd\n",
            &["unknown command :suspnd", "did you mean :suspend?"],
        ),
        (":suspend now\n", &[":suspend takes no argument"]),
        (":write\n", &["write FILE: the file name to write"]),
        (":read\n", &["read FILE: the file name of a plan"]),
        (
            ":give-back x y\n",
            &["give-back BATCH USER: BATCH is a batch number"],
        ),
    ];
    for (keys, want) in cases {
        let mut s = state(SIZE, true);
        let effects = press(&mut s, &format!("j {keys}"));
        assert!(effects.is_empty(), "{keys:?} ran: {effects:?}");
        assert!(s.queue.ops.is_empty(), "{keys:?} queued");
        let f = flash(&s);
        for w in *want {
            assert!(f.contains(w), "{keys:?}: {f:?} lacks {w:?}");
        }
    }
}

#[test]
fn valid_commands_run() {
    // Aliases and the product alias table: `:remove-product jsw` is Jira Software.
    let mut s = state(SIZE, true);
    press(&mut s, "j :remove-product jsw\n");
    assert_eq!(
        queued(&s),
        [OperationKind::RemoveProductAccess {
            product: JSW.into()
        }]
    );
    // A group in any case.
    press(&mut s, "j :remove-group ENG-PLATFORM\n");
    assert!(matches!(
        &queued(&s)[1],
        OperationKind::RemoveFromGroup { group_name, .. } if group_name == "eng-platform"
    ));
    // :w with a plan writes it; :help opens help.
    let effects = press(&mut s, ":w plan.json\n");
    assert!(
        matches!(&effects[..], [Effect::WritePlan { path, .. }] if path.ends_with("plan.json")),
        "{effects:?}"
    );
    press(&mut s, ":help\n");
    assert!(matches!(s.overlay, Some(Overlay::Help { .. })));
}

#[test]
fn the_command_line_has_its_own_prompt_and_colour() {
    let mut s = state((80, 24), true);
    s.theme.color = true;
    press(&mut s, ":sus");
    assert_eq!(s.input.as_ref().map(|i| i.kind), Some(InputKind::Command));
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap_or_else(|e| panic!("{e}"));
    terminal
        .draw(|f| seats::tui::ui::draw(&s, f))
        .unwrap_or_else(|e| panic!("{e}"));
    let buffer = terminal.backend().buffer().clone();
    let command = buffer[(0, 22)].clone();
    assert_eq!(command.symbol(), ":");
    press(&mut s, "\x1b/ada");
    terminal
        .draw(|f| seats::tui::ui::draw(&s, f))
        .unwrap_or_else(|e| panic!("{e}"));
    let query = terminal.backend().buffer()[(0, 22)].clone();
    assert_eq!(query.symbol(), "/");
    assert_ne!(command.fg, query.fg, "a colour of its own");
    // Without colour: reverse video tells them apart.
    let mut s = state((80, 24), true);
    press(&mut s, ":");
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap_or_else(|e| panic!("{e}"));
    terminal
        .draw(|f| seats::tui::ui::draw(&s, f))
        .unwrap_or_else(|e| panic!("{e}"));
    let cell = terminal.backend().buffer()[(0, 22)].clone();
    assert!(cell.modifier.contains(ratatui::style::Modifier::REVERSED));
}

#[test]
fn tab_is_a_line_key_of_the_keymap() {
    let tab = KeyEvent::new(KeyCode::Tab, KeyModifiers::NONE);
    assert_eq!(command_in(&tab, Scope::Line), Some(Command::Complete));
    let back = KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT);
    assert_eq!(command_in(&back, Scope::Line), Some(Command::CompleteBack));
}

#[test]
fn tab_on_the_query_line_completes_facets_and_their_values() {
    // (keys, the query after them)
    let cases: &[(&str, &str)] = &[
        ("/prod\t", "product:"),
        ("/!sta\t", "!status:"),
        ("/adm\t", "admin "),
        ("/product:conf\t", "product:confluence "),
        ("/product:jsw\t", "product:jira-software "),
        ("/status:su\t", "status:suspended "),
        // Two values, nothing longer in common: the first, and Tab again cycles.
        ("/type:a\t", "type:atlassian"),
        ("/idle:9\t", "idle:90 "),
        ("/domain:part\t", "domain:partner.example "),
        ("/group:okta\t", "group:okta-all-employees "),
        // Plain words are names to search: Tab leaves them.
        ("/ada\t", "ada"),
    ];
    for (keys, want) in cases {
        let mut s = state(SIZE, true);
        press(&mut s, keys);
        assert_eq!(line(&s), *want, "{keys:?}");
        // What Tab wrote is the query, applied like typed text.
        assert_eq!(s.users.query, *want, "{keys:?}");
    }
    // Cycling: `type:a` is atlassian or app; Tab again moves on and filters again.
    let mut s = state(SIZE, true);
    press(&mut s, "/type:a\t");
    assert_eq!(line(&s), "type:atlassian");
    assert!(
        render(&s).contains("Tab: the next choice"),
        "{}",
        render(&s)
    );
    press(&mut s, "\t");
    assert_eq!(s.users.query, "type:app");
    assert_eq!(console::shown_names(&s), ["Build Bot"]);
}

// ---- menus that narrow ----

fn menu_labels(s: &AppState) -> Vec<String> {
    match &s.overlay {
        Some(Overlay::Menu(m)) => m.visible().map(|i| i.label.clone()).collect(),
        other => panic!("no menu: {other:?}"),
    }
}

fn menu_title_filter(s: &AppState) -> String {
    match &s.overlay {
        Some(Overlay::Menu(m)) => m.filter.text.clone(),
        _ => String::new(),
    }
}

#[test]
fn menus_narrow_to_what_is_typed() {
    // (keys, the items left)
    let cases: &[(&str, &[&str])] = &[
        // Facets: any letter no menu key binds starts the filter.
        ("fgro", &["group…"]),
        ("fsync", &["synced from the identity provider"]),
        // Words in any order and case.
        ("fADMIN org", &["org or site admin"]),
        // Submenus: the group list by a word inside the names.
        (
            "f{group}/users",
            &["confluence-users", "jira-software-users"],
        ),
        // Products by alias.
        ("f{product}/jsw", &["Jira Software (jira-software)"]),
        // Actions.
        ("asus", &["suspend (frees every seat, keeps content)"]),
        ("a{remove product}/conf", &["Confluence"]),
        // Sort.
        ("semail", &["email"]),
        // Digits: the idle presets.
        ("f{inactive}90", &["90 days (or never)"]),
        ("fzzz", &[]),
    ];
    for (keys, want) in cases {
        let mut s = state(SIZE, true);
        play(&mut s, keys);
        assert_eq!(menu_labels(&s), *want, "{keys:?}");
    }
}

#[test]
fn menu_keys_work_until_something_is_typed_and_slash_types_them() {
    let mut s = state(SIZE, true);
    // j moves while nothing is typed (the tmux tests pick by position this way).
    press(&mut s, "ajj");
    let Some(Overlay::Menu(m)) = &s.overlay else {
        panic!("menu");
    };
    assert_eq!(
        m.current().map(|i| i.label.as_str()),
        Some("suspend (frees every seat, keeps content)")
    );
    assert!(m.filter.text.is_empty());
    // `/` then j, k, h, l, q are typed.
    play(&mut s, "\x1b\x1bf{group}/jira");
    assert_eq!(menu_title_filter(&s), "jira");
    assert_eq!(menu_labels(&s), ["jira-software-users"]);
    // Typing another letter once the filter runs: typed, even a bound one.
    let mut s = state(SIZE, true);
    press(&mut s, "f");
    play(&mut s, "{group}");
    press(&mut s, "eng-platform");
    assert_eq!(menu_labels(&s), ["eng-platform"]);
    // Enter picks the match.
    press(&mut s, "\n");
    assert_eq!(s.users.query, "group:eng-platform");
    assert!(s.overlay.is_none());
}

#[test]
fn backspace_widens_and_esc_clears_then_closes() {
    let mut s = state(SIZE, true);
    play(&mut s, "f{group}/jira-s");
    assert_eq!(menu_labels(&s), ["jira-software-users"]);
    press(&mut s, "\x08\x08");
    assert_eq!(menu_title_filter(&s), "jira");
    press(&mut s, "\x08\x08\x08\x08");
    assert_eq!(menu_labels(&s).len(), 4, "all four groups again");
    // Esc with a filter clears it; again, back to the facet menu; again, closed.
    press(&mut s, "/eng\x1b");
    assert_eq!(menu_labels(&s).len(), 4);
    assert!(menu_title_filter(&s).is_empty());
    press(&mut s, "\x1b");
    assert!(
        menu_labels(&s).contains(&"group…".to_owned()),
        "the facet menu"
    );
    press(&mut s, "\x1b");
    assert!(s.overlay.is_none());
    // The typed text is in the menu's title.
    let mut s = state(SIZE, true);
    press(&mut s, "fsyn");
    assert!(render(&s).contains("filter: syn"), "{}", render(&s));
}

#[test]
fn a_filtered_action_menu_queues_its_choice() {
    let mut s = state(SIZE, true);
    press(&mut s, "j asus\n");
    assert_eq!(queued(&s), [OperationKind::Suspend]);
    let mut s = state(SIZE, true);
    play(&mut s, "j a{remove from a group}/eng\n");
    assert!(matches!(
        &queued(&s)[..],
        [OperationKind::RemoveFromGroup { group_name, .. }] if group_name == "eng-platform"
    ));
}

// ---- help ----

fn help_text(s: &AppState) -> String {
    let Some(Overlay::Help { filter, .. }) = &s.overlay else {
        panic!("no help open");
    };
    seats::tui::ui::help_lines(s, filter)
        .iter()
        .map(|l| l.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn help_puts_the_current_views_keys_first_and_lists_every_scope_and_command() {
    let mut s = state(SIZE, true);
    press(&mut s, "4?");
    let text = help_text(&s);
    assert!(text.starts_with("Queue"), "{text}");
    for heading in [
        "Everywhere",
        "Menus",
        "Help and details",
        "Confirm dialog",
        "Questions",
        "Query and command lines",
        "Commands",
    ] {
        assert!(text.contains(heading), "{heading}: {text}");
    }
    for c in seats::tui::commands::catalogue() {
        assert!(text.contains(&format!(":{}", c.usage())), "{}", c.name);
    }
}

#[test]
fn typing_in_help_narrows_it() {
    let mut s = state(SIZE, true);
    // A letter no help key binds starts the filter.
    press(&mut s, "?review");
    let text = help_text(&s);
    assert!(text.contains("review and confirm the queue"), "{text}");
    assert!(text.contains(":give-back BATCH USER"), "{text}");
    assert!(!text.contains("move down"), "{text}");
    // Words match anywhere in a line, the section's title included.
    let mut s = state(SIZE, true);
    press(&mut s, "?/queue edit");
    let text = help_text(&s);
    assert!(text.contains("undo the last queue edit"), "{text}");
    assert!(!text.contains("review and confirm"), "{text}");
    // j, k and q scroll and close until `/`; then they are typed.
    let mut s = state(SIZE, true);
    press(&mut s, "?j");
    assert!(matches!(s.overlay, Some(Overlay::Help { scroll: 1, .. })));
    press(&mut s, "/jk");
    let text = help_text(&s);
    assert!(text.contains("Nothing in help matches"), "{text}");
    press(&mut s, "\x08\x08tab");
    let text = help_text(&s);
    assert!(
        text.contains("next view") && text.contains("complete"),
        "{text}"
    );
    // Esc clears, then closes.
    press(&mut s, "\x1b");
    assert!(matches!(s.overlay, Some(Overlay::Help { .. })));
    press(&mut s, "\x1b");
    assert!(s.overlay.is_none());
}

// ---- screens ----

const SIZES: [(u16, u16); 2] = [(80, 24), (160, 48)];

#[test]
fn command_mode_filtered_menus_and_help_at_both_sizes() {
    let screens: &[(&str, &str)] = &[
        ("command_all", ":"),
        ("command_re", ":re"),
        ("command_group_argument", ":remove-group "),
        ("command_cycling", ":remove-group users\t"),
        ("menu_filtered_groups", "f{group}/users"),
        ("menu_filtered_actions", "j ar"),
        ("menu_nothing_matches", "fzzz"),
        ("help_filtered", "?/queue"),
    ];
    for (name, keys) in screens {
        for (w, h) in SIZES {
            let mut s = state((w, h), true);
            play(&mut s, keys);
            insta::assert_snapshot!(format!("{name}_{w}x{h}"), render(&s));
        }
    }
}

/// Thousands of groups: each keystroke on a group argument is one pass over the groups (not
/// the users); the popup keeps the first 100 matches and counts the rest.
#[test]
fn thousands_of_groups_complete_within_one_pass_each_key() {
    use seats::domain::Group;
    use seats::tui::loaded::{Loaded, Origin};
    let mut dir = console::directory();
    for i in 0..5_000 {
        dir.groups.push(Group {
            id: format!("g-team-{i:04}"),
            name: format!("team-{i:04}"),
            synced: false,
            grants: vec![],
            member_count: Some(0),
        });
    }
    let mut s = state(SIZE, true);
    let loaded = Loaded::new(
        std::sync::Arc::new(dir),
        Origin::Snapshot,
        &console::config(),
    );
    update(
        &mut s,
        Action::SnapshotLoaded {
            loaded: Some(loaded),
            notice: None,
        },
    );
    let started = std::time::Instant::now();
    press(&mut s, ":remove-group team-");
    let per_key = started.elapsed() / ":remove-group team-".len() as u32;
    let c = &s
        .input
        .as_ref()
        .map(|i| i.complete.clone())
        .unwrap_or_default();
    assert_eq!(
        c.suggestions.items.len(),
        seats::tui::complete::MAX_SUGGESTIONS
    );
    assert_eq!(c.suggestions.items.len() + c.suggestions.more, 5_000);
    // 14 rows on screen, the rest counted.
    assert!(render(&s).contains("4,986 more"), "{}", render(&s));
    press(&mut s, "4999\t");
    assert_eq!(line(&s), "remove-group team-4999");
    eprintln!("5,000 groups: {per_key:?} a keystroke (debug build)");
}

/// Group names with spaces complete quoted, as the query parser wants them, and a quoted word
/// being typed is completed as one word.
#[test]
fn group_names_with_spaces_complete_quoted_on_the_query_line() {
    use seats::domain::Group;
    use seats::tui::loaded::{Loaded, Origin};
    let mut dir = console::directory();
    dir.groups.push(Group {
        id: "g-eng-space".into(),
        name: "eng platform".into(),
        synced: false,
        grants: vec![],
        member_count: Some(0),
    });
    let mut s = state(SIZE, true);
    let loaded = Loaded::new(
        std::sync::Arc::new(dir),
        Origin::Snapshot,
        &console::config(),
    );
    update(
        &mut s,
        Action::SnapshotLoaded {
            loaded: Some(loaded),
            notice: None,
        },
    );
    press(&mut s, "/admin group:\"eng p\t");
    assert_eq!(line(&s), "admin group:\"eng platform\" ");
    assert!(seats::filter::parse(&line(&s)).is_ok());
    press(&mut s, "\x1b/group:eng\t");
    assert_eq!(
        line(&s),
        "group:\"eng platform\"",
        "by name: the space sorts first"
    );
    press(&mut s, "\t");
    assert_eq!(line(&s), "group:eng-platform");
    // The `:` line takes the rest of the line as the name: no quotes there.
    press(&mut s, "\x1b:remove-group eng p\t");
    assert_eq!(line(&s), "remove-group eng platform");
}
