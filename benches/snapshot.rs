//! The snapshot store at 100,000 users (3 product accesses and 4 groups each): save, load,
//! the summary read, and opening the file (which runs SQLite's quick_check).
//!
//! The console's target: from the snapshot to the first frame in at most 500 ms at 100,000
//! users, so `load` must stay well under 300 ms. Run: `cargo bench --bench snapshot`.

use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use seats::domain::{
    AccountType, Directory, Group, GroupRef, Product, ProductAccess, Seats, SeatsSource, User,
    UserStatus,
};
use seats::store::{FILE_NAME, Store};

const USERS: usize = 100_000;
const GROUPS: usize = 400;
const PRODUCTS: [&str; 4] = [
    "jira-software",
    "confluence",
    "jira-servicedesk",
    "jira-product-discovery",
];

/// A small xorshift: the same org every run, without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// Ids and names shaped like Atlassian's (UUID-like group ids, `712020:` account ids).
fn directory(users: usize, fetched_at: DateTime<Utc>) -> Directory {
    let mut rng = Rng(0x5eed_5eed);
    let groups: Vec<Group> = (0..GROUPS)
        .map(|g| Group {
            id: format!("{:08x}-7b2d-4e8f-9a6b-{:012x}", rng.next() as u32, g),
            name: format!("team-{g}-{}", ["eng", "sales", "support", "ops"][g % 4]),
            synced: g.is_multiple_of(3),
            grants: vec![PRODUCTS[g % 4].to_owned()],
            member_count: Some(1_000),
        })
        .collect();
    let users = (0..users)
        .map(|i| {
            let picks: Vec<GroupRef> = (0..4)
                .map(|_| {
                    let g = &groups[(rng.next() % GROUPS as u64) as usize];
                    GroupRef {
                        id: g.id.as_str().into(),
                        name: g.name.as_str().into(),
                    }
                })
                .collect();
            let access = (0..3)
                .map(|k| ProductAccess {
                    product: PRODUCTS[(i + k) % 4].into(),
                    last_active: (!rng.next().is_multiple_of(10)).then(|| {
                        fetched_at
                            - chrono::Duration::milliseconds((rng.next() % 40_000_000_000) as i64)
                    }),
                    // One site: the same ARI for every holder of a product.
                    resource: Some(
                        format!(
                            "ari:cloud:{}::site/0c1d2e3f-4a5b-4e8f-9a6b-5f9e3c1a7b2d",
                            PRODUCTS[(i + k) % 4]
                        )
                        .into(),
                    ),
                })
                .collect();
            User {
                account_id: format!(
                    "712020:{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
                    rng.next() as u32,
                    i % 65_536,
                    rng.next() % 4_096,
                    rng.next() % 4_096,
                    rng.next() % 1_000_000_000_000
                ),
                name: format!("Person Number{i}"),
                email: Some(format!("person.number{i}@acme.example")),
                account_type: AccountType::Atlassian,
                status: if i.is_multiple_of(20) {
                    UserStatus::Suspended
                } else {
                    UserStatus::Active
                },
                groups: picks,
                product_access: access,
                managed: true,
                synced: i.is_multiple_of(2),
                org_admin: i < 3,
                site_admin: i < 10,
            }
        })
        .collect();
    let seats = PRODUCTS
        .iter()
        .map(|p| {
            Seats::new(
                Product::new(*p),
                Some(120_000),
                90_000,
                SeatsSource::JiraApplicationRole,
            )
        })
        .collect();
    Directory {
        org_id: "5f9e3c1a-7b2d-4e8f-9a6b-0c1d2e3f4a5b".into(),
        fetched_at,
        users,
        groups,
        seats,
    }
}

fn ok<T, E: std::fmt::Display>(r: Result<T, E>) -> T {
    match r {
        Ok(v) => v,
        Err(e) => panic!("{e}"),
    }
}

fn snapshot(c: &mut Criterion) {
    let fetched_at = Utc
        .with_ymd_and_hms(2026, 11, 22, 12, 0, 0)
        .single()
        .unwrap_or_default();
    let dir = directory(USERS, fetched_at);
    let tmp = ok(tempfile::tempdir());
    let path = tmp.path().join(FILE_NAME);
    let (mut store, _) = ok(Store::open(&path));
    ok(store.save_snapshot("bench", &dir));
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0)
        + std::fs::metadata(tmp.path().join("seats.db-wal"))
            .map(|m| m.len())
            .unwrap_or(0);
    eprintln!(
        "database with a {USERS}-user snapshot: {:.1} MB (file and log)",
        size as f64 / 1e6
    );

    let mut group = c.benchmark_group("snapshot");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(10));
    group.bench_function("save 100k users", |b| {
        b.iter(|| ok(store.save_snapshot("bench", &dir)))
    });
    // Freeing 100,000 users takes longer than building them under some allocators: not part of
    // the load (the console frees the old directory long after the first frame).
    group.bench_function("load 100k users", |b| {
        b.iter_with_large_drop(|| ok(store.load_snapshot("bench")))
    });
    group.bench_function("snapshot_info at 100k users", |b| {
        b.iter(|| ok(store.snapshot_info("bench")))
    });
    drop(store);
    group.bench_function("open with a 100k-user snapshot", |b| {
        b.iter(|| ok(Store::open(&path)).0)
    });
    group.finish();
}

criterion_group!(benches, snapshot);
criterion_main!(benches);
