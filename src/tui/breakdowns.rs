//! Which breakdown the view on screen needs and which one it shows: read by the reducer
//! (what to ask for, what is stale) and by drawing (what to show), from `AppState`.

use super::breakdown::{Breakdown, BreakdownKey, Within};
use super::state::{AppState, PRESETS, View};
use crate::domain::Bucket;

/// The Activity view's `choice` (its buckets, then its presets) as the users it means.
pub fn within(choice: usize) -> Within {
    match Bucket::ALL.get(choice) {
        Some(b) => Within::Bucket(*b),
        None => {
            let preset = PRESETS[choice
                .saturating_sub(Bucket::ALL.len())
                .min(PRESETS.len() - 1)];
            match preset.days {
                Some(days) => Within::AtLeast(days),
                // The never-active preset is the never bucket's holders.
                None => Within::Bucket(Bucket::Never),
            }
        }
    }
}

/// The breakdown the view on screen needs now, if any: the Groups view's of the Users rows,
/// the Activity view's of the product and bucket chosen.
pub fn wanted(state: &AppState) -> Option<BreakdownKey> {
    match state.view {
        View::Groups => wanted_rows(state),
        View::Activity => activity_key(state),
        _ => None,
    }
}

/// The key of the breakdown of the Users rows of the newest query, whatever the view.
pub fn wanted_rows(state: &AppState) -> Option<BreakdownKey> {
    state.data.as_ref().map(|_| BreakdownKey::Rows {
        data: state.breakdowns.data,
        rows: state.users.requested,
    })
}

/// The key of the Activity view's breakdown for the product and choice on screen.
pub fn activity_key(state: &AppState) -> Option<BreakdownKey> {
    let d = state.data.as_ref()?;
    let a = d.derived.activity.get(state.activity.product)?;
    Some(BreakdownKey::Activity {
        data: state.breakdowns.data,
        product: a.product.clone(),
        choice: state.activity.choice,
    })
}

/// Whether a breakdown for `key` still answers what is on screen (else it is stale).
pub fn is_current(state: &AppState, key: &BreakdownKey) -> bool {
    let now = match key {
        BreakdownKey::Rows { .. } => wanted_rows(state),
        BreakdownKey::Activity { .. } => activity_key(state),
    };
    now.as_ref() == Some(key)
}

/// The breakdown shown for `key`, if it has landed.
pub fn landed<'a>(state: &'a AppState, key: &BreakdownKey) -> Option<&'a Breakdown> {
    let slot = match key {
        BreakdownKey::Rows { .. } => &state.breakdowns.groups,
        BreakdownKey::Activity { .. } => &state.breakdowns.activity,
    };
    slot.shown.as_deref().filter(|b| &b.key == key)
}

/// The Groups view's breakdown when it answers the rows on screen now.
pub fn for_groups(state: &AppState) -> Option<&Breakdown> {
    landed(state, &wanted_rows(state)?)
}

/// The name of the group on line `i` of the Groups view: in the breakdown's order once it
/// answers the rows on screen, else by name (the order drawn while it is counted).
pub fn group_name_at(state: &AppState, i: usize) -> Option<String> {
    if let Some(b) = for_groups(state) {
        return b.groups.get(i).map(|g| g.name.clone());
    }
    let data = state.data.as_ref()?;
    let &gi = data.derived.groups_by_name.get(i)?;
    data.dir.groups.get(gi).map(|g| g.name.clone())
}

/// The Activity view's breakdown for the product and choice on screen now.
pub fn for_activity(state: &AppState) -> Option<&Breakdown> {
    landed(state, &activity_key(state)?)
}

/// While only part of the directory is in (a fetch's first pages: no groups, so no group
/// grants), what the breakdowns cannot say yet, in the field's words; None once complete.
/// Until then nobody can be counted as holding a product "only by a direct grant".
pub fn still_loading(state: &AppState) -> Option<String> {
    let d = state.data.as_ref()?;
    if d.origin != super::loaded::Origin::Partial {
        return None;
    }
    let users = match &state.fetch {
        super::state::Fetch::Running {
            fetched,
            total: Some(total),
            ..
        } => format!(
            "{} of {} users",
            super::format::thousands(*fetched),
            super::format::thousands(*total)
        ),
        super::state::Fetch::Running { fetched, .. } => {
            format!("{} users so far", super::format::thousands(*fetched))
        }
        _ => format!(
            "{} users so far",
            super::format::thousands(d.dir.users.len())
        ),
    };
    Some(format!(
        "the directory is still loading: {users}; group grants not read yet"
    ))
}
