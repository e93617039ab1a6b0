//! Names from the API as long as they like (a product key, a group name of 65,530
//! characters) do not overflow the console's width arithmetic.

#[path = "support/console.rs"]
mod console;
use console::screen;

use std::sync::Arc;

use console::{choose, press, state};
use seats::domain::{Group, ProductAccess};
use seats::tui::action::Action;
use seats::tui::loaded::{Loaded, Origin};
use seats::tui::state::AppState;
use seats::tui::update::update;

/// Just under u16::MAX: with the other columns or the popup's frame added, a u16 sum
/// overflows.
const LONG: usize = 65_530;

fn with_long_names(size: (u16, u16)) -> AppState {
    let mut dir = console::directory();
    let product = "p".repeat(LONG);
    if let Some(u) = dir.users.first_mut() {
        u.product_access.push(ProductAccess {
            product: product.as_str().into(),
            last_active: None,
            resource: None,
        });
    }
    dir.groups.push(Group {
        id: "g-long".into(),
        name: "g".repeat(LONG),
        synced: false,
        grants: vec![],
        member_count: Some(1),
    });
    let mut s = state(size, true);
    let loaded = Loaded::new(Arc::new(dir), Origin::Snapshot, &s.config);
    let effects = update(
        &mut s,
        Action::SnapshotLoaded {
            loaded: Some(loaded),
            notice: None,
        },
    );
    console::answer(&mut s, effects);
    s
}

#[test]
fn very_long_names_from_the_api_draw_at_60_columns() {
    let mut s = with_long_names((60, 20));
    // The Activity view's product table sizes its columns by the longest name.
    press(&mut s, "3");
    let activity = screen(&s);
    assert!(activity.contains("ppp"), "{activity}");
    // The facet menu's group list sizes its box by the longest group.
    press(&mut s, "1f");
    choose(&mut s, "group…");
    let menu = screen(&s);
    assert!(menu.contains("ggg"), "{menu}");
}
