//! Words and numbers as every part of seats prints them: one plural rule, one number format
//! (thousands separators) and one money format (currency, separators, two decimals), so the
//! console, its dialogs and the CLI say "1 user", "2,000 users" and "USD 1,234.50" alike;
//! and one edit distance for every "did you mean" (query facets, groups, products, commands).

/// "1 user", "0 users", "2,000 users": the count with separators and the noun agreeing with it.
/// `noun` is the singular; the plural adds "s" (see [`plural_as`] for irregular ones).
pub fn plural(n: usize, noun: &str) -> String {
    format!("{} {}", thousands(n), noun_for(n, noun))
}

/// Like [`plural`] with an irregular plural: `plural_as(2, "batch", "batches")`.
pub fn plural_as(n: usize, one: &str, many: &str) -> String {
    format!("{} {}", thousands(n), if n == 1 { one } else { many })
}

/// The noun alone, agreeing with `n`: `noun_for(1, "user")` = "user", else "users". Nouns
/// ending in s, x, z, ch or sh take "es" ("batch" → "batches").
pub fn noun_for(n: usize, noun: &str) -> String {
    if n == 1 {
        return noun.to_owned();
    }
    let es = ["s", "x", "z", "ch", "sh"]
        .iter()
        .any(|e| noun.ends_with(e));
    if es {
        format!("{noun}es")
    } else {
        format!("{noun}s")
    }
}

/// 42000 → "42,000".
pub fn thousands(n: usize) -> String {
    group_digits(&n.to_string())
}

/// Signed counts: -1234 → "-1,234".
pub fn thousands_signed(n: i64) -> String {
    let digits = group_digits(&n.unsigned_abs().to_string());
    if n < 0 { format!("-{digits}") } else { digits }
}

/// "USD 1,234.50", "USD -8.60": the currency code, the amount with separators, two decimals.
/// Not a number (a price seats could not compute) prints as "USD -".
pub fn money(currency: &str, amount: f64) -> String {
    if !amount.is_finite() {
        return format!("{currency} -");
    }
    let cents = format!("{:.2}", amount.abs());
    let (whole, frac) = cents.split_once('.').unwrap_or((cents.as_str(), "00"));
    // -0.001 rounds to 0.00: no minus sign on a zero.
    let sign = if amount < 0.0 && cents.bytes().any(|b| b.is_ascii_digit() && b != b'0') {
        "-"
    } else {
        ""
    };
    format!("{currency} {sign}{}.{frac}", group_digits(whole))
}

fn group_digits(digits: &str) -> String {
    let len = digits.len();
    let mut out = String::with_capacity(len + len / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (len - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Levenshtein distance over chars: the edits (insert, delete, replace) from `a` to `b`.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = if ca == *cb {
                prev
            } else {
                1 + prev.min(cur).min(row[j])
            };
            prev = cur;
        }
    }
    row[b.len()]
}

/// Up to three of `candidates` close to `value`: containing it, contained in it, or within
/// two edits; the closest first. For "did you mean" (the `:` line's
/// commands and arguments, the query's groups and products): an error's path only.
pub fn nearest<'a>(value: &str, candidates: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let v = value.to_lowercase();
    if v.is_empty() {
        return Vec::new();
    }
    let mut scored: Vec<(usize, &str)> = candidates
        .filter_map(|c| {
            let lc = c.to_lowercase();
            let d = edit_distance(&lc, &v);
            // A typo at the end: `engg` for `eng-platform`.
            let shared = lc
                .chars()
                .zip(v.chars())
                .take_while(|(a, b)| a == b)
                .count();
            let close = d <= 2
                || (v.len() >= 3 && (lc.contains(&v) || v.contains(&lc)))
                || (shared >= 3 && shared + 1 >= v.chars().count());
            close.then_some((d, c))
        })
        .collect();
    scored.sort_by_key(|&(d, c)| (d, c.len()));
    scored.dedup_by_key(|x| x.1);
    scored.into_iter().take(3).map(|(_, c)| c).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_counts_edits() {
        assert_eq!(edit_distance("product", "prodct"), 1);
        assert_eq!(edit_distance("group", "gruop"), 2);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("same", "same"), 0);
        assert_eq!(edit_distance("jíra", "jira"), 1);
    }

    #[test]
    fn plurals_agree_with_the_count() {
        assert_eq!(plural(0, "user"), "0 users");
        assert_eq!(plural(1, "user"), "1 user");
        assert_eq!(plural(2, "operation"), "2 operations");
        assert_eq!(plural(1_970, "user"), "1,970 users");
        assert_eq!(plural(3, "batch"), "3 batches");
        assert_eq!(plural(1, "batch"), "1 batch");
        assert_eq!(plural(2, "box"), "2 boxes");
        assert_eq!(plural_as(2, "entry", "entries"), "2 entries");
        assert_eq!(plural_as(1, "entry", "entries"), "1 entry");
    }

    #[test]
    fn numbers_get_thousands_separators() {
        for (n, s) in [
            (0, "0"),
            (999, "999"),
            (1_000, "1,000"),
            (42_000, "42,000"),
            (100_000, "100,000"),
            (1_234_567, "1,234,567"),
        ] {
            assert_eq!(thousands(n), s);
        }
        assert_eq!(thousands_signed(-1_234), "-1,234");
        assert_eq!(thousands_signed(12), "12");
    }

    #[test]
    fn money_has_currency_separators_and_two_decimals() {
        assert_eq!(money("USD", 0.0), "USD 0.00");
        assert_eq!(money("USD", 8.6), "USD 8.60");
        assert_eq!(money("EUR", 1234.5), "EUR 1,234.50");
        assert_eq!(money("USD", 1_000_000.0), "USD 1,000,000.00");
        assert_eq!(money("USD", -8.6), "USD -8.60");
        assert_eq!(money("USD", -0.001), "USD 0.00");
        assert_eq!(money("USD", 999.999), "USD 1,000.00");
        assert_eq!(money("USD", f64::NAN), "USD -");
    }

    #[test]
    fn nearest_prefers_the_closest() {
        let names = ["suspend", "restore", "read", "write"];
        assert_eq!(nearest("suspnd", names.into_iter()), ["suspend"]);
        assert_eq!(nearest("rad", names.into_iter()), ["read"]);
        assert!(nearest("zzzzzz", names.into_iter()).is_empty());
    }
}
