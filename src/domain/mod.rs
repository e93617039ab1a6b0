//! The words of the field, no I/O: users, groups, products, seats, activity.

mod activity;
mod directory;
mod group;
mod product;
mod protection;
mod reclaim;
mod sample;
mod seats;
mod sym;
mod user;

pub use activity::{Bucket, ProductActivity, activity};
pub use directory::Directory;
pub use group::Group;
pub use product::{
    PRODUCTS, Product, ProductEntry, is_product_key_shape, known_product_keys,
    normalize_product_key, product_entry, product_key_from_ari, product_name, resolve_product_key,
};
pub use protection::{Protection, ProtectionReason, ProtectionRules};
pub use reclaim::{IdleSeats, idle_seats};
pub use sample::{SAMPLE_COMPANY_DOMAIN, SAMPLE_SYNCED_GROUP, sample_directory};
pub use seats::{Seats, SeatsSource};
pub use sym::Sym;
pub use user::{AccountType, GroupRef, Inactivity, ProductAccess, User, UserStatus};
