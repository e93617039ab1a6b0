//! The catalogues a new action or facet must join. Actions, from the one list of kinds
//! (`OperationKind::examples`): the console's action menu, its `:` command line and
//! `seats plan --action`. Facets, from the parser's table (`filter::facet_tokens`): the facet
//! menu and help. Adding one without the others fails here.

#[path = "support/console.rs"]
mod console;

use std::mem::discriminant;

use console::{JSW, choose, press, state};
use seats::cli::{Command, parse_from};
use seats::commands::plan::operation_for;
use seats::plan::OperationKind;
use seats::tui::menu::{Choice, Menu, Submenu};
use seats::tui::state::Overlay;

const SIZE: (u16, u16) = (120, 30);

/// The parameter a kind's `:` command and `--action` flag take in the console's test org.
fn parameter(kind: &OperationKind) -> (&'static str, Vec<&'static str>) {
    match kind {
        OperationKind::RemoveProductAccess { .. } => (JSW, vec!["--product", JSW]),
        OperationKind::RemoveFromGroup { .. } => ("eng-platform", vec!["--group", "eng-platform"]),
        OperationKind::Suspend
        | OperationKind::Restore
        | OperationKind::RemoveFromDirectory
        | OperationKind::Deactivate
        | OperationKind::Reactivate => ("", vec![]),
    }
}

#[test]
fn every_action_is_in_the_action_menu() {
    let menu = Menu::actions(1);
    for kind in OperationKind::examples() {
        let listed = menu.items.iter().any(|item| match (&item.choice, &kind) {
            (Choice::Queue(k), _) => k == &kind,
            (Choice::Open(Submenu::RemoveProduct), OperationKind::RemoveProductAccess { .. })
            | (Choice::Open(Submenu::RemoveGroup), OperationKind::RemoveFromGroup { .. }) => true,
            _ => false,
        });
        assert!(listed, "{} has no entry in the action menu", kind.name());
    }
    // One entry per kind: nothing in the menu that the catalogue does not know.
    assert_eq!(menu.items.len(), OperationKind::examples().len());
}

#[test]
fn every_action_has_a_colon_command() {
    for kind in OperationKind::examples() {
        let mut s = state(SIZE, true);
        let (param, _) = parameter(&kind);
        press(
            &mut s,
            &format!(":{} {param}\n", kind.name()).replace(" \n", "\n"),
        );
        let queued: Vec<_> = s
            .queue
            .ops
            .operations()
            .iter()
            .map(|o| o.kind.clone())
            .collect();
        assert!(
            queued
                .iter()
                .any(|k| discriminant(k) == discriminant(&kind)),
            ":{} queued {queued:?} (flash: {:?})",
            kind.name(),
            s.flash
        );
    }
}

#[test]
fn every_action_is_a_plan_action_on_the_command_line() {
    let dir = console::directory();
    for kind in OperationKind::examples() {
        let (_, flags) = parameter(&kind);
        let mut argv = vec![
            "seats",
            "plan",
            "--filter",
            "idle:30",
            "--action",
            kind.name(),
        ];
        argv.extend(flags);
        let cli = parse_from(argv).unwrap_or_else(|e| panic!("{}: {e}", kind.name()));
        let Some(Command::Plan(args)) = cli.command else {
            panic!("{}: not a plan command", kind.name());
        };
        let planned = operation_for(&args, &dir).unwrap_or_else(|e| panic!("{}: {e}", kind.name()));
        assert_eq!(
            discriminant(&planned),
            discriminant(&kind),
            "{}",
            kind.name()
        );
    }
}

#[test]
fn a_name_is_no_action_unless_the_catalogue_has_it() {
    use seats::tui::commands::find;
    assert_eq!(
        find("suspend").map(|c| &c.verb),
        Some(&seats::tui::commands::Verb::Queue(OperationKind::Suspend))
    );
    assert!(find("suspended").is_none());
    let mut s = state(SIZE, true);
    press(&mut s, ":suspended\n");
    assert!(s.queue.ops.is_empty());
    // Actions that name a product or group are not taken without it.
    press(&mut s, "j:remove-group\n");
    assert!(s.queue.ops.is_empty());
}

/// Facets: every token the parser knows (`filter::facet_tokens`) can be written from the facet
/// menu, is listed in help's query section, and what the menu writes parses.
#[test]
fn every_facet_is_in_the_facet_menu_and_in_help_and_parses() {
    let mut written = Vec::new();
    for item in &Menu::facets().items {
        if item.choice == Choice::ToggleNegate {
            continue;
        }
        let mut s = state(SIZE, true);
        press(&mut s, "f");
        choose(&mut s, &item.label);
        if matches!(s.overlay, Some(Overlay::Menu(_))) {
            // A submenu: its first value.
            press(&mut s, "\n");
        }
        written.push(s.users.query.clone());
    }
    let help = seats::filter::facet_help();
    for facet in seats::filter::facet_tokens() {
        let name = facet.token;
        let Some(query) = written.iter().find(|q| q.starts_with(name)) else {
            panic!("{name} cannot be written from the facet menu: {written:?}");
        };
        assert!(
            seats::filter::parse(query).is_ok(),
            "the menu writes {query:?}, which does not parse"
        );
        assert!(
            help.iter().any(|(token, _)| token.starts_with(name)),
            "{name} is not in help's query section"
        );
    }
}

/// Seat holding: the console's Activity query (`SEAT_HOLDERS`) picks exactly the users
/// `User::holds_seats` counts, so the bars and the plan's effect count the same people.
#[test]
fn the_seat_holders_query_is_who_holds_seats() {
    let dir = console::directory();
    let mut picked = seats::filter::select(
        &dir,
        seats::tui::update::SEAT_HOLDERS,
        &seats::filter::Sort::default(),
    )
    .expect("the query parses");
    picked.sort_unstable();
    let holders: Vec<u32> = (0..dir.users.len() as u32)
        .filter(|&i| dir.users[i as usize].holds_seats())
        .collect();
    assert!(!holders.is_empty() && holders.len() < dir.users.len());
    assert_eq!(picked, holders);
}

/// The `:` command catalogue (`tui::commands`) holds one command per action kind, under the
/// kind's catalogue name, and the `:` line's popup offers every command of it.
#[test]
fn every_action_is_a_command_of_the_command_catalogue_and_the_popup_lists_them() {
    use seats::tui::commands::{Verb, catalogue, find};
    for kind in OperationKind::examples() {
        let spec = find(kind.name()).unwrap_or_else(|| panic!("no :{} command", kind.name()));
        assert!(
            matches!(&spec.verb, Verb::Queue(k) if discriminant(k) == discriminant(&kind)),
            ":{} does not queue {kind:?}",
            kind.name()
        );
        // An action with a parameter asks for it by its argument.
        assert_eq!(
            spec.args.len(),
            usize::from(kind.has_parameter()),
            "{}",
            kind.name()
        );
    }
    let mut s = state(SIZE, true);
    press(&mut s, ":");
    let offered: Vec<String> = s
        .input
        .as_ref()
        .map(|i| {
            i.complete
                .suggestions
                .items
                .iter()
                .map(|x| x.insert.clone())
                .collect()
        })
        .unwrap_or_default();
    let all: Vec<String> = catalogue().iter().map(|c| c.name.to_owned()).collect();
    assert_eq!(offered, all);
}
