//! Paging as streams for the three styles Atlassian uses: opaque cursors (`links.next`, a token
//! or a URL), Jira's startAt/maxResults/isLast (and plain arrays that end on a short or empty
//! page), Confluence's start/limit/`_links.next`. A repeated cursor or a page that does not move
//! forward ends the stream with `ApiError::PagingLoop`, never an endless loop.

use std::collections::HashSet;
use std::future::Future;

use futures::Stream;
use url::Url;

use super::error::ApiError;

/// Where the next page is, as the server gave it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Next {
    /// An opaque cursor: GET sends `?cursor=`, POST search sends it in the body.
    Token(String),
    /// A full URL (`https://.../v1/orgs?cursor=...`).
    Url(Url),
    /// A path on the same origin (`/admin/v1/orgs?cursor=...`).
    Path(String),
}

impl Next {
    pub fn parse(raw: &str) -> Next {
        let raw = raw.trim();
        if (raw.starts_with("http://") || raw.starts_with("https://"))
            && let Ok(url) = Url::parse(raw)
        {
            return Next::Url(url);
        }
        if raw.starts_with('/') {
            return Next::Path(raw.to_owned());
        }
        Next::Token(raw.to_owned())
    }

    /// The cursor value: the token itself, or the `cursor` query parameter of a link.
    pub fn cursor(&self) -> Option<String> {
        let from_query = |url: &Url| {
            url.query_pairs()
                .find(|(k, _)| k == "cursor")
                .map(|(_, v)| v.into_owned())
        };
        match self {
            Next::Token(t) => Some(t.clone()),
            Next::Url(u) => from_query(u),
            Next::Path(p) => Url::parse("http://x")
                .ok()
                .and_then(|b| b.join(p).ok())
                .as_ref()
                .and_then(from_query),
        }
    }

    /// The link resolved against `base` (the family's origin), for GET requests.
    pub fn resolve(&self, base: &Url) -> Option<Url> {
        match self {
            Next::Url(u) => Some(u.clone()),
            Next::Path(p) => base.join(p).ok(),
            Next::Token(_) => None,
        }
    }
}

/// One page of a cursor-paged list.
#[derive(Debug)]
pub struct CursorPage<T> {
    pub items: Vec<T>,
    /// `links.next`; absent or empty on the last page.
    pub next: Option<String>,
}

/// Pages of a cursor-paged list. `fetch(None)` gets the first page.
pub fn cursor_pages<T, F, Fut>(
    what: String,
    fetch: F,
) -> impl Stream<Item = Result<Vec<T>, ApiError>>
where
    F: FnMut(Option<Next>) -> Fut,
    Fut: Future<Output = Result<CursorPage<T>, ApiError>>,
{
    struct State<F> {
        fetch: F,
        next: Option<Next>,
        seen: HashSet<String>,
        done: bool,
    }
    let state = State {
        fetch,
        next: None,
        seen: HashSet::new(),
        done: false,
    };
    futures::stream::try_unfold(state, move |mut st| {
        let what = what.clone();
        async move {
            if st.done {
                return Ok(None);
            }
            let page = (st.fetch)(st.next.take()).await?;
            match page.next.filter(|n| !n.trim().is_empty()) {
                Some(raw) => {
                    if !st.seen.insert(raw.clone()) {
                        return Err(ApiError::PagingLoop {
                            path: what,
                            detail: "the server sent the same next-page cursor twice".into(),
                        });
                    }
                    st.next = Some(Next::parse(&raw));
                }
                None => st.done = true,
            }
            Ok(Some((page.items, st)))
        }
    })
}

/// One page of Jira's offset paging. Plain arrays have only `items`.
#[derive(Debug)]
pub struct OffsetPage<T> {
    pub items: Vec<T>,
    pub start_at: Option<u64>,
    pub max_results: Option<u64>,
    pub is_last: Option<bool>,
    pub total: Option<u64>,
}

impl<T> OffsetPage<T> {
    pub fn plain(items: Vec<T>) -> OffsetPage<T> {
        OffsetPage {
            items,
            start_at: None,
            max_results: None,
            is_last: None,
            total: None,
        }
    }
}

/// Pages of a startAt/maxResults list. `fetch(start_at)` gets one page of up to `page_size`.
pub fn offset_pages<T, F, Fut>(
    what: String,
    page_size: u64,
    fetch: F,
) -> impl Stream<Item = Result<Vec<T>, ApiError>>
where
    F: FnMut(u64) -> Fut,
    Fut: Future<Output = Result<OffsetPage<T>, ApiError>>,
{
    positional_pages(what, fetch, move |start, page: OffsetPage<T>| {
        // A server that answers an earlier page than asked would loop forever.
        if let Some(got) = page.start_at
            && got < start
        {
            return Err(format!("asked for startAt={start}, got startAt={got}"));
        }
        let len = page.items.len() as u64;
        // Servers may cap maxResults silently: the page size is what they say they used.
        let size = page
            .max_results
            .filter(|m| *m > 0)
            .unwrap_or(page_size)
            .min(page_size.max(1));
        let next = page.start_at.unwrap_or(start).max(start) + len;
        let done = match page.is_last {
            Some(true) => true,
            _ if len == 0 => {
                if page.is_last == Some(false) {
                    return Err(format!("isLast=false but an empty page at startAt={start}"));
                }
                true
            }
            Some(false) => false,
            None => len < size,
        } || page.total.is_some_and(|t| next >= t);
        Ok((page.items, (!done).then_some(next)))
    })
}

/// One page of Confluence's start/limit paging.
#[derive(Debug)]
pub struct LinkedPage<T> {
    pub items: Vec<T>,
    /// `_links.next`, relative to `_links.base`.
    pub next: Option<String>,
}

/// Pages of a start/limit/`_links.next` list. `fetch(start)` gets one page.
pub fn linked_pages<T, F, Fut>(
    what: String,
    fetch: F,
) -> impl Stream<Item = Result<Vec<T>, ApiError>>
where
    F: FnMut(u64) -> Fut,
    Fut: Future<Output = Result<LinkedPage<T>, ApiError>>,
{
    positional_pages(what, fetch, |start, page: LinkedPage<T>| {
        let len = page.items.len() as u64;
        let next = match page.next.filter(|n| !n.trim().is_empty()) {
            Some(link) if len > 0 => {
                let from_link = Url::parse("http://x")
                    .ok()
                    .and_then(|b| b.join(&link).ok())
                    .and_then(|u| {
                        u.query_pairs()
                            .find(|(k, _)| k == "start")
                            .and_then(|(_, v)| v.parse::<u64>().ok())
                    });
                let next = from_link.unwrap_or(start + len);
                if next <= start {
                    return Err(format!("the next link goes back to start={next}"));
                }
                Some(next)
            }
            _ => None,
        };
        Ok((page.items, next))
    })
}

/// Pages of a list read by position (Jira's and Confluence's styles). `fetch(start)` gets the
/// page at `start`; `after(start, page)` gives its items and where the next page starts, `None`
/// after the last, or why the server's paging cannot be followed (a `PagingLoop`).
fn positional_pages<P, T, F, Fut, A>(
    what: String,
    fetch: F,
    after: A,
) -> impl Stream<Item = Result<Vec<T>, ApiError>>
where
    F: FnMut(u64) -> Fut,
    Fut: Future<Output = Result<P, ApiError>>,
    A: FnMut(u64, P) -> Result<(Vec<T>, Option<u64>), String>,
{
    futures::stream::try_unfold(
        (fetch, after, Some(0)),
        move |(mut fetch, mut after, start)| {
            let what = what.clone();
            async move {
                let Some(start) = start else {
                    return Ok(None);
                };
                let page = fetch(start).await?;
                let (items, next) = after(start, page)
                    .map_err(|detail| ApiError::PagingLoop { path: what, detail })?;
                Ok(Some((items, (fetch, after, next))))
            }
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::TryStreamExt;

    #[test]
    fn next_links_in_every_form() {
        assert_eq!(Next::parse("abc").cursor().as_deref(), Some("abc"));
        let url = Next::parse("https://api.atlassian.com/admin/v1/orgs?cursor=c%3D1");
        assert_eq!(url.cursor().as_deref(), Some("c=1"));
        let path = Next::parse("/admin/v1/orgs?cursor=xyz");
        assert_eq!(path.cursor().as_deref(), Some("xyz"));
        let base = Url::parse("http://127.0.0.1:9").unwrap();
        assert_eq!(
            path.resolve(&base).unwrap().as_str(),
            "http://127.0.0.1:9/admin/v1/orgs?cursor=xyz"
        );
    }

    #[tokio::test]
    async fn cursor_stops_on_a_repeated_cursor() {
        let pages = cursor_pages("t".into(), |_next| async {
            Ok(CursorPage {
                items: vec![1],
                next: Some("same".into()),
            })
        });
        let err = pages.try_collect::<Vec<_>>().await.unwrap_err();
        assert!(matches!(err, ApiError::PagingLoop { .. }), "{err}");
    }

    #[tokio::test]
    async fn cursor_follows_until_no_next() {
        let pages = cursor_pages("t".into(), |next: Option<Next>| async move {
            let n: u32 = next
                .and_then(|n| n.cursor())
                .map_or(0, |c| c.parse().unwrap_or(0));
            Ok(CursorPage {
                items: vec![n],
                next: (n < 4).then(|| (n + 1).to_string()),
            })
        });
        let all: Vec<Vec<u32>> = pages.try_collect().await.unwrap();
        assert_eq!(all.concat(), vec![0, 1, 2, 3, 4]);
    }

    #[tokio::test]
    async fn offset_ends_on_is_last_short_or_empty_page() {
        let data: Vec<u32> = (0..23).collect();
        let d = data.clone();
        let pages = offset_pages("t".into(), 10, move |start| {
            let d = d.clone();
            async move {
                Ok(OffsetPage::plain(
                    d.iter().skip(start as usize).take(10).copied().collect(),
                ))
            }
        });
        assert_eq!(pages.try_collect::<Vec<_>>().await.unwrap().concat(), data);

        // Exactly a multiple of the page size: ends on the empty page.
        let calls = std::sync::Arc::new(std::sync::atomic::AtomicU32::new(0));
        let c = calls.clone();
        let pages = offset_pages("t".into(), 10, move |start| {
            c.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            async move {
                Ok(OffsetPage::plain(
                    (start..20).take(10).collect::<Vec<u64>>(),
                ))
            }
        });
        assert_eq!(
            pages.try_collect::<Vec<_>>().await.unwrap().concat().len(),
            20
        );
        assert_eq!(calls.load(std::sync::atomic::Ordering::SeqCst), 3);

        let pages = offset_pages("t".into(), 50, |start| async move {
            Ok(OffsetPage {
                items: vec![start],
                start_at: Some(start),
                max_results: Some(1),
                is_last: Some(start == 2),
                total: None,
            })
        });
        assert_eq!(
            pages.try_collect::<Vec<_>>().await.unwrap().concat(),
            vec![0, 1, 2]
        );
    }

    #[tokio::test]
    async fn offset_detects_a_server_that_ignores_start_at() {
        let pages = offset_pages("t".into(), 1, |_start| async move {
            Ok(OffsetPage {
                items: vec![1],
                start_at: Some(0),
                max_results: Some(1),
                is_last: Some(false),
                total: None,
            })
        });
        assert!(matches!(
            pages.try_collect::<Vec<_>>().await,
            Err(ApiError::PagingLoop { .. })
        ));
    }

    #[tokio::test]
    async fn linked_follows_next_and_detects_going_back() {
        let pages = linked_pages("t".into(), |start| async move {
            Ok(LinkedPage {
                items: vec![start],
                next: (start < 400)
                    .then(|| format!("/rest/api/group?start={}&limit=200", start + 200)),
            })
        });
        assert_eq!(
            pages.try_collect::<Vec<_>>().await.unwrap().concat(),
            vec![0, 200, 400]
        );

        let pages = linked_pages("t".into(), |_start| async move {
            Ok(LinkedPage {
                items: vec![1],
                next: Some("/g?start=0".into()),
            })
        });
        assert!(matches!(
            pages.try_collect::<Vec<_>>().await,
            Err(ApiError::PagingLoop { .. })
        ));
    }
}
