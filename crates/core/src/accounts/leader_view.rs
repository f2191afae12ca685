//! Each leader's own view ("Nhiệm vụ tôi phụ trách"): the dashboard, the
//! overdue list and the task list limited to the tasks a leader is in
//! charge of. It is the default for a deputy (a Vice-Chairman — "Phó Chủ
//! tịch" — whose position names him a deputy: "phó", "vice" or "deputy"),
//! who follows his own fields; the head of the organisation and the office
//! see the whole organisation by default. Either is one click from the
//! other.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter};

use crate::{
    accounts::principal::Principal,
    domain::Role,
    entity::{task, user},
    error::Result,
};

/// What a signed-in person's own view is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OwnView {
    /// The leader's username when they are in charge of at least one task
    /// (the switch between their tasks and the organisation shows).
    pub own: Option<String>,
    /// Their own tasks are shown unless they ask for the whole organisation.
    pub by_default: bool,
}

/// Whether a position names its holder a deputy.
pub fn is_deputy(position: &str) -> bool {
    let p = position.to_lowercase();
    p.split(|c: char| !c.is_alphanumeric())
        .any(|w| matches!(w, "phó" | "vice" | "deputy"))
        || p.contains("vice-")
}

/// The own view of `viewer` (nothing for staff and admins).
pub async fn own_view<C: ConnectionTrait>(db: &C, viewer: &Principal) -> Result<OwnView> {
    if viewer.role != Role::Leader {
        return Ok(OwnView::default());
    }
    let in_charge = task::Entity::find()
        .filter(task::Column::LeaderInChargeId.eq(viewer.user_id))
        .count(db)
        .await?
        > 0;
    if !in_charge {
        return Ok(OwnView::default());
    }
    let position = user::Entity::find_by_id(viewer.user_id)
        .one(db)
        .await?
        .and_then(|u| u.position)
        .unwrap_or_default();
    Ok(OwnView {
        own: Some(viewer.username.clone()),
        by_default: is_deputy(&position),
    })
}

#[cfg(test)]
mod tests {
    use super::is_deputy;

    #[test]
    fn deputies_are_told_by_their_position() {
        assert!(is_deputy("Phó Chủ tịch UBND huyện"));
        assert!(is_deputy("Vice-Chairman"));
        assert!(is_deputy("Deputy Chairman"));
        assert!(!is_deputy("Chủ tịch UBND huyện"));
        assert!(!is_deputy("Chánh Văn phòng"));
        assert!(!is_deputy(""));
    }
}
