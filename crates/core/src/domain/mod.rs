//! Domain vocabulary: the enums the product speaks in, validated values, and
//! the pure rules (timeliness). Nothing here touches a database or a clock.

pub mod enums;
pub mod facts;
pub mod fields;
pub mod figure;
pub mod text;
pub mod timeliness;
pub mod values;

pub use enums::*;
pub use timeliness::{Timeliness, TimelinessInfo, timeliness};
pub use values::*;
