//! One product table and one alias table: the query language, `seats plan --product`, every
//! `--product` flag and the console's `:remove-product` resolve `jsw`, `jsm`,
//! `jira-servicemanagement` and display names the same way, to the spelling the org's data
//! carries; keys of the spec are known with names; a key only the data carries is accepted.

#[path = "support/console.rs"]
mod console;

use chrono::{TimeZone, Utc};
use clap::CommandFactory;
use seats::commands::plan::operation_for;
use seats::domain::{
    AccountType, Directory, ProductAccess, User, UserStatus, product_name, resolve_product_key,
};
use seats::filter::{Sort, select};
use seats::plan::OperationKind;

fn user(id: &str, products: &[&str]) -> User {
    User {
        account_id: id.into(),
        name: format!("User {id}"),
        email: Some(format!("{id}@acme.example")),
        account_type: AccountType::Atlassian,
        status: UserStatus::Active,
        groups: vec![],
        product_access: products
            .iter()
            .map(|k| ProductAccess {
                product: (*k).into(),
                last_active: None,
                resource: None,
            })
            .collect(),
        managed: true,
        synced: false,
        org_admin: false,
        site_admin: false,
    }
}

/// An org whose data spells JSM `jira-servicemanagement` and carries a product seats does not
/// know (`rovo`).
fn directory() -> Directory {
    Directory {
        org_id: "o".into(),
        fetched_at: Utc.with_ymd_and_hms(2026, 11, 22, 0, 0, 0).unwrap(),
        users: vec![
            user("a", &["jira-software", "jira-servicemanagement"]),
            user("b", &["jira-software"]),
            user("c", &["loom", "rovo"]),
        ],
        groups: vec![],
        seats: vec![],
    }
}

fn ids(query: &str) -> Vec<u32> {
    select(&directory(), query, &Sort::default()).unwrap_or_else(|e| panic!("{query}: {e}"))
}

#[test]
fn the_query_language_takes_every_alias_to_the_datas_spelling() {
    for q in [
        "product:jsm",
        "product:JSM",
        "product:jira-servicedesk",
        "product:jira-servicemanagement",
        "product:jira-service-management",
        "product:\"Jira Service Management\"",
    ] {
        assert_eq!(ids(q), [0], "{q}");
    }
    for q in ["product:jsw", "product:jira", "product:\"jira software\""] {
        assert_eq!(ids(q), [0, 1], "{q}");
    }
    // A spec key with its name; a key only this org's data carries.
    assert_eq!(ids("product:loom"), [2]);
    assert_eq!(ids("product:rovo"), [2]);
    // A spec key nobody here holds selects nobody; a typo is refused.
    assert!(ids("product:compass").is_empty());
    let err = select(&directory(), "product:confluenc", &Sort::default()).unwrap_err();
    assert!(err.to_string().contains("unknown product"), "{err}");
}

#[test]
fn every_product_flag_takes_the_aliases() {
    let cli = seats::cli::Cli::command();
    let mut checked = 0;
    for sub in cli.get_subcommands() {
        if !sub.get_arguments().any(|a| a.get_id() == "product") {
            continue;
        }
        let mut line = vec!["seats".to_owned(), sub.get_name().to_owned()];
        match sub.get_name() {
            "export" => line.push("users".into()),
            "plan" => line.extend(["--action".into(), "remove-product-access".into()]),
            _ => {}
        }
        for (typed, key) in [
            ("jsm", "jira-servicedesk"),
            ("jira-servicemanagement", "jira-servicedesk"),
            ("JSW", "jira-software"),
            ("jpd", "jira-product-discovery"),
            ("atlas", "townsquare"),
            ("loom", "loom"),
        ] {
            let args = [line.clone(), vec!["--product".into(), typed.into()]].concat();
            let parsed = seats::cli::parse_from(args.clone()).unwrap_or_else(|e| panic!("{e}"));
            let product = match parsed.command {
                Some(seats::cli::Command::Export(a)) => a.product,
                Some(seats::cli::Command::Plan(a)) => a.product,
                other => panic!("a --product on {other:?}: add it here"),
            };
            assert_eq!(product.as_deref(), Some(key), "{args:?}");
        }
        checked += 1;
    }
    assert!(checked >= 2, "{checked}");
}

#[test]
fn plan_removes_the_product_as_the_data_spells_it() {
    let args = match seats::cli::parse_from([
        "seats",
        "plan",
        "--action",
        "remove-product-access",
        "--product",
        "jsm",
    ]) {
        Ok(seats::cli::Cli {
            command: Some(seats::cli::Command::Plan(a)),
            ..
        }) => a,
        other => panic!("{other:?}"),
    };
    let kind = operation_for(&args, &directory()).unwrap();
    assert_eq!(
        kind,
        OperationKind::RemoveProductAccess {
            product: "jira-servicemanagement".into()
        }
    );
}

#[test]
fn the_spec_keys_have_names_and_unknown_keys_keep_theirs() {
    assert_eq!(product_name("loom"), "Loom");
    assert_eq!(product_name("compass"), "Compass");
    assert_eq!(
        product_name("jira-servicemanagement"),
        "Jira Service Management"
    );
    assert_eq!(product_name("rovo"), "rovo");
    assert_eq!(
        resolve_product_key("rovo", ["rovo"]).as_deref(),
        Some("rovo")
    );
    assert_eq!(resolve_product_key("rovo", []), None);
}

#[test]
fn remove_product_in_command_mode_takes_the_aliases() {
    // The fixture org holds confluence and jira-software.
    for (typed, key) in [
        ("jsw", "jira-software"),
        ("\"Jira Software\"", "jira-software"),
        ("CONFLUENCE", "confluence"),
    ] {
        let mut s = console::state((80, 24), true);
        console::press(
            &mut s,
            &format!("j:remove-product {}\n", typed.trim_matches('"')),
        );
        let ops = s.queue.ops.operations();
        assert_eq!(ops.len(), 1, "{typed}");
        assert_eq!(
            ops[0].kind,
            OperationKind::RemoveProductAccess {
                product: key.into()
            },
            "{typed}"
        );
    }
    // A product this org's data does not carry is refused with the ones it does.
    let mut s = console::state((80, 24), true);
    console::press(&mut s, "j:remove-product loom\n");
    assert!(s.queue.ops.operations().is_empty());
    assert!(
        s.flash
            .as_ref()
            .is_some_and(|f| f.text.contains("confluence, jira-software"))
    );
}
