//! Programmes (chương trình công tác): one per year; they own the tasks.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde::Serialize;
use utoipa::ToSchema;

use crate::{Clock, entity::programme, error::Result};

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Programme {
    pub id: i64,
    pub year: i32,
    pub title: String,
}

impl From<programme::Model> for Programme {
    fn from(m: programme::Model) -> Self {
        Self {
            id: m.id,
            year: m.year,
            title: m.title,
        }
    }
}

pub fn default_title(year: i32, organization: &str) -> String {
    format!("Chương trình làm việc năm {year} của {organization}")
}

pub async fn find_by_year<C: ConnectionTrait>(
    db: &C,
    year: i32,
) -> Result<Option<programme::Model>> {
    Ok(programme::Entity::find()
        .filter(programme::Column::Year.eq(year))
        .one(db)
        .await?)
}

/// The programme of `year`, created with a default title if there is none.
pub async fn get_or_create<C: ConnectionTrait>(
    db: &C,
    clock: &Clock,
    year: i32,
    title: &str,
) -> Result<programme::Model> {
    if let Some(found) = find_by_year(db, year).await? {
        return Ok(found);
    }
    Ok(programme::ActiveModel {
        year: Set(year),
        title: Set(title.to_string()),
        created_at: Set(clock.now()),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

pub async fn list<C: ConnectionTrait>(db: &C) -> Result<Vec<Programme>> {
    Ok(programme::Entity::find()
        .order_by_desc(programme::Column::Year)
        .all(db)
        .await?
        .into_iter()
        .map(Programme::from)
        .collect())
}
