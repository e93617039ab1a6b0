//! Reads every user of the directory: in parallel streams that cannot overlap where the API
//! allows it, page by page where it does not. Pages go out to the console as they arrive, each
//! user once.
//!
//! The parallel plan. The default search lists the users in the org's directories, and every
//! such user's `membershipStatus` is `active` or `suspended` (`no_membership` means in none of
//! them), so those two filters split the default search into two parts that neither overlap nor
//! leave anyone out. (`status` does not split it as cleanly: `for_deletion` is a flag on top of
//! the others, closed accounts have no status of their own, and `not_invited` reaches accounts
//! outside every directory, which the default search does not list.) A big part is split again
//! by `claimStatus` (`managed` or `unmanaged`, one of the two for every account), and its
//! managed share by `mfaEnabled` (which the spec defines for managed accounts only, so
//! unmanaged ones are never split by it). A split is kept only when the server's counts of its
//! two halves add up to its count of the whole: a server that ignores or refuses a filter
//! leaves that part whole, and the log says so. (`emailDomains` would need the list of every
//! domain in use, which no operation gives, so it splits nothing.)
//!
//! Each part bigger than a page is read by two streams, ascending and descending by nickname,
//! that stop when they meet (see `meeting`); a smaller part by one. The server's count of each
//! part guards the meeting and gives the progress bar its total. The client's per-family limit
//! bounds the requests in flight however many streams there are, and paces them to the rate
//! limit headers.
//!
//! If the API refuses the count, the filter or the sort, the plain page-by-page search runs
//! instead, and says so in the log.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use foldhash::{HashSet, HashSetExt};

use futures::TryStreamExt;
use tokio::sync::mpsc::UnboundedSender;
use tokio::sync::watch;

use super::meeting::{Meeting, Side};
use super::wire::{Fetched, UsersPage};
use super::{FetchEvent, UserPaging, emit};
use crate::atlassian::error::ApiError;
use crate::atlassian::model::{SortBy, SortDirection, UserSearchRequest};
use crate::atlassian::org::{MAX_LIMIT, OrgApi};
use crate::atlassian::paging::CursorPage;
use crate::domain::User;

/// The `membershipStatus` values of the users the default search lists.
const PARTS: [&str; 2] = ["active", "suspended"];

/// Requests the client keeps in flight to the admin API by default (`ClientOptions`).
const IN_FLIGHT: u64 = 4;

/// One part of the directory: filters the search and the count both take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Part {
    membership: &'static str,
    claim: Option<&'static str>,
    /// Only ever set on managed parts.
    mfa: Option<bool>,
}

impl Part {
    fn whole(membership: &'static str) -> Part {
        Part {
            membership,
            claim: None,
            mfa: None,
        }
    }

    fn filter(&self) -> UserSearchRequest {
        UserSearchRequest {
            membership_status: vec![self.membership.to_owned()],
            claim_status: self.claim.map(str::to_owned),
            mfa_enabled: self.mfa,
            ..UserSearchRequest::default()
        }
    }

    /// The two parts this one splits into, if a filter splits it exactly: every account is
    /// managed or unmanaged; every managed account has two-step verification on or off.
    fn halves(&self) -> Option<[Part; 2]> {
        match (self.claim, self.mfa) {
            (None, _) => {
                Some([Some("managed"), Some("unmanaged")].map(|claim| Part { claim, ..*self }))
            }
            (Some("managed"), None) => {
                Some([Some(true), Some(false)].map(|mfa| Part { mfa, ..*self }))
            }
            _ => None,
        }
    }
}

impl std::fmt::Display for Part {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "membershipStatus={}", self.membership)?;
        if let Some(c) = self.claim {
            write!(f, " claimStatus={c}")?;
        }
        if let Some(m) = self.mfa {
            write!(f, " mfaEnabled={m}")?;
        }
        Ok(())
    }
}

/// How often the progress count goes out while pages arrive: a page every millisecond or two
/// at 100,000 users would otherwise ask the console for a frame each time.
const PROGRESS_EVERY: Duration = Duration::from_millis(40);

/// Who was sent, and the count last told.
#[derive(Default)]
struct Sent {
    ids: HashSet<String>,
    told: usize,
    at: Option<Instant>,
}

/// Where pages and progress go, and who was already sent (each user goes out once, even if a
/// refused plan is replaced by the plain search halfway).
pub(super) struct Output<'a> {
    progress: &'a Option<UnboundedSender<FetchEvent>>,
    pages: &'a Option<UnboundedSender<Vec<User>>>,
    sent: Mutex<Sent>,
}

impl<'a> Output<'a> {
    pub(super) fn new(
        progress: &'a Option<UnboundedSender<FetchEvent>>,
        pages: &'a Option<UnboundedSender<Vec<User>>>,
    ) -> Output<'a> {
        Output {
            progress,
            pages,
            sent: Mutex::new(Sent::default()),
        }
    }

    fn sent(&self) -> std::sync::MutexGuard<'_, Sent> {
        self.sent.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Room for `n` users, so the set is not grown page by page.
    fn expect(&self, n: usize) {
        let mut sent = self.sent();
        let have = sent.ids.len();
        sent.ids.reserve(n.saturating_sub(have));
    }

    fn show(&self, users: &[User]) {
        // Copies only for a receiver still listening: the console stops once it has a
        // first screenful and more (`PARTIAL_USERS`), and a copy of every user is wasted.
        let pages = self.pages.as_ref().filter(|tx| !tx.is_closed());
        let (fresh, tell) = {
            let mut sent = self.sent();
            let mut fresh: Vec<User> = Vec::new();
            for u in users {
                if sent.ids.insert(u.account_id.clone()) && pages.is_some() {
                    fresh.push(u.clone());
                }
            }
            let due = sent.at.is_none_or(|at| at.elapsed() >= PROGRESS_EVERY);
            let fetched = sent.ids.len();
            let tell = (due && fetched != sent.told).then(|| {
                sent.told = fetched;
                sent.at = Some(Instant::now());
                fetched
            });
            (fresh, tell)
        };
        if let Some(tx) = pages
            && !fresh.is_empty()
        {
            // A closed receiver only means nobody is watching.
            let _ = tx.send(fresh);
        }
        if let Some(fetched) = tell {
            emit(self.progress, FetchEvent::Users { fetched });
        }
    }

    /// The last count, if the pacing held it back.
    fn finish(&self) {
        let fetched = {
            let mut sent = self.sent();
            let fetched = sent.ids.len();
            if fetched == sent.told {
                return;
            }
            sent.told = fetched;
            fetched
        };
        emit(self.progress, FetchEvent::Users { fetched });
    }
}

/// The users one plan has read, each once.
#[derive(Default)]
struct Found {
    users: Mutex<(HashSet<String>, Vec<User>)>,
}

impl Found {
    /// Room for `n` users (the server's count; more still fit).
    fn with_capacity(n: usize) -> Found {
        Found {
            users: Mutex::new((HashSet::with_capacity(n), Vec::with_capacity(n))),
        }
    }

    /// Keeps the users not seen yet and shows them.
    fn take(&self, page: Vec<User>, out: &Output<'_>) {
        let mut guard = self.users.lock().unwrap_or_else(|p| p.into_inner());
        let (ids, users) = &mut *guard;
        let before = users.len();
        // Moved in, not copied; shown from where they now live.
        users.extend(
            page.into_iter()
                .filter(|u| ids.insert(u.account_id.clone())),
        );
        out.show(&users[before..]);
    }

    fn into_users(self) -> Vec<User> {
        self.users.into_inner().unwrap_or_else(|p| p.into_inner()).1
    }
}

/// Pages of the users search as the field's users.
fn search(
    org: &OrgApi,
    request: UserSearchRequest,
) -> impl futures::Stream<Item = Result<Vec<Fetched>, ApiError>> + '_ {
    org.search_users_into("-", request, |p: UsersPage| CursorPage {
        items: p.users,
        next: p.next,
    })
}

fn users(page: Vec<Fetched>) -> Vec<User> {
    page.into_iter().map(|f| f.user).collect()
}

fn request(page_size: u32) -> UserSearchRequest {
    UserSearchRequest {
        expand: vec![
            "productAccess".into(),
            "groups".into(),
            "platformRoles".into(),
        ],
        limit: Some(page_size),
        ..UserSearchRequest::default()
    }
}

/// Every user in every directory the key manages, `page_size` (at most 100) a request, with
/// productAccess, groups and platform roles; sorted by lower-cased name, then email, then
/// account id.
pub(super) async fn fetch_users(
    org: &OrgApi,
    page_size: u32,
    paging: UserPaging,
    out: &Output<'_>,
) -> Result<Vec<User>, ApiError> {
    let page_size = page_size.clamp(1, MAX_LIMIT);
    let mut users = match paging {
        UserPaging::Sequential => sequential(org, page_size, out).await?,
        UserPaging::Parallel => match parallel(org, page_size, out).await {
            Ok(users) => users,
            Err(e) if refused(&e) => {
                tracing::warn!(
                    error = %e,
                    "the API refused a filtered or sorted user search; reading users page by page"
                );
                sequential(org, page_size, out).await?
            }
            Err(e) => return Err(e),
        },
    };
    out.finish();
    // The search index's name order (lower-cased name, then email): the console then counts
    // a new directory's users before its index is built (`filter::Engine`).
    users.sort_by_cached_key(|u| {
        (
            u.name.to_lowercase(),
            u.email.as_deref().map(str::to_lowercase),
            u.account_id.clone(),
        )
    });
    Ok(users)
}

/// A refusal of what the parallel plan asks (a filter, a sort, the count), not a failure
/// the plain search would escape.
fn refused(e: &ApiError) -> bool {
    matches!(
        e,
        ApiError::BadRequest { .. } | ApiError::NotFound { .. } | ApiError::Forbidden { .. }
    )
}

/// The plain search: one cursor stream, page by page.
async fn sequential(org: &OrgApi, page_size: u32, out: &Output<'_>) -> Result<Vec<User>, ApiError> {
    let found = Found::default();
    let mut pages = std::pin::pin!(search(org, request(page_size)));
    while let Some(page) = pages.try_next().await? {
        found.take(users(page), out);
    }
    Ok(found.into_users())
}

/// A part and the server's count of it.
type Counted = (Part, u64);

/// The parts to read and the server's count of each, split as far as is worth it; `None`
/// when the server gives no count.
async fn plan_parts(org: &OrgApi, page_size: u32) -> Result<Option<Vec<Counted>>, ApiError> {
    let counts = futures::future::try_join_all(
        PARTS.map(|m| async move { org.count_matching("-", &Part::whole(m).filter()).await }),
    )
    .await?;
    let mut parts = Vec::with_capacity(8);
    for (part, count) in PARTS.iter().zip(counts) {
        match count {
            Some(n) => parts.push((Part::whole(part), n)),
            None => {
                tracing::warn!(
                    part,
                    "users/count answered without a count; reading users page by page"
                );
                return Ok(None);
            }
        }
    }
    // A pair reads its part in about n / 2 pages' time and the whole fetch cannot take less than
    // total / IN_FLIGHT: a part is split only while its pair would be the slowest, since each
    // split costs two counts and a meeting (and splitting a part of two pages saves nothing).
    // Counts come from the server: saturating, so no value can overflow into a panic.
    let total = parts.iter().fold(0u64, |t, (_, n)| t.saturating_add(*n));
    let worth = |n: u64| {
        n > 2 * u64::from(page_size) && n.saturating_mul(IN_FLIGHT) > total.saturating_mul(2)
    };
    let mut whole: Vec<Counted> = Vec::new();
    while parts.iter().any(|(p, n)| worth(*n) && p.halves().is_some()) {
        let (split, keep): (Vec<Counted>, Vec<Counted>) = parts
            .into_iter()
            .partition(|(p, n)| worth(*n) && p.halves().is_some());
        whole.extend(keep);
        let halves = futures::future::try_join_all(split.into_iter().map(|(part, n)| async move {
            let Some(halves) = part.halves() else {
                return Ok::<_, ApiError>(vec![(part, n)]);
            };
            let counts = futures::future::join_all(
                halves.map(|h| async move { org.count_matching("-", &h.filter()).await }),
            )
            .await;
            match counts.as_slice() {
                [Ok(Some(a)), Ok(Some(b))] if a.checked_add(*b) == Some(n) => {
                    Ok(vec![(halves[0], *a), (halves[1], *b)])
                }
                [Err(e), _] | [_, Err(e)] if !refused(e) => Err(e.clone()),
                other => {
                    tracing::warn!(
                        %part,
                        count = n,
                        halves = ?other,
                        "the counts of a filtered user search do not add up (or the filter was refused); that part is read whole"
                    );
                    // Alone, it goes back whole and is never offered again.
                    Ok(vec![(part, n)])
                }
            }
        }))
        .await?;
        parts = Vec::new();
        for group in halves {
            if let [(part, n)] = group.as_slice() {
                whole.push((*part, *n));
            } else {
                parts.extend(group);
            }
        }
    }
    whole.extend(parts);
    tracing::debug!(
        parts = ?whole.iter().map(|(p, n)| format!("{p}: {n}")).collect::<Vec<_>>(),
        "reading users in parallel"
    );
    Ok(Some(whole))
}

async fn parallel(org: &OrgApi, page_size: u32, out: &Output<'_>) -> Result<Vec<User>, ApiError> {
    let Some(parts) = plan_parts(org, page_size).await? else {
        return sequential(org, page_size, out).await;
    };
    let total = parts.iter().fold(0u64, |t, (_, n)| t.saturating_add(*n));
    emit(
        out.progress,
        FetchEvent::UsersExpected {
            total: usize::try_from(total).unwrap_or(usize::MAX),
        },
    );
    // Counts come from the server: a bounded reservation, whatever it claims.
    let room = usize::try_from(total).unwrap_or(0).min(1 << 20);
    out.expect(room);
    let found = Found::with_capacity(room);
    let reads = parts.iter().map(|(part, n)| {
        let found = &found;
        async move {
            if *n <= u64::from(page_size) {
                // One page is expected: a single stream, read to its end whatever the count.
                single(org, part, page_size, found, out).await
            } else {
                pair(org, part, *n, page_size, found, out).await
            }
        }
    });
    futures::future::try_join_all(reads).await?;
    Ok(found.into_users())
}

fn part_request(part: &Part, page_size: u32, sort: Option<SortDirection>) -> UserSearchRequest {
    UserSearchRequest {
        sort_by: sort.map(SortBy::nickname).into_iter().collect(),
        expand: request(page_size).expand,
        limit: Some(page_size),
        ..part.filter()
    }
}

async fn single(
    org: &OrgApi,
    part: &Part,
    page_size: u32,
    found: &Found,
    out: &Output<'_>,
) -> Result<(), ApiError> {
    let mut pages = std::pin::pin!(search(org, part_request(part, page_size, None)));
    while let Some(page) = pages.try_next().await? {
        found.take(users(page), out);
    }
    Ok(())
}

/// Two streams over one part, from either end of the nickname order, until they meet.
async fn pair(
    org: &OrgApi,
    part: &Part,
    expected: u64,
    page_size: u32,
    found: &Found,
    out: &Output<'_>,
) -> Result<(), ApiError> {
    let meeting = Mutex::new(Meeting::new(Some(expected)));
    // Set when the pair is complete: the other stream drops its request in flight.
    let (done_tx, done_rx) = watch::channel(false);
    let stream = |side: Side| {
        let (meeting, done_tx, mut done_rx) = (&meeting, &done_tx, done_rx.clone());
        async move {
            let direction = match side {
                Side::Asc => SortDirection::Asc,
                Side::Desc => SortDirection::Desc,
            };
            let request = part_request(part, page_size, Some(direction));
            let mut pages = std::pin::pin!(search(org, request));
            loop {
                if !lock(meeting).wants(side) {
                    return Ok(());
                }
                let page = tokio::select! {
                    page = pages.try_next() => page?,
                    _ = done_rx.wait_for(|done| *done) => return Ok(()),
                };
                let complete = {
                    let mut m = lock(meeting);
                    match &page {
                        Some(page) => m.page(
                            side,
                            page.iter()
                                .map(|f| (f.user.account_id.as_str(), f.nickname.as_deref())),
                        ),
                        None => m.ended(side),
                    }
                    m.is_complete()
                };
                if let Some(page) = page {
                    found.take(users(page), out);
                }
                if complete {
                    done_tx.send_replace(true);
                    return Ok(());
                }
            }
        }
    };
    futures::try_join!(stream(Side::Asc), stream(Side::Desc))?;
    let m = lock(&meeting);
    if m.count_disagreed() {
        tracing::warn!(
            %part,
            expected,
            read = m.read(),
            "the nickname order and users/count disagreed; the ascending stream read on to the end"
        );
    }
    Ok(())
}

fn lock(meeting: &Mutex<Meeting>) -> std::sync::MutexGuard<'_, Meeting> {
    meeting.lock().unwrap_or_else(|p| p.into_inner())
}
