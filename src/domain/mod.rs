//! The words of the field, no I/O: users, groups, products, seats, activity.
