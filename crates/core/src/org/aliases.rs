//! Other names of the departments (tên gọi khác): abbreviations and ways
//! the annexes write a unit ("TN&MT", "TC-KH", "Phòng Văn hóa"), kept by
//! the administrator and matched by the import without case or diacritics.
//! One alias names one department.

use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use serde::Serialize;
use utoipa::ToSchema;

use crate::{
    Clock,
    accounts::policy::{self, Action},
    accounts::principal::Principal,
    db::{self, Db},
    domain::text::fold,
    entity::{department, department_alias},
    error::{Error, FieldError, Result},
    messages::Msg,
};

/// Longest alias, in characters.
pub const MAX_ALIAS: usize = 200;

/// An alias with its department.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Alias {
    pub id: i64,
    pub alias: String,
    pub department_code: String,
    pub department_name: String,
}

/// Every alias, by department then alias.
pub async fn list(db: &Db, user: &Principal) -> Result<Vec<Alias>> {
    policy::require(user, Action::ManageDepartments, None)?;
    let departments: std::collections::HashMap<i64, department::Model> = department::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|d| (d.id, d))
        .collect();
    let mut all: Vec<Alias> = department_alias::Entity::find()
        .order_by_asc(department_alias::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|a| {
            let d = departments.get(&a.department_id);
            Alias {
                id: a.id,
                alias: a.alias,
                department_code: d.map(|d| d.code.clone()).unwrap_or_default(),
                department_name: d.map(|d| d.name.clone()).unwrap_or_default(),
            }
        })
        .collect();
    all.sort_by(|a, b| {
        (&a.department_name, fold(&a.alias)).cmp(&(&b.department_name, fold(&b.alias)))
    });
    Ok(all)
}

/// Adds `alias` to the department with `department_code` (admin).
pub async fn add(
    db: &Db,
    clock: &Clock,
    user: &Principal,
    department_code: &str,
    alias: &str,
) -> Result<i64> {
    policy::require(user, Action::ManageDepartments, None)?;
    let alias = crate::domain::text::one_line(alias);
    let folded = fold(&alias);
    let mut errors = Vec::new();
    if folded.is_empty() {
        errors.push(FieldError::new("alias", "required", Msg::AliasRequired));
    } else if alias.chars().count() > MAX_ALIAS {
        errors.push(FieldError::new(
            "alias",
            "too_long",
            Msg::TooLong { max: MAX_ALIAS },
        ));
    }
    let txn = db::begin_write(db).await?;
    let target = department::Entity::find()
        .filter(department::Column::Code.eq(department_code.trim()))
        .one(&txn)
        .await?;
    if target.is_none() {
        errors.push(FieldError::new(
            "department",
            "unknown",
            Msg::AliasUnknownDepartment,
        ));
    }
    if !folded.is_empty()
        && let Some(taken) = department_alias::Entity::find()
            .filter(department_alias::Column::Folded.eq(folded.as_str()))
            .one(&txn)
            .await?
    {
        let owner = department::Entity::find_by_id(taken.department_id)
            .one(&txn)
            .await?
            .map(|d| d.name)
            .unwrap_or_default();
        errors.push(FieldError::new(
            "alias",
            "taken",
            Msg::AliasTaken {
                alias: taken.alias,
                department: owner,
            },
        ));
    }
    let Some(target) = target.filter(|_| errors.is_empty()) else {
        return Err(Error::Validation(errors));
    };
    let saved = department_alias::ActiveModel {
        department_id: Set(target.id),
        alias: Set(alias),
        folded: Set(folded),
        created_at: Set(clock.now()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    Ok(saved.id)
}

/// Removes an alias (admin); removing one already gone is not an error.
pub async fn remove(db: &Db, user: &Principal, id: i64) -> Result<()> {
    policy::require(user, Action::ManageDepartments, None)?;
    department_alias::Entity::delete_by_id(id).exec(db).await?;
    Ok(())
}
