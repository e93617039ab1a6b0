//! How the console writes numbers: one place, so drawing and the reducer agree.

/// 42000 → "42,000" (the shared number format, `output::words`).
pub fn thousands(n: usize) -> String {
    crate::output::words::thousands(n)
}

/// `text` in at most `room` columns: whole, or cut with "…" at the end so a cut shows.
pub fn ellipsis(text: &str, room: usize) -> String {
    if text.chars().count() <= room {
        return text.to_owned();
    }
    if room == 0 {
        return String::new();
    }
    let head: String = text.chars().take(room - 1).collect();
    format!("{}…", head.trim_end())
}

#[cfg(test)]
mod tests {
    use super::ellipsis;

    #[test]
    fn a_cut_ends_with_an_ellipsis() {
        assert_eq!(ellipsis("idle:90 type:managed", 11), "idle:90 ty…");
        assert_eq!(ellipsis("idle:90 type", 12), "idle:90 type");
        assert_eq!(ellipsis("abc", 1), "…");
        assert_eq!(ellipsis("abc", 0), "");
    }
}
