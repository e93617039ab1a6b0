//! Generating a 100,000-user org, and starting a sandbox on it (generate, bind, ready).
//! The RSS and time to the listening line of the real binary are measured by hand; see the
//! numbers in the sandbox notes.

use chrono::Utc;
use criterion::{Criterion, criterion_group, criterion_main};
use seats::sandbox::generator::{self, GeneratorInput};
use seats::sandbox::{self, SandboxConfig};

fn generate_100k(c: &mut Criterion) {
    let mut group = c.benchmark_group("sandbox");
    group.sample_size(10);
    group.bench_function("generate 100k users", |b| {
        b.iter(|| {
            generator::generate(&GeneratorInput {
                users: 100_000,
                seed: 7,
                org_id: sandbox::DEFAULT_ORG_ID,
                admin_email: sandbox::DEFAULT_SITE_EMAIL,
                now: Utc::now(),
            })
        })
    });
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => panic!("no tokio runtime: {e}"),
    };
    group.bench_function("start and stop a 100k-user sandbox", |b| {
        b.to_async(&runtime).iter(|| async {
            let started = sandbox::start(SandboxConfig {
                users: 100_000,
                ..SandboxConfig::default()
            })
            .await;
            match started {
                Ok(s) => s.shutdown().await,
                Err(e) => panic!("sandbox did not start: {e:#}"),
            }
        })
    });
    group.finish();
}

criterion_group!(benches, generate_100k);
criterion_main!(benches);
