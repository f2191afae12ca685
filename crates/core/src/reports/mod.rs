//! Reports: the figures leaders read (per year, per department, field and
//! leader), the overdue list, meeting snapshots and the periodic review.

pub mod export;
pub mod figures;
pub mod overdue;
pub mod review;
pub mod snapshots;
pub mod stats;
