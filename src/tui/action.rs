//! What happens to the console (`Action`: keys, mouse, results of background work) and what
//! it asks the outside world to do (`Effect`: run in tasks that report back as actions).

use std::sync::Arc;

use chrono::{DateTime, Utc};
use ratatui::crossterm::event::{KeyEvent, MouseEvent};

use super::loaded::Loaded;
use super::marks::RowSet;
use crate::domain::Directory;
use crate::filter::{FilterRequest, FilterResult};

#[derive(Debug)]
pub enum Action {
    Key(KeyEvent),
    Mouse(MouseEvent),
    Resize(u16, u16),
    /// The clock, once a second: data ages and messages expire.
    Tick(DateTime<Utc>),
    /// The local snapshot was read (None: there is none). `notice` says what the store did,
    /// e.g. set a corrupt file aside.
    SnapshotLoaded {
        loaded: Option<Loaded>,
        notice: Option<String>,
    },
    FetchProgress {
        fetched: usize,
        total: Option<usize>,
        groups: Option<(usize, usize)>,
    },
    /// Users so far, while a fetch runs and nothing else is on screen.
    Partial(Loaded),
    Fetched(Result<Loaded, String>),
    SnapshotSaved(Result<(), String>),
    /// A filter pass finished; the set is its rows, built on the worker's thread.
    Filtered(FilterResult, Arc<RowSet>),
}

#[derive(Debug)]
pub enum Effect {
    LoadSnapshot,
    /// Fetch the whole directory in the background, with progress and partial pages.
    Fetch,
    SaveSnapshot(Arc<Directory>),
    Filter(FilterRequest),
}
