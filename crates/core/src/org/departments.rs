//! Departments (đơn vị): offices, agencies, communes and towns. The
//! department, not a person, is who a task is assigned to.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde::Serialize;
use utoipa::ToSchema;

use crate::{
    Clock,
    domain::{DepartmentCode, DepartmentKind, EmailAddress, Title},
    entity::department,
    error::{Error, FieldError, Result},
    messages::Msg,
};

/// A department as every reader sees it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Department {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub kind: DepartmentKind,
    pub email: Option<String>,
    pub active: bool,
}

/// The short form embedded in tasks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct DepartmentRef {
    pub code: String,
    pub name: String,
}

impl From<department::Model> for Department {
    fn from(m: department::Model) -> Self {
        Self {
            id: m.id,
            code: m.code,
            name: m.name,
            kind: m.kind,
            email: m.email,
            active: m.active,
        }
    }
}

impl From<&department::Model> for DepartmentRef {
    fn from(m: &department::Model) -> Self {
        Self {
            code: m.code.clone(),
            name: m.name.clone(),
        }
    }
}

pub async fn list<C: ConnectionTrait>(db: &C, include_inactive: bool) -> Result<Vec<Department>> {
    let mut query = department::Entity::find()
        .order_by_asc(department::Column::Kind)
        .order_by_asc(department::Column::Code);
    if !include_inactive {
        query = query.filter(department::Column::Active.eq(true));
    }
    Ok(query
        .all(db)
        .await?
        .into_iter()
        .map(Department::from)
        .collect())
}

pub async fn find_by_code<C: ConnectionTrait>(
    db: &C,
    code: &str,
) -> Result<Option<department::Model>> {
    Ok(department::Entity::find()
        .filter(department::Column::Code.eq(code.trim().to_ascii_uppercase()))
        .one(db)
        .await?)
}

pub async fn get_by_code<C: ConnectionTrait>(db: &C, code: &str) -> Result<department::Model> {
    find_by_code(db, code).await?.ok_or_else(|| {
        Error::NotFound(Msg::NotFoundDepartment {
            code: code.to_string(),
        })
    })
}

/// Resolves a department written by a person: its code, or its exact name
/// (compared without case and diacritics), as the import contract allows.
pub async fn resolve<C: ConnectionTrait>(
    db: &C,
    code_or_name: &str,
) -> Result<Option<department::Model>> {
    if let Some(found) = find_by_code(db, code_or_name).await? {
        return Ok(Some(found));
    }
    let wanted = crate::domain::text::fold(code_or_name);
    let all = department::Entity::find().all(db).await?;
    Ok(all
        .into_iter()
        .find(|d| crate::domain::text::fold(&d.name) == wanted))
}

/// What an admin sends to create a department.
#[derive(Debug, Clone)]
pub struct NewDepartment {
    pub code: String,
    pub name: String,
    pub kind: String,
    pub email: Option<String>,
}

pub async fn create<C: ConnectionTrait>(
    db: &C,
    clock: &Clock,
    input: NewDepartment,
) -> Result<Department> {
    let mut errors: Vec<FieldError> = Vec::new();
    let code = collect(&mut errors, DepartmentCode::parse("code", &input.code));
    let name = collect(&mut errors, Title::parse("name", &input.name, 200));
    let kind = collect(&mut errors, input.kind.parse::<DepartmentKind>());
    let email = collect(
        &mut errors,
        EmailAddress::parse_optional("email", input.email.as_deref()),
    );
    if !errors.is_empty() {
        return Err(Error::Validation(errors));
    }
    let (Some(code), Some(name), Some(kind), Some(email)) = (code, name, kind, email) else {
        return Err(Error::Validation(errors));
    };
    if find_by_code(db, code.as_str()).await?.is_some() {
        return Err(Error::Validation(vec![FieldError::new(
            "code",
            "duplicate",
            Msg::DuplicateDepartmentCode {
                code: code.to_string(),
            },
        )]));
    }
    let now = clock.now();
    let model = department::ActiveModel {
        code: Set(code.into_inner()),
        name: Set(name.into_inner()),
        kind: Set(kind),
        email: Set(email.map(EmailAddress::into_inner)),
        active: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(model.into())
}

/// A partial update; `None` leaves a value as it is.
#[derive(Debug, Clone, Default)]
pub struct DepartmentChanges {
    pub name: Option<String>,
    pub kind: Option<String>,
    /// `Some(None)` or `Some(Some(""))` clears the address.
    pub email: Option<Option<String>>,
    pub active: Option<bool>,
}

pub async fn update<C: ConnectionTrait>(
    db: &C,
    clock: &Clock,
    code: &str,
    changes: DepartmentChanges,
) -> Result<Department> {
    let existing = get_by_code(db, code).await?;
    let mut errors = Vec::new();
    let name = changes
        .name
        .as_deref()
        .map(|n| Title::parse("name", n, 200))
        .transpose();
    let name = collect(&mut errors, name).flatten();
    let kind = collect(
        &mut errors,
        changes
            .kind
            .as_deref()
            .map(str::parse::<DepartmentKind>)
            .transpose(),
    )
    .flatten();
    let email = match &changes.email {
        None => None,
        Some(value) => collect(
            &mut errors,
            EmailAddress::parse_optional("email", value.as_deref()),
        )
        .map(Some),
    };
    if !errors.is_empty() {
        return Err(Error::Validation(errors));
    }
    let mut active: department::ActiveModel = existing.into();
    if let Some(name) = name {
        active.name = Set(name.into_inner());
    }
    if let Some(kind) = kind {
        active.kind = Set(kind);
    }
    if let Some(email) = email {
        active.email = Set(email.flatten().map(EmailAddress::into_inner));
    }
    if let Some(flag) = changes.active {
        active.active = Set(flag);
    }
    active.updated_at = Set(clock.now());
    Ok(active.update(db).await?.into())
}

/// Keeps the value of a parse, or records its field errors.
pub(crate) fn collect<T>(errors: &mut Vec<FieldError>, result: Result<T>) -> Option<T> {
    match result {
        Ok(value) => Some(value),
        Err(Error::Validation(mut fields)) => {
            errors.append(&mut fields);
            None
        }
        Err(other) => {
            errors.push(FieldError::new(
                "",
                "invalid",
                Msg::Other {
                    detail: other.to_string(),
                },
            ));
            None
        }
    }
}

pub async fn find_by_id<C: ConnectionTrait>(db: &C, id: i64) -> Result<Option<department::Model>> {
    Ok(department::Entity::find_by_id(id).one(db).await?)
}
