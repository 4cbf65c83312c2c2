//! The console's own kinds: contexts and the audit trail.

pub mod audit;
pub mod contexts;
pub mod session;
