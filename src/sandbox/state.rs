//! The one state behind every sandbox API: org, directory, site, products, users, groups, role
//! grants, activity and the event log. Pure data and pure operations, no I/O.
//!
//! Users and groups live in `Vec`s and are addressed by index (`UserIx`, `GroupIx`); `HashMap`s
//! resolve account ids and group ids to indices, so single-user requests never scan. Users are
//! never taken out of the `Vec` (a removed user keeps its slot with `removed = true`), so an index
//! is a stable paging position. Seat counts are kept up to date on every mutation.
//!
//! Long: every mutation keeps the seat counts, indices and event log in step; they live beside
//! the data they update, so no mutation can forget one.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Utc};

/// Index of a user in `OrgState::users`.
pub type UserIx = u32;
/// Index of a group in `OrgState::groups`.
pub type GroupIx = u32;

/// A product of the site. The order is the order of `Product::ALL` and of per-product arrays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Product {
    JiraSoftware,
    JiraServiceManagement,
    Confluence,
}

impl Product {
    pub const ALL: [Product; 3] = [
        Product::JiraSoftware,
        Product::JiraServiceManagement,
        Product::Confluence,
    ];

    /// The product key used in ARIs, v2 `productAccess[].key` and Jira application roles.
    pub fn key(self) -> &'static str {
        match self {
            Product::JiraSoftware => "jira-software",
            Product::JiraServiceManagement => "jira-servicedesk",
            Product::Confluence => "confluence",
        }
    }

    /// The key in the v1 snake_case APIs, whose spec enum spells JSM `jira-service-desk`.
    pub fn v1_key(self) -> &'static str {
        match self {
            Product::JiraServiceManagement => "jira-service-desk",
            other => other.key(),
        }
    }

    /// Display name, as in Jira's application roles and v1 `product_access[].name`.
    pub fn name(self) -> &'static str {
        match self {
            Product::JiraSoftware => "Jira Software",
            Product::JiraServiceManagement => "Jira Service Management",
            Product::Confluence => "Confluence",
        }
    }

    pub fn index(self) -> usize {
        self as usize
    }

    pub fn from_key(key: &str) -> Option<Product> {
        match key {
            "jira-software" => Some(Product::JiraSoftware),
            "jira-servicedesk" | "jira-service-desk" => Some(Product::JiraServiceManagement),
            "confluence" => Some(Product::Confluence),
            _ => None,
        }
    }
}

/// What a role is granted on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Resource {
    /// The whole org (`ari:cloud:platform::org/<orgId>`): org-admin.
    Org,
    /// The site itself (`ari:cloud:platform::site/<cloudId>`): site-admin.
    Site,
    /// One product on the site (`ari:cloud:<key>::site/<cloudId>`).
    Product(Product),
}

/// Role ids of the admin API (`atlassian/...`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    User,
    Admin,
    OrgAdmin,
    SiteAdmin,
}

impl Role {
    pub fn id(self) -> &'static str {
        match self {
            Role::User => "atlassian/user",
            Role::Admin => "atlassian/admin",
            Role::OrgAdmin => "atlassian/org-admin",
            Role::SiteAdmin => "atlassian/site-admin",
        }
    }

    /// Parses a role id; `None` for roles the sandbox does not model (the caller decides: 400).
    pub fn from_id(id: &str) -> Option<Role> {
        match id {
            "atlassian/user" => Some(Role::User),
            "atlassian/admin" => Some(Role::Admin),
            "atlassian/org-admin" => Some(Role::OrgAdmin),
            "atlassian/site-admin" => Some(Role::SiteAdmin),
            _ => None,
        }
    }

    /// Roles on a product that let the user in (and so take a seat).
    pub fn grants_access(self) -> bool {
        matches!(self, Role::User | Role::Admin)
    }
}

/// A role on a resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Grant {
    pub resource: Resource,
    pub role: Role,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountType {
    Atlassian,
    App,
    Customer,
}

impl AccountType {
    pub fn as_str(self) -> &'static str {
        match self {
            AccountType::Atlassian => "atlassian",
            AccountType::App => "app",
            AccountType::Customer => "customer",
        }
    }
}

/// Directory membership (org "suspend" and "remove").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Membership {
    Active,
    Suspended,
    /// Removed from the directory, or never in it (customers, apps).
    None,
}

impl Membership {
    /// `membershipStatus` of the v2 API.
    pub fn as_str(self) -> &'static str {
        match self {
            Membership::Active => "active",
            Membership::Suspended => "suspended",
            Membership::None => "no_membership",
        }
    }
}

/// Atlassian account lifecycle (user management API `disable`/`enable`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountStatus {
    Active,
    Inactive,
    Closed,
}

impl AccountStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            AccountStatus::Active => "active",
            AccountStatus::Inactive => "inactive",
            AccountStatus::Closed => "closed",
        }
    }
}

/// One account known to the org or the site.
#[derive(Debug, Clone)]
pub struct User {
    pub account_id: String,
    pub account_type: AccountType,
    pub name: String,
    pub nickname: String,
    /// `None` for app accounts without a mailbox.
    pub email: Option<String>,
    pub email_verified: bool,
    pub membership: Membership,
    pub account_status: AccountStatus,
    /// True once removed from the directory through the API (404 from then on).
    pub removed: bool,
    /// Account on a verified domain of the org (`claimStatus: managed`).
    pub managed: bool,
    /// Provisioned by the identity provider (`managementSource: synced`).
    pub synced: bool,
    /// Invited but never logged in: no activity anywhere.
    pub invited_pending: bool,
    pub mfa_enabled: bool,
    pub added_to_org: DateTime<Utc>,
    pub job_title: Option<String>,
    pub department: Option<String>,
    pub location: Option<String>,
    pub time_zone: String,
    /// Groups the user belongs to.
    pub groups: BTreeSet<GroupIx>,
    /// Roles granted to the user directly (not through a group).
    pub direct_grants: Vec<Grant>,
    /// Last activity per product (`Product::index()`); `None` = never active there.
    pub last_active: [Option<DateTime<Utc>>; 3],
}

impl User {
    /// v2 `status`.
    pub fn status(&self) -> &'static str {
        if self.account_status != AccountStatus::Active {
            "deactivated"
        } else if self.membership == Membership::Suspended {
            "suspended"
        } else {
            "active"
        }
    }

    /// In the org directory (listed by the admin API).
    pub fn in_directory(&self) -> bool {
        !self.removed
            && self.account_type == AccountType::Atlassian
            && self.membership != Membership::None
    }

    /// Can use products now (not suspended, removed or deactivated).
    pub fn can_sign_in(&self) -> bool {
        self.in_directory()
            && self.membership == Membership::Active
            && self.account_status == AccountStatus::Active
    }
}

/// One group of the directory (groups are shared by the org and the site).
#[derive(Debug, Clone)]
pub struct Group {
    /// Plain UUID; the user API shows it as `ari:cloud:identity::group/<id>`.
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    /// Owned by the identity provider: writes through the API are refused.
    pub external_synced: bool,
    pub members: BTreeSet<UserIx>,
    /// Roles every member gets through this group.
    pub grants: Vec<Grant>,
}

/// A product of the site with its licence.
#[derive(Debug, Clone)]
pub struct ProductLicence {
    pub product: Product,
    pub seat_limit: u32,
}

/// One entry of the audit log (`events-stream`).
#[derive(Debug, Clone)]
pub struct Event {
    /// Position in the log, from 0; the event id is derived from it.
    pub seq: u64,
    pub id: String,
    pub time: DateTime<Utc>,
    /// Audit action key, e.g. `user_suspended`.
    pub action: &'static str,
    /// Account id of who did it.
    pub actor: String,
    /// Account id the change is about, if any.
    pub user: Option<String>,
    /// Group id the change is about, if any.
    pub group: Option<String>,
    pub message: String,
}

/// How a role came to a user (`roleAssignmentMethods`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AssignmentMethod {
    Direct,
    GroupDirect,
    Inferred,
}

impl AssignmentMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            AssignmentMethod::Direct => "direct",
            AssignmentMethod::GroupDirect => "group_direct",
            AssignmentMethod::Inferred => "inferred",
        }
    }
}

/// A role a user holds on a resource and every path that gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleAssignment {
    pub resource: Resource,
    pub role: Role,
    pub methods: Vec<AssignmentMethod>,
}

/// Why a mutation was refused. Handlers map these to each API's own error body.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StateError {
    #[error("no user with account id {0}")]
    UserNotFound(String),
    #[error("no group with id {0}")]
    GroupNotFound(String),
    #[error("user {user} is already a member of group {group}")]
    AlreadyMember { user: String, group: String },
    #[error("group {0} is synced from an identity provider: change it there")]
    GroupSynced(String),
    #[error("the {product} licence has no seat left (limit {limit})")]
    SeatLimit { product: &'static str, limit: u32 },
    #[error("{0}")]
    Invalid(String),
}

/// The whole simulated org. Fields are public for reads; change it only through the methods,
/// which keep the indices, the seat counts and the event log right.
#[derive(Debug, Clone)]
pub struct OrgState {
    pub org_id: String,
    pub org_name: String,
    /// The one directory (centralized user management).
    pub directory_id: String,
    pub directory_name: String,
    pub cloud_id: String,
    pub site_name: String,
    /// Base URL of the site APIs (the sandbox's own address once it listens).
    pub site_url: String,
    pub licences: Vec<ProductLicence>,
    pub users: Vec<User>,
    pub groups: Vec<Group>,
    pub events: Vec<Event>,
    user_ix: HashMap<String, UserIx>,
    group_ix: HashMap<String, GroupIx>,
    group_name_ix: HashMap<String, GroupIx>,
    /// Users holding each product (`Product::index()`), kept current by every mutation.
    seats_used: [u32; 3],
    /// Every user index ordered by nickname (case-insensitive), for `sortBy nick_name`.
    /// Nicknames never change here, so it is built once.
    by_nickname: Vec<UserIx>,
}

impl OrgState {
    /// Builds the state and its indices. `users[i].groups` must agree with `groups[g].members`.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        org_id: String,
        org_name: String,
        directory_id: String,
        cloud_id: String,
        site_name: String,
        licences: Vec<ProductLicence>,
        users: Vec<User>,
        groups: Vec<Group>,
    ) -> OrgState {
        let mut state = OrgState {
            org_id,
            org_name: org_name.clone(),
            directory_id,
            directory_name: format!("{org_name} directory"),
            cloud_id,
            site_url: format!("https://{site_name}.atlassian.net"),
            site_name,
            licences,
            users,
            groups,
            events: Vec::new(),
            user_ix: HashMap::new(),
            group_ix: HashMap::new(),
            group_name_ix: HashMap::new(),
            seats_used: [0; 3],
            by_nickname: Vec::new(),
        };
        state.reindex();
        state
    }

    fn reindex(&mut self) {
        self.user_ix = self
            .users
            .iter()
            .enumerate()
            .map(|(i, u)| (u.account_id.clone(), i as UserIx))
            .collect();
        self.group_ix = self
            .groups
            .iter()
            .enumerate()
            .map(|(i, g)| (g.id.clone(), i as GroupIx))
            .collect();
        self.group_name_ix = self
            .groups
            .iter()
            .enumerate()
            .map(|(i, g)| (g.name.clone(), i as GroupIx))
            .collect();
        let mut used = [0u32; 3];
        for ix in 0..self.users.len() {
            for p in self.product_access(ix as UserIx) {
                used[p.index()] += 1;
            }
        }
        self.seats_used = used;
        let mut order: Vec<(String, UserIx)> = self
            .users
            .iter()
            .enumerate()
            .map(|(i, u)| (u.nickname.to_lowercase(), i as UserIx))
            .collect();
        order.sort_unstable();
        self.by_nickname = order.into_iter().map(|(_, i)| i).collect();
    }

    /// Every user index, ordered by nickname then index (ascending).
    pub fn by_nickname(&self) -> &[UserIx] {
        &self.by_nickname
    }

    // ---- lookups -------------------------------------------------------------------------

    /// Index of an account id (removed users included: check `removed`).
    pub fn user_ix(&self, account_id: &str) -> Option<UserIx> {
        self.user_ix.get(account_id).copied()
    }

    pub fn user(&self, ix: UserIx) -> &User {
        &self.users[ix as usize]
    }

    /// Index of a group by its id, accepting the plain UUID or `ari:cloud:identity::group/<id>`.
    pub fn group_ix(&self, group_id: &str) -> Option<GroupIx> {
        let id = group_id
            .strip_prefix("ari:cloud:identity::group/")
            .unwrap_or(group_id);
        self.group_ix.get(id).copied()
    }

    pub fn group_ix_by_name(&self, name: &str) -> Option<GroupIx> {
        self.group_name_ix.get(name).copied()
    }

    pub fn group(&self, ix: GroupIx) -> &Group {
        &self.groups[ix as usize]
    }

    pub fn licence(&self, product: Product) -> Option<&ProductLicence> {
        self.licences.iter().find(|l| l.product == product)
    }

    /// ARI of a resource, as in the spec examples.
    pub fn resource_ari(&self, resource: Resource) -> String {
        match resource {
            Resource::Org => format!("ari:cloud:platform::org/{}", self.org_id),
            Resource::Site => format!("ari:cloud:platform::site/{}", self.cloud_id),
            Resource::Product(p) => format!("ari:cloud:{}::site/{}", p.key(), self.cloud_id),
        }
    }

    /// Resolves an ARI of this org's org, site or products.
    pub fn resource_from_ari(&self, ari: &str) -> Option<Resource> {
        if ari == self.resource_ari(Resource::Org) {
            return Some(Resource::Org);
        }
        if ari == self.resource_ari(Resource::Site) {
            return Some(Resource::Site);
        }
        let rest = ari.strip_prefix("ari:cloud:")?;
        let (key, site) = rest.split_once("::site/")?;
        if site != self.cloud_id {
            return None;
        }
        Product::from_key(key).map(Resource::Product)
    }

    /// Owner of a resource as the API names it (`resourceOwner`).
    pub fn resource_owner(resource: Resource) -> &'static str {
        match resource {
            Resource::Org | Resource::Site => "platform",
            Resource::Product(p) => p.key(),
        }
    }

    // ---- derived queries -------------------------------------------------------------------

    /// Products the user can use now: through any group or a direct grant of a role that lets
    /// them in, and only while they can sign in (not suspended, removed or deactivated).
    pub fn product_access(&self, ix: UserIx) -> Vec<Product> {
        let user = self.user(ix);
        if !user.can_sign_in() {
            return Vec::new();
        }
        let mut has = [false; 3];
        let grants = user.direct_grants.iter().chain(
            user.groups
                .iter()
                .flat_map(|g| self.groups[*g as usize].grants.iter()),
        );
        for grant in grants {
            if let Resource::Product(p) = grant.resource
                && grant.role.grants_access()
            {
                has[p.index()] = true;
            }
        }
        Product::ALL
            .into_iter()
            .filter(|p| has[p.index()])
            .collect()
    }

    /// Every role the user holds, with every path that gives it. Groups give `group_direct`,
    /// direct grants `direct`; an admin of a product is also inferred to be its user.
    pub fn role_assignments(&self, ix: UserIx) -> Vec<RoleAssignment> {
        let user = self.user(ix);
        let mut out: Vec<RoleAssignment> = Vec::new();
        fn add(
            out: &mut Vec<RoleAssignment>,
            resource: Resource,
            role: Role,
            method: AssignmentMethod,
        ) {
            match out
                .iter_mut()
                .find(|a| a.resource == resource && a.role == role)
            {
                Some(a) => {
                    if !a.methods.contains(&method) {
                        a.methods.push(method);
                    }
                }
                None => out.push(RoleAssignment {
                    resource,
                    role,
                    methods: vec![method],
                }),
            }
        }
        for g in &user.groups {
            for grant in &self.groups[*g as usize].grants {
                add(
                    &mut out,
                    grant.resource,
                    grant.role,
                    AssignmentMethod::GroupDirect,
                );
            }
        }
        for grant in &user.direct_grants {
            add(
                &mut out,
                grant.resource,
                grant.role,
                AssignmentMethod::Direct,
            );
        }
        let admin_products: Vec<Resource> = out
            .iter()
            .filter(|a| a.role == Role::Admin && matches!(a.resource, Resource::Product(_)))
            .map(|a| a.resource)
            .collect();
        for resource in admin_products {
            add(&mut out, resource, Role::User, AssignmentMethod::Inferred);
        }
        out.sort_by_key(|a| (a.resource, a.role));
        for a in &mut out {
            a.methods.sort();
        }
        out
    }

    /// Platform roles shown on the user (`platformRoles`).
    pub fn platform_roles(&self, ix: UserIx) -> Vec<&'static str> {
        let mut roles = Vec::new();
        for a in self.role_assignments(ix) {
            let id = match a.role {
                Role::OrgAdmin => "atlassian/org-admin",
                Role::SiteAdmin => "atlassian/site-admin",
                _ => continue,
            };
            if !roles.contains(&id) {
                roles.push(id);
            }
        }
        roles
    }

    /// Users counting against the product's licence.
    pub fn seats_used(&self, product: Product) -> u32 {
        self.seats_used[product.index()]
    }

    /// Seats left before the licence limit (0 when full).
    pub fn seats_remaining(&self, product: Product) -> u32 {
        let limit = self.licence(product).map_or(0, |l| l.seat_limit);
        limit.saturating_sub(self.seats_used(product))
    }

    /// Roles granted to a group.
    pub fn group_grants(&self, ix: GroupIx) -> &[Grant] {
        &self.group(ix).grants
    }

    // ---- mutations -------------------------------------------------------------------------

    fn require_user(&self, account_id: &str) -> Result<UserIx, StateError> {
        match self.user_ix(account_id) {
            Some(ix) if !self.user(ix).removed => Ok(ix),
            _ => Err(StateError::UserNotFound(account_id.to_string())),
        }
    }

    fn require_group(&self, group_id: &str) -> Result<GroupIx, StateError> {
        self.group_ix(group_id)
            .ok_or_else(|| StateError::GroupNotFound(group_id.to_string()))
    }

    /// Applies `change` to one user and keeps the seat counts right; refuses (and undoes) the
    /// change when it would give the user a product whose licence is full.
    fn change_user<F: FnOnce(&mut OrgState)>(
        &mut self,
        ix: UserIx,
        check_seats: bool,
        change: F,
    ) -> Result<(), StateError> {
        let before = self.product_access(ix);
        let saved_user = self.users[ix as usize].clone();
        change(self);
        let after = self.product_access(ix);
        if check_seats {
            for p in &after {
                if !before.contains(p) && self.seats_remaining(*p) == 0 {
                    let limit = self.licence(*p).map_or(0, |l| l.seat_limit);
                    self.users[ix as usize] = saved_user;
                    return Err(StateError::SeatLimit {
                        product: p.key(),
                        limit,
                    });
                }
            }
        }
        for p in before.iter().filter(|p| !after.contains(p)) {
            self.seats_used[p.index()] -= 1;
        }
        for p in after.iter().filter(|p| !before.contains(p)) {
            self.seats_used[p.index()] += 1;
        }
        Ok(())
    }

    fn log(
        &mut self,
        action: &'static str,
        actor: &str,
        user: Option<UserIx>,
        group: Option<GroupIx>,
        message: String,
        now: DateTime<Utc>,
    ) {
        let seq = self.events.len() as u64;
        let event = Event {
            seq,
            id: format!("sandbox-event-{seq:08}"),
            time: now,
            action,
            actor: actor.to_string(),
            user: user.map(|u| self.user(u).account_id.clone()),
            group: group.map(|g| self.group(g).id.clone()),
            message,
        };
        self.events.push(event);
    }

    /// Suspends the user's directory access: keeps groups and roles, frees every seat.
    /// Suspending a suspended user is a no-op (no event).
    pub fn suspend(
        &mut self,
        account_id: &str,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StateError> {
        self.set_membership(account_id, Membership::Suspended, actor, now)
    }

    /// Restores a suspended user: groups and roles give their products again, subject to the
    /// seat limits.
    pub fn restore(
        &mut self,
        account_id: &str,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StateError> {
        self.set_membership(account_id, Membership::Active, actor, now)
    }

    /// The directory-access change behind suspend and restore: a no-op when already there;
    /// restoring takes seats again, so it checks the limits.
    fn set_membership(
        &mut self,
        account_id: &str,
        membership: Membership,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StateError> {
        let ix = self.require_user(account_id)?;
        if self.user(ix).membership == membership {
            return Ok(());
        }
        let restoring = membership == Membership::Active;
        self.change_user(ix, restoring, |s| {
            s.users[ix as usize].membership = membership
        })?;
        let (action, verb) = if restoring {
            ("user_restored", "Restored")
        } else {
            ("user_suspended", "Suspended")
        };
        self.log(
            action,
            actor,
            Some(ix),
            None,
            format!("{verb} access of {account_id}"),
            now,
        );
        Ok(())
    }

    /// Removes the user from the directory: every group and role goes; the account is gone from
    /// the org's lists (a re-invite would be needed).
    pub fn remove_from_directory(
        &mut self,
        account_id: &str,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StateError> {
        let ix = self.require_user(account_id)?;
        self.change_user(ix, false, |s| {
            let groups = std::mem::take(&mut s.users[ix as usize].groups);
            for g in groups {
                s.groups[g as usize].members.remove(&ix);
            }
            let user = &mut s.users[ix as usize];
            user.direct_grants.clear();
            user.membership = Membership::None;
            user.removed = true;
        })?;
        self.log(
            "user_removed_from_directory",
            actor,
            Some(ix),
            None,
            format!("Removed {account_id} from the directory"),
            now,
        );
        Ok(())
    }

    /// Adds a user to a group. Refused for IdP-synced groups, existing members and when a
    /// product the group grants has no seat left.
    pub fn add_to_group(
        &mut self,
        group_id: &str,
        account_id: &str,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StateError> {
        let g = self.require_group(group_id)?;
        let ix = self.require_user(account_id)?;
        if self.group(g).external_synced {
            return Err(StateError::GroupSynced(self.group(g).id.clone()));
        }
        if self.group(g).members.contains(&ix) {
            return Err(StateError::AlreadyMember {
                user: account_id.to_string(),
                group: self.group(g).id.clone(),
            });
        }
        let added = self.change_user(ix, true, |s| {
            s.groups[g as usize].members.insert(ix);
            s.users[ix as usize].groups.insert(g);
        });
        if let Err(e) = added {
            // change_user put the user back; the group side needs the same.
            self.groups[g as usize].members.remove(&ix);
            return Err(e);
        }
        let name = self.group(g).name.clone();
        self.log(
            "group_member_added",
            actor,
            Some(ix),
            Some(g),
            format!("Added {account_id} to group {name}"),
            now,
        );
        Ok(())
    }

    /// Removes a user from a group. Removing a non-member succeeds and changes nothing (the
    /// site APIs answer 204 for that); refused for IdP-synced groups.
    pub fn remove_from_group(
        &mut self,
        group_id: &str,
        account_id: &str,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StateError> {
        let g = self.require_group(group_id)?;
        let ix = self.require_user(account_id)?;
        if self.group(g).external_synced {
            return Err(StateError::GroupSynced(self.group(g).id.clone()));
        }
        if !self.group(g).members.contains(&ix) {
            return Ok(false);
        }
        self.change_user(ix, false, |s| {
            s.groups[g as usize].members.remove(&ix);
            s.users[ix as usize].groups.remove(&g);
        })?;
        let name = self.group(g).name.clone();
        self.log(
            "group_member_removed",
            actor,
            Some(ix),
            Some(g),
            format!("Removed {account_id} from group {name}"),
            now,
        );
        Ok(true)
    }

    /// Grants a role to the user directly. Granting a role the user already holds directly is a
    /// no-op; refused when it would take a seat the licence does not have.
    pub fn assign_role(
        &mut self,
        account_id: &str,
        grant: Grant,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StateError> {
        let ix = self.require_user(account_id)?;
        if self.user(ix).direct_grants.contains(&grant) {
            return Ok(());
        }
        self.change_user(ix, true, |s| s.users[ix as usize].direct_grants.push(grant))?;
        let msg = format!(
            "Assigned {} on {} to {account_id}",
            grant.role.id(),
            self.resource_ari(grant.resource)
        );
        self.log("user_role_assigned", actor, Some(ix), None, msg, now);
        Ok(())
    }

    /// Revokes a direct grant. Returns false when the user had no such direct grant (group
    /// grants are not touched: they go with the group membership).
    pub fn revoke_role(
        &mut self,
        account_id: &str,
        grant: Grant,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StateError> {
        let ix = self.require_user(account_id)?;
        if !self.user(ix).direct_grants.contains(&grant) {
            return Ok(false);
        }
        self.change_user(ix, false, |s| {
            s.users[ix as usize].direct_grants.retain(|g| *g != grant)
        })?;
        let msg = format!(
            "Revoked {} on {} from {account_id}",
            grant.role.id(),
            self.resource_ari(grant.resource)
        );
        self.log("user_role_revoked", actor, Some(ix), None, msg, now);
        Ok(true)
    }

    /// Deactivates the Atlassian account (user management lifecycle): no login anywhere, no
    /// seats. Only managed accounts can be deactivated.
    pub fn disable_account(
        &mut self,
        account_id: &str,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StateError> {
        self.set_account_status(account_id, AccountStatus::Inactive, actor, now)
    }

    /// Reactivates a deactivated managed account, subject to the seat limits.
    pub fn enable_account(
        &mut self,
        account_id: &str,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StateError> {
        self.set_account_status(account_id, AccountStatus::Active, actor, now)
    }

    /// The lifecycle change behind disable and enable: a no-op when the account is already
    /// there; reactivation takes seats again, so it checks the limits.
    fn set_account_status(
        &mut self,
        account_id: &str,
        status: AccountStatus,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StateError> {
        let ix = self.existing_account(account_id)?;
        if !self.user(ix).managed {
            return Err(StateError::Invalid(format!(
                "{account_id} is not a managed account"
            )));
        }
        if self.user(ix).account_status == status {
            return Ok(());
        }
        let reactivating = status == AccountStatus::Active;
        self.change_user(ix, reactivating, |s| {
            s.users[ix as usize].account_status = status
        })?;
        let (action, verb) = if reactivating {
            ("user_reactivated", "Reactivated")
        } else {
            ("user_deactivated", "Deactivated")
        };
        self.log(
            action,
            actor,
            Some(ix),
            None,
            format!("{verb} account {account_id}"),
            now,
        );
        Ok(())
    }

    /// Any account, removed from the directory or not (the account itself still exists).
    fn existing_account(&self, account_id: &str) -> Result<UserIx, StateError> {
        self.user_ix(account_id)
            .ok_or_else(|| StateError::UserNotFound(account_id.to_string()))
    }
}
