//! How the console writes numbers: one place, so drawing and the reducer agree.

/// 42000 → "42,000" (the shared number format, `output::words`).
pub fn thousands(n: usize) -> String {
    crate::output::words::thousands(n)
}
