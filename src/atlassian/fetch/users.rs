//! Reads every user of the directory: in parallel streams that cannot overlap where the API
//! allows it, page by page where it does not. Pages go out to the console as they arrive, each
//! user once.
//!
//! The parallel plan. The default search lists the users in the org's directories, and every
//! such user's `membershipStatus` is `active` or `suspended` (`no_membership` means in none of
//! them), so those two filters split the default search into two parts that neither overlap nor
//! leave anyone out. (`status` does not split it as cleanly: `for_deletion` is a flag on top of
//! the others, closed accounts have no status of their own, and `not_invited` reaches accounts
//! outside every directory, which the default search does not list.) Each part bigger than a
//! page is read by two streams, ascending and descending by nickname, that stop when they meet
//! (see `meeting`); a smaller part by one. The server's count of each part guards the meeting
//! and gives the progress bar its total.
//!
//! If the API refuses the count, the filter or the sort, the plain page-by-page search runs
//! instead, and says so in the log.

use std::collections::HashSet;
use std::sync::Mutex;

use futures::TryStreamExt;
use tokio::sync::mpsc::UnboundedSender;
use tokio::sync::watch;

use super::meeting::{Meeting, Side};
use super::{FetchEvent, UserPaging, emit, to_user};
use crate::atlassian::error::ApiError;
use crate::atlassian::model::{DirectoryUser, SortBy, SortDirection, UserSearchRequest};
use crate::atlassian::org::{MAX_LIMIT, OrgApi};
use crate::domain::User;

/// The `membershipStatus` values of the users the default search lists.
const PARTS: [&str; 2] = ["active", "suspended"];

/// Where pages and progress go, and who was already sent (each user goes out once, even if a
/// refused plan is replaced by the plain search halfway).
pub(super) struct Output<'a> {
    progress: &'a Option<UnboundedSender<FetchEvent>>,
    pages: &'a Option<UnboundedSender<Vec<User>>>,
    sent: Mutex<HashSet<String>>,
}

impl<'a> Output<'a> {
    pub(super) fn new(
        progress: &'a Option<UnboundedSender<FetchEvent>>,
        pages: &'a Option<UnboundedSender<Vec<User>>>,
    ) -> Output<'a> {
        Output {
            progress,
            pages,
            sent: Mutex::new(HashSet::new()),
        }
    }

    fn show(&self, users: &[User]) {
        let (fresh, fetched) = {
            let mut sent = self.sent.lock().unwrap_or_else(|p| p.into_inner());
            let fresh: Vec<User> = users
                .iter()
                .filter(|u| sent.insert(u.account_id.clone()))
                .cloned()
                .collect();
            (fresh, sent.len())
        };
        if let Some(tx) = self.pages
            && !fresh.is_empty()
        {
            // A closed receiver only means nobody is watching.
            let _ = tx.send(fresh);
        }
        emit(self.progress, FetchEvent::Users { fetched });
    }
}

/// The users one plan has read, each once.
#[derive(Default)]
struct Found {
    users: Mutex<(HashSet<String>, Vec<User>)>,
}

impl Found {
    /// Keeps the users not seen yet and shows them.
    fn take(&self, page: Vec<User>, out: &Output<'_>) {
        let fresh: Vec<User> = {
            let mut guard = self.users.lock().unwrap_or_else(|p| p.into_inner());
            let (ids, users) = &mut *guard;
            let fresh: Vec<User> = page
                .into_iter()
                .filter(|u| ids.insert(u.account_id.clone()))
                .collect();
            users.extend(fresh.iter().cloned());
            fresh
        };
        out.show(&fresh);
    }

    fn into_users(self) -> Vec<User> {
        self.users.into_inner().unwrap_or_else(|p| p.into_inner()).1
    }
}

fn search_path(org: &OrgApi) -> String {
    format!("/admin/v2/orgs/{}/directories/-/users/search", org.org_id())
}

fn convert(page: Vec<DirectoryUser>, path: &str) -> Result<Vec<User>, ApiError> {
    page.into_iter().map(|u| to_user(u, path)).collect()
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
/// productAccess, groups and platform roles; sorted by name, then account id.
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
    users.sort_by_cached_key(|u| (u.name.to_lowercase(), u.account_id.clone()));
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
    let path = search_path(org);
    let found = Found::default();
    let mut pages = std::pin::pin!(org.search_users("-", request(page_size)));
    while let Some(page) = pages.try_next().await? {
        found.take(convert(page, &path)?, out);
    }
    Ok(found.into_users())
}

async fn parallel(org: &OrgApi, page_size: u32, out: &Output<'_>) -> Result<Vec<User>, ApiError> {
    let counts = futures::future::try_join_all(
        PARTS.map(|m| async move { org.count_users("-", &[m]).await }),
    )
    .await?;
    let mut expected = Vec::with_capacity(PARTS.len());
    for (part, count) in PARTS.iter().zip(counts) {
        match count {
            Some(n) => expected.push(n),
            None => {
                tracing::warn!(
                    part,
                    "users/count answered without a count; reading users page by page"
                );
                return sequential(org, page_size, out).await;
            }
        }
    }
    let total: u64 = expected.iter().sum();
    emit(
        out.progress,
        FetchEvent::UsersExpected {
            total: usize::try_from(total).unwrap_or(usize::MAX),
        },
    );
    let found = Found::default();
    let parts = PARTS.iter().zip(expected).map(|(part, n)| {
        let found = &found;
        async move {
            if n <= u64::from(page_size) {
                // One page is expected: a single stream, read to its end whatever the count.
                single(org, part, page_size, found, out).await
            } else {
                pair(org, part, n, page_size, found, out).await
            }
        }
    });
    futures::future::try_join_all(parts).await?;
    Ok(found.into_users())
}

fn part_request(part: &str, page_size: u32, sort: Option<SortDirection>) -> UserSearchRequest {
    UserSearchRequest {
        membership_status: vec![part.to_owned()],
        sort_by: sort.map(SortBy::nickname).into_iter().collect(),
        ..request(page_size)
    }
}

async fn single(
    org: &OrgApi,
    part: &str,
    page_size: u32,
    found: &Found,
    out: &Output<'_>,
) -> Result<(), ApiError> {
    let path = search_path(org);
    let mut pages = std::pin::pin!(org.search_users("-", part_request(part, page_size, None)));
    while let Some(page) = pages.try_next().await? {
        found.take(convert(page, &path)?, out);
    }
    Ok(())
}

/// Two streams over one part, from either end of the nickname order, until they meet.
async fn pair(
    org: &OrgApi,
    part: &str,
    expected: u64,
    page_size: u32,
    found: &Found,
    out: &Output<'_>,
) -> Result<(), ApiError> {
    let meeting = Mutex::new(Meeting::new(Some(expected)));
    // Set when the pair is complete: the other stream drops its request in flight.
    let (done_tx, done_rx) = watch::channel(false);
    let path = search_path(org);
    let stream = |side: Side| {
        let (meeting, done_tx, mut done_rx, path) = (&meeting, &done_tx, done_rx.clone(), &path);
        async move {
            let direction = match side {
                Side::Asc => SortDirection::Asc,
                Side::Desc => SortDirection::Desc,
            };
            let request = part_request(part, page_size, Some(direction));
            let mut pages = std::pin::pin!(org.search_users("-", request));
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
                        Some(users) => m.page(
                            side,
                            users
                                .iter()
                                .map(|u| (u.account_id.as_str(), u.nickname.as_deref())),
                        ),
                        None => m.ended(side),
                    }
                    m.is_complete()
                };
                if let Some(users) = page {
                    found.take(convert(users, path)?, out);
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
            part,
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
