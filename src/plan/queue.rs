//! The queue: what the admin asked for, operation by operation, before anything is planned.
//!
//! One operation per distinct action (`OperationKind`); queueing the same action again adds its
//! targets to the existing operation. Targets are account ids, in the order they were queued,
//! each once. Pure data: the console keeps it in the local database (`queue_store`).

// foldhash: these sets hold every queued account id, remade on each edit of the queue.
use foldhash::{HashSet, HashSetExt};

use serde::{Deserialize, Serialize};

use super::OperationKind;

/// Identifies an operation within its queue; never reused, so a stale id removes nothing.
pub type OperationId = u64;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueuedOperation {
    pub id: OperationId,
    pub kind: OperationKind,
    /// Account ids, in queue order, each once (also when read back: `Queue::counts` relies on it).
    #[serde(deserialize_with = "distinct_targets")]
    pub targets: Vec<String>,
    /// The query every target came from (all the rows it matched, marked at once), or none
    /// when they were picked by hand: the plan takes its activity threshold from it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
}

/// Ids in their first order with repeats dropped, as `Queue::add_from` keeps them; a saved queue
/// or a plan file edited by hand may repeat one.
fn distinct_targets<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    let all = Vec::<String>::deserialize(d)?;
    Ok(distinct(all))
}

fn distinct(ids: Vec<String>) -> Vec<String> {
    let first: Vec<bool> = {
        let mut seen: HashSet<&str> = HashSet::with_capacity(ids.len());
        ids.iter().map(|t| seen.insert(t.as_str())).collect()
    };
    ids.into_iter()
        .zip(first)
        .filter_map(|(t, first)| first.then_some(t))
        .collect()
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Queue {
    operations: Vec<QueuedOperation>,
    next_id: OperationId,
}

/// Two queued operations that cannot both happen to one user.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Conflict {
    pub account_id: String,
    /// The operations involved, in queue order.
    pub operations: (OperationId, OperationId),
    pub kind: ConflictKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ConflictKind {
    SuspendAndRestore,
    DeactivateAndReactivate,
    /// Removal from the directory leaves nothing else to change.
    RemovalAndOther,
}

impl ConflictKind {
    pub fn describe(self) -> &'static str {
        match self {
            ConflictKind::SuspendAndRestore => "both suspend and restore are queued",
            ConflictKind::DeactivateAndReactivate => "both deactivate and reactivate are queued",
            ConflictKind::RemovalAndOther => {
                "removal from the directory is queued with another action"
            }
        }
    }

    /// The conflict between two kinds of operation, if any (order does not matter).
    pub fn between(a: &OperationKind, b: &OperationKind) -> Option<ConflictKind> {
        use OperationKind::*;
        match (a, b) {
            (Suspend, Restore) | (Restore, Suspend) => Some(ConflictKind::SuspendAndRestore),
            (Deactivate, Reactivate) | (Reactivate, Deactivate) => {
                Some(ConflictKind::DeactivateAndReactivate)
            }
            (RemoveFromDirectory, _) | (_, RemoveFromDirectory) => {
                Some(ConflictKind::RemovalAndOther)
            }
            _ => None,
        }
    }
}

/// What a queue holds, for the status line and the queue view.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct QueueCounts {
    pub operations: usize,
    /// Targets summed over operations (a user in two operations counts twice).
    pub targets: usize,
    /// Distinct users in any operation.
    pub users: usize,
    /// Users with at least one conflict.
    pub conflicting_users: usize,
}

/// The result of [`Queue::add`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Added {
    pub operation: OperationId,
    /// Targets that were new to the operation.
    pub new_targets: usize,
    /// True when the targets joined an operation already queued.
    pub merged: bool,
}

impl Queue {
    pub fn new() -> Queue {
        Queue::default()
    }

    pub fn operations(&self) -> &[QueuedOperation] {
        &self.operations
    }

    pub fn get(&self, id: OperationId) -> Option<&QueuedOperation> {
        self.operations.iter().find(|o| o.id == id)
    }

    pub fn is_empty(&self) -> bool {
        self.operations.is_empty()
    }

    /// Queues `kind` for `targets` picked by hand, merging into the operation of the same kind
    /// (and origin) if one is queued. Duplicate targets are kept once. Queueing no targets adds
    /// nothing and returns `None`.
    pub fn add<I, S>(&mut self, kind: OperationKind, targets: I) -> Option<Added>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.add_from(kind, None, targets)
    }

    /// Queues `kind` for `targets` that came from `query` (None: picked by hand). Targets of
    /// another origin make another operation, so each keeps the activity threshold it was
    /// chosen with.
    pub fn add_from<I, S>(
        &mut self,
        kind: OperationKind,
        query: Option<String>,
        targets: I,
    ) -> Option<Added>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let targets: Vec<String> = targets.into_iter().map(Into::into).collect();
        let existing = self
            .operations
            .iter()
            .position(|o| o.kind == kind && o.query == query);
        if targets.is_empty() && existing.is_none() {
            return None;
        }
        let (ix, merged) = match existing {
            Some(ix) => (ix, true),
            None => {
                let id = self.next_id;
                self.next_id += 1;
                self.operations.push(QueuedOperation {
                    id,
                    kind,
                    targets: Vec::new(),
                    query,
                });
                (self.operations.len() - 1, false)
            }
        };
        let op = &mut self.operations[ix];
        let before = op.targets.len();
        // Moved, not copied: merging into 100,000 targets clones none of them.
        op.targets.extend(targets);
        op.targets = distinct(std::mem::take(&mut op.targets));
        Some(Added {
            operation: op.id,
            new_targets: op.targets.len() - before,
            merged,
        })
    }

    /// Takes one user out of one operation; an operation left without targets goes too.
    /// Returns whether anything was removed.
    pub fn remove_target(&mut self, operation: OperationId, account_id: &str) -> bool {
        let Some(ix) = self.operations.iter().position(|o| o.id == operation) else {
            return false;
        };
        let op = &mut self.operations[ix];
        let before = op.targets.len();
        op.targets.retain(|t| t != account_id);
        let removed = op.targets.len() != before;
        if op.targets.is_empty() {
            self.operations.remove(ix);
        }
        removed
    }

    /// Takes a whole operation out. Returns whether it was queued.
    pub fn remove_operation(&mut self, operation: OperationId) -> bool {
        let before = self.operations.len();
        self.operations.retain(|o| o.id != operation);
        self.operations.len() != before
    }

    pub fn clear(&mut self) {
        self.operations.clear();
    }

    /// The query every operation's targets came from, when they all share one: what the plan
    /// file records as its `query`.
    pub fn query(&self) -> Option<&str> {
        let first = self.operations.first()?.query.as_deref()?;
        self.operations
            .iter()
            .all(|o| o.query.as_deref() == Some(first))
            .then_some(first)
    }

    /// Every pair of operations that cannot both happen to a user, per user, in queue order:
    /// by the first operation, then the target's position in it.
    pub fn conflicts(&self) -> Vec<Conflict> {
        let mut out = Vec::new();
        // Only pairs of kinds that conflict are compared: most queues have none.
        for (ix, a) in self.operations.iter().enumerate() {
            let later: Vec<(&QueuedOperation, ConflictKind, HashSet<&str>)> = self.operations
                [ix + 1..]
                .iter()
                .filter_map(|b| {
                    ConflictKind::between(&a.kind, &b.kind).map(|kind| {
                        let mut set = HashSet::with_capacity(b.targets.len());
                        set.extend(b.targets.iter().map(String::as_str));
                        (b, kind, set)
                    })
                })
                .collect();
            if later.is_empty() {
                continue;
            }
            for t in &a.targets {
                for (b, kind, targets) in &later {
                    if targets.contains(t.as_str()) {
                        out.push(Conflict {
                            account_id: t.clone(),
                            operations: (a.id, b.id),
                            kind: *kind,
                        });
                    }
                }
            }
        }
        out
    }

    pub fn counts(&self) -> QueueCounts {
        self.counts_with(&self.conflicts())
    }

    /// [`Queue::counts`] given the queue's [`Queue::conflicts`], made once for both.
    pub fn counts_with(&self, conflicts: &[Conflict]) -> QueueCounts {
        let targets = self.operations.iter().map(|o| o.targets.len()).sum();
        // One operation's targets are distinct (`add_from` merges): no set needed.
        let users = if self.operations.len() <= 1 {
            targets
        } else {
            let mut users = HashSet::with_capacity(targets);
            users.extend(
                self.operations
                    .iter()
                    .flat_map(|o| o.targets.iter().map(String::as_str)),
            );
            users.len()
        };
        let mut conflicting = HashSet::with_capacity(conflicts.len());
        conflicting.extend(conflicts.iter().map(|c| c.account_id.as_str()));
        QueueCounts {
            operations: self.operations.len(),
            targets,
            users,
            conflicting_users: conflicting.len(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(name: &str) -> OperationKind {
        OperationKind::RemoveFromGroup {
            group_id: format!("id-{name}"),
            group_name: name.into(),
        }
    }

    fn targets(q: &Queue, id: OperationId) -> Vec<&str> {
        q.get(id)
            .map(|o| o.targets.iter().map(String::as_str).collect())
            .unwrap_or_default()
    }

    #[test]
    fn a_queue_read_back_holds_each_target_once_and_counts_its_users() {
        let json = r#"{"operations":[{"id":0,"kind":{"action":"suspend"},"targets":["u1","u2","u1","u3","u2"]}],"next_id":1}"#;
        let q: Queue = serde_json::from_str(json).unwrap();
        assert_eq!(targets(&q, 0), ["u1", "u2", "u3"]);
        let counts = q.counts();
        assert_eq!((counts.targets, counts.users), (3, 3));
        // Two operations: users are the union.
        let mut q = q;
        let _ = q.add(OperationKind::Restore, ["u3", "u4"]);
        let counts = q.counts();
        assert_eq!((counts.targets, counts.users), (5, 4));
    }

    #[test]
    fn adding_the_same_action_merges_targets_in_order_without_duplicates() {
        let mut q = Queue::new();
        let a = q.add(OperationKind::Suspend, ["u1", "u2", "u1"]).unwrap();
        assert_eq!((a.new_targets, a.merged), (2, false));
        let b = q.add(OperationKind::Suspend, ["u3", "u2"]).unwrap();
        assert_eq!(
            (b.operation, b.new_targets, b.merged),
            (a.operation, 1, true)
        );
        assert_eq!(targets(&q, a.operation), ["u1", "u2", "u3"]);
        assert_eq!(q.operations().len(), 1);
    }

    #[test]
    fn different_actions_and_groups_are_different_operations() {
        let mut q = Queue::new();
        let a = q.add(group("devs"), ["u1"]).unwrap().operation;
        let b = q.add(group("ops"), ["u1"]).unwrap().operation;
        let c = q
            .add(
                OperationKind::RemoveProductAccess {
                    product: "confluence".into(),
                },
                ["u1"],
            )
            .unwrap()
            .operation;
        assert_eq!(q.operations().len(), 3);
        assert!(a != b && b != c);
        assert_eq!(q.add(OperationKind::Restore, Vec::<String>::new()), None);
        assert_eq!(q.operations().len(), 3);
    }

    #[test]
    fn removing_the_last_target_removes_the_operation_and_ids_are_not_reused() {
        let mut q = Queue::new();
        let a = q
            .add(OperationKind::Suspend, ["u1", "u2"])
            .unwrap()
            .operation;
        assert!(q.remove_target(a, "u1"));
        assert!(!q.remove_target(a, "u1"), "already gone");
        assert_eq!(targets(&q, a), ["u2"]);
        assert!(q.remove_target(a, "u2"));
        assert!(q.is_empty());
        let b = q.add(OperationKind::Suspend, ["u1"]).unwrap().operation;
        assert_ne!(a, b, "a stale id must not name the new operation");
        assert!(!q.remove_target(a, "u1"));
        assert!(!q.remove_operation(a));
        assert!(q.remove_operation(b));
        assert!(q.is_empty());
    }

    #[test]
    fn conflicts_are_found_for_each_pair_that_cannot_both_happen() {
        use ConflictKind::*;
        use OperationKind::*;
        let cases: Vec<(OperationKind, OperationKind, Option<ConflictKind>)> = vec![
            (Suspend, Restore, Some(SuspendAndRestore)),
            (Restore, Suspend, Some(SuspendAndRestore)),
            (Deactivate, Reactivate, Some(DeactivateAndReactivate)),
            (RemoveFromDirectory, Suspend, Some(RemovalAndOther)),
            (group("devs"), RemoveFromDirectory, Some(RemovalAndOther)),
            (Suspend, group("devs"), None),
            (Suspend, Deactivate, None),
            (group("devs"), group("ops"), None),
        ];
        for (a, b, want) in cases {
            let mut q = Queue::new();
            let ia = q.add(a.clone(), ["u1", "u2"]).unwrap().operation;
            let ib = q.add(b.clone(), ["u2", "u3"]).unwrap().operation;
            let got = q.conflicts();
            match want {
                Some(kind) => {
                    assert_eq!(
                        got,
                        vec![Conflict {
                            account_id: "u2".into(),
                            operations: (ia, ib),
                            kind
                        }],
                        "{a:?} + {b:?}"
                    );
                    assert_eq!(q.counts().conflicting_users, 1);
                }
                None => assert!(got.is_empty(), "{a:?} + {b:?}: {got:?}"),
            }
        }
    }

    #[test]
    fn counts_say_operations_targets_and_distinct_users() {
        let mut q = Queue::new();
        q.add(OperationKind::Suspend, ["u1", "u2"]);
        q.add(group("devs"), ["u2", "u3", "u4"]);
        assert_eq!(
            q.counts(),
            QueueCounts {
                operations: 2,
                targets: 5,
                users: 4,
                conflicting_users: 0
            }
        );
    }

    #[test]
    fn targets_of_another_origin_make_another_operation() {
        let mut q = Queue::new();
        let a = q
            .add_from(OperationKind::Suspend, Some("idle:180".into()), ["u1"])
            .unwrap();
        let b = q.add(OperationKind::Suspend, ["u2"]).unwrap();
        assert!(!b.merged && a.operation != b.operation);
        assert_eq!(q.query(), None, "two origins: no single query");
        let c = q
            .add_from(OperationKind::Suspend, Some("idle:180".into()), ["u3"])
            .unwrap();
        assert!(c.merged && c.operation == a.operation);
        q.remove_operation(b.operation);
        assert_eq!(q.query(), Some("idle:180"));
        let json = serde_json::to_string(&q).unwrap();
        assert_eq!(serde_json::from_str::<Queue>(&json).unwrap(), q);
    }

    #[test]
    fn serde_round_trip_keeps_ids_and_the_next_id() {
        let mut q = Queue::new();
        let a = q.add(OperationKind::Suspend, ["u1"]).unwrap().operation;
        q.add(group("devs"), ["u2"]);
        q.remove_operation(a);
        let json = serde_json::to_string(&q).unwrap();
        let mut back: Queue = serde_json::from_str(&json).unwrap();
        assert_eq!(back, q);
        let c = back.add(OperationKind::Suspend, ["u9"]).unwrap().operation;
        assert!(c > a, "ids keep counting after a reload");
    }
}
