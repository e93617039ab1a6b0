//! What every handler and layer reads: the org state under a lock, the credentials, the rate
//! limiter, the fault settings and the recorder.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{Mutex, RwLock, RwLockReadGuard, RwLockWriteGuard};

use chrono::{DateTime, Utc};
use rand::SeedableRng;
use rand::rngs::StdRng;

use super::SandboxConfig;
use super::clock::VirtualClock;
use super::generator::{self, GeneratorInput};
use super::limits::Limiter;
use super::outbox::Mailroom;
use super::record::RecordedExchange;
use super::state::OrgState;

pub struct Shared {
    state: RwLock<OrgState>,
    /// Credentials and settings the sandbox was started with.
    pub cfg: SandboxConfig,
    /// `http://127.0.0.1:PORT`, for the full URLs some responses carry.
    pub base_url: String,
    pub limiter: Limiter,
    fail_rate_bits: AtomicU64,
    /// Decides which requests fail; seeded so a failing test can be rerun.
    pub fault_rng: Mutex<StdRng>,
    recorded: Mutex<Vec<RecordedExchange>>,
    /// Writes still to be applied with their answer lost (see [`Shared::lose_write_answers`]).
    lost_answers: AtomicU32,
    /// Whether an outage follows a lost answer.
    outage_after_loss: AtomicBool,
    /// Every request fails with a 500 while set.
    outage: AtomicBool,
    /// What the sandbox dates things with (see [`Shared::now`]).
    pub clock: VirtualClock,
    /// Notices, comments, webhook calls and the outgoing-mail switch.
    mailroom: Mutex<Mailroom>,
}

impl Shared {
    /// Generates the org for `cfg` and points its site URL at `addr`.
    pub fn new(cfg: SandboxConfig, addr: SocketAddr) -> Shared {
        let base_url = format!("http://{addr}");
        let start = cfg.clock_start.unwrap_or_else(Utc::now);
        let mut state = generator::generate(&GeneratorInput {
            users: cfg.users,
            seed: cfg.seed,
            org_id: &cfg.org_id,
            admin_email: &cfg.site_email,
            now: start,
        });
        state.site_url = base_url.clone();
        Shared {
            state: RwLock::new(state),
            limiter: Limiter::new(cfg.rate_limit_per_minute),
            fail_rate_bits: AtomicU64::new(cfg.fail_rate.to_bits()),
            fault_rng: Mutex::new(StdRng::seed_from_u64(cfg.seed ^ 0x5eed_fa17)),
            recorded: Mutex::new(Vec::new()),
            lost_answers: AtomicU32::new(0),
            outage_after_loss: AtomicBool::new(false),
            outage: AtomicBool::new(false),
            clock: VirtualClock::new(start),
            mailroom: Mutex::new(Mailroom::default()),
            base_url,
            cfg,
        }
    }

    /// Reads the state. A panic in another handler does not make the state unreadable.
    pub fn read(&self) -> RwLockReadGuard<'_, OrgState> {
        self.state
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn write(&self) -> RwLockWriteGuard<'_, OrgState> {
        self.state
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The sandbox's current (virtual) time: handlers date everything with it.
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Notices, comments and webhook calls, under a lock of their own.
    pub fn mailroom(&self) -> std::sync::MutexGuard<'_, Mailroom> {
        self.mailroom.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn fail_rate(&self) -> f64 {
        f64::from_bits(self.fail_rate_bits.load(Ordering::Relaxed))
    }

    pub fn set_fail_rate(&self, f: f64) {
        self.fail_rate_bits
            .store(f.clamp(0.0, 1.0).to_bits(), Ordering::Relaxed);
    }

    /// The next `n` writes are applied but answered with a 502, as when a gateway loses the
    /// answer; with `then_outage`, every request after such a loss fails (see
    /// [`Shared::set_outage`]), so the read that should settle the write fails too.
    pub fn lose_write_answers(&self, n: u32, then_outage: bool) {
        self.outage_after_loss.store(then_outage, Ordering::SeqCst);
        self.lost_answers.store(n, Ordering::SeqCst);
    }

    /// Takes one lost answer, if any are left.
    pub(crate) fn take_lost_answer(&self) -> bool {
        let took = self
            .lost_answers
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok();
        if took && self.outage_after_loss.load(Ordering::SeqCst) {
            self.set_outage(true);
        }
        took
    }

    /// While set, every request is answered with a 500 before it is handled.
    pub fn set_outage(&self, on: bool) {
        self.outage.store(on, Ordering::SeqCst);
    }

    pub fn in_outage(&self) -> bool {
        self.outage.load(Ordering::SeqCst)
    }

    pub fn record(&self, exchange: RecordedExchange) {
        self.recorded
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(exchange);
    }

    pub fn recorded(&self) -> Vec<RecordedExchange> {
        self.recorded
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Account id of the org admin who owns the API key: the actor of admin API writes.
    pub fn admin_actor(&self) -> String {
        self.read()
            .users
            .first()
            .map(|u| u.account_id.clone())
            .unwrap_or_default()
    }
}
