//! Task pages: the list ("Nhiệm vụ của đơn vị" for staff), the task page,
//! and the forms — its one update form, extension requests, leaders'
//! confirmation, the recurrence, and a new task.

mod forms;
mod list;
mod show;

pub use forms::{confirm, create, new_form, request_extension, set_recurrence, update};
pub use list::list;
pub use show::show;
