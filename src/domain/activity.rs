//! Inactivity per product, in the buckets an admin reviews: 0-30, 30-60, 60-90, 90-180,
//! 180+ days, and never. Counted once per snapshot, off the UI thread.

use super::{Directory, Inactivity};

/// The histogram's buckets, in display order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bucket {
    Under30,
    Under60,
    Under90,
    Under180,
    Over180,
    Never,
}

impl Bucket {
    pub const ALL: [Bucket; 6] = [
        Bucket::Under30,
        Bucket::Under60,
        Bucket::Under90,
        Bucket::Under180,
        Bucket::Over180,
        Bucket::Never,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Bucket::Under30 => "0-30",
            Bucket::Under60 => "30-60",
            Bucket::Under90 => "60-90",
            Bucket::Under180 => "90-180",
            Bucket::Over180 => "180+",
            Bucket::Never => "never",
        }
    }

    pub fn of(inactivity: Inactivity) -> Bucket {
        match inactivity {
            Inactivity::Never => Bucket::Never,
            Inactivity::Days(d) if d < 30 => Bucket::Under30,
            Inactivity::Days(d) if d < 60 => Bucket::Under60,
            Inactivity::Days(d) if d < 90 => Bucket::Under90,
            Inactivity::Days(d) if d < 180 => Bucket::Under180,
            Inactivity::Days(_) => Bucket::Over180,
        }
    }

    /// The query that shows this bucket's holders of `product` in the Users view.
    pub fn query(self, product: &str) -> String {
        let p = format!("product:{product}");
        match self {
            Bucket::Under30 => format!("{p} !idle:30"),
            Bucket::Under60 => format!("{p} idle:30 !idle:60"),
            Bucket::Under90 => format!("{p} idle:60 !idle:90"),
            Bucket::Under180 => format!("{p} idle:90 !idle:180"),
            Bucket::Over180 => format!("{p} idle:180 !never"),
            Bucket::Never => format!("{p} never"),
        }
    }
}

/// One product's seat holders by inactivity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductActivity {
    pub product: String,
    /// Holders counting against the licence: Atlassian accounts, active or invited.
    pub holders: u64,
    /// Counts in [`Bucket::ALL`] order.
    pub buckets: [u64; 6],
}

impl ProductActivity {
    /// Holders inactive for at least 30, 60, 90 or 180 days (never-active ones included),
    /// from the buckets: the Activity view's presets.
    pub fn idle_at_least(&self, days: u32) -> Option<u64> {
        let from = match days {
            30 => 1,
            60 => 2,
            90 => 3,
            180 => 4,
            _ => return None,
        };
        Some(self.buckets[from..].iter().sum())
    }
}

/// Every product's histogram, as of when the snapshot was fetched.
pub fn activity(dir: &Directory) -> Vec<ProductActivity> {
    let keys = dir.product_keys();
    let mut out: Vec<ProductActivity> = keys
        .iter()
        .map(|k| ProductActivity {
            product: k.clone(),
            holders: 0,
            buckets: [0; 6],
        })
        .collect();
    for user in dir.users.iter().filter(|u| u.holds_seats()) {
        for access in &user.product_access {
            if let Ok(i) = keys.binary_search_by(|k| k.as_str().cmp(access.product.as_str())) {
                let b = Bucket::of(access.inactivity(dir.fetched_at));
                out[i].holders += 1;
                if let Some(ix) = Bucket::ALL.iter().position(|x| *x == b) {
                    out[i].buckets[ix] += 1;
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_edges() {
        let cases = [
            (Inactivity::Days(0), Bucket::Under30),
            (Inactivity::Days(29), Bucket::Under30),
            (Inactivity::Days(30), Bucket::Under60),
            (Inactivity::Days(89), Bucket::Under90),
            (Inactivity::Days(90), Bucket::Under180),
            (Inactivity::Days(179), Bucket::Under180),
            (Inactivity::Days(180), Bucket::Over180),
            (Inactivity::Never, Bucket::Never),
        ];
        for (i, b) in cases {
            assert_eq!(Bucket::of(i), b, "{i:?}");
        }
    }
}
