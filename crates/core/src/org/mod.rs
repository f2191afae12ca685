//! The organisation: its departments (đơn vị) and its annual programmes
//! (chương trình công tác), and the administration's tables of both units
//! and accounts.

pub mod aliases;
pub mod departments;
pub mod programmes;
pub mod tables;
