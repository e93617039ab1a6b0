//! The Activity view's presets: the holders idle at least 30, 60, 90, 180 days or never
//! active, each one key away (the key is drawn on it).

/// A preset of the Activity view: holders inactive at least `days` (never-active ones
/// included), or never active (`None`), one key away.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Preset {
    pub key: char,
    pub days: Option<u32>,
}

impl Preset {
    /// The query of its holders of `product`, as the Users view filters it.
    pub fn query(self, product: &str) -> String {
        match self.days {
            Some(d) => format!("product:{product} idle:{d}"),
            None => format!("product:{product} never"),
        }
    }
}

/// The Activity view's presets, in the order they are drawn (and `←`/`→` walk them).
pub const PRESETS: [Preset; 5] = [
    Preset {
        key: 'a',
        days: Some(30),
    },
    Preset {
        key: 'b',
        days: Some(60),
    },
    Preset {
        key: 'c',
        days: Some(90),
    },
    Preset {
        key: 'd',
        days: Some(180),
    },
    Preset {
        key: 'e',
        days: None,
    },
];
