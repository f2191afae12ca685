//! The organisation: its departments (đơn vị) and its annual programmes
//! (chương trình công tác).

pub mod aliases;
pub mod departments;
pub mod programmes;
