//! The OS keyring: store, read and delete credentials (issue 4).
