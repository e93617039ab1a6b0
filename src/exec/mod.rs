//! Running a confirmed plan: the executor, the journal, the audit log and undo.
