//! Users and their passwords (argon2id). A user belongs to a department
//! when staff; leaders and admins may too.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde::Serialize;
use utoipa::ToSchema;

use crate::{
    Clock,
    accounts::passwords::{check_password_policy, hash_password, verify_password},
    domain::{EmailAddress, Language, Role, Title, Username},
    entity::{department, user},
    error::{Error, FieldError, Result},
    messages::Msg,
    org::departments::{self, collect},
};

/// A user as shown to others (never the hash).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UserView {
    pub id: i64,
    pub username: String,
    pub full_name: String,
    pub email: Option<String>,
    pub position: Option<String>,
    pub role: Role,
    /// The department's code, for staff (and any leader or admin attached to one).
    pub department: Option<String>,
    pub department_name: Option<String>,
    pub active: bool,
    pub must_change_password: bool,
    /// `vi` or `en`: the pages after login and the notice mails to this person.
    pub language: Language,
}

/// The short form embedded in tasks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct UserRef {
    pub username: String,
    pub full_name: String,
}

impl From<&user::Model> for UserRef {
    fn from(m: &user::Model) -> Self {
        Self {
            username: m.username.clone(),
            full_name: m.full_name.clone(),
        }
    }
}

pub fn view(model: &user::Model, department: Option<&department::Model>) -> UserView {
    UserView {
        id: model.id,
        username: model.username.clone(),
        full_name: model.full_name.clone(),
        email: model.email.clone(),
        position: model.position.clone(),
        role: model.role,
        department: department.map(|d| d.code.clone()),
        department_name: department.map(|d| d.name.clone()),
        active: model.active,
        must_change_password: model.must_change_password,
        language: model.language,
    }
}

/// A job title as typed: empty means none.
fn parse_position(position: Option<&str>) -> Result<Option<Title>> {
    position
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| Title::parse("position", p, 120))
        .transpose()
}

/// What is needed to create a user.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub full_name: String,
    pub email: Option<String>,
    pub position: Option<String>,
    pub role: String,
    pub department: Option<String>,
    pub password: String,
    pub must_change_password: bool,
}

// Longer than 100 lines: every field's rule in turn, each error collected so the form names them all at once, then one insert.
pub async fn create<C: ConnectionTrait>(db: &C, clock: &Clock, input: NewUser) -> Result<UserView> {
    let mut errors: Vec<FieldError> = Vec::new();
    let username = collect(&mut errors, Username::parse("username", &input.username));
    let full_name = collect(
        &mut errors,
        Title::parse("full_name", &input.full_name, 120),
    );
    let email = collect(
        &mut errors,
        EmailAddress::parse_optional("email", input.email.as_deref()),
    )
    .flatten();
    let role = collect(&mut errors, input.role.parse::<Role>());
    if let Some(name) = &username {
        collect(
            &mut errors,
            check_password_policy("password", &input.password, name.as_str()),
        );
    }
    let position = collect(&mut errors, parse_position(input.position.as_deref())).flatten();

    let department = match input
        .department
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty())
    {
        Some(code) => match departments::find_by_code(db, code).await? {
            Some(found) => Some(found),
            None => {
                errors.push(FieldError::new(
                    "department",
                    "unknown",
                    Msg::UnknownDepartmentCode {
                        code: code.to_string(),
                    },
                ));
                None
            }
        },
        None => None,
    };
    if role == Some(Role::Staff)
        && department.is_none()
        && input
            .department
            .as_deref()
            .is_none_or(|d| d.trim().is_empty())
    {
        errors.push(FieldError::new(
            "department",
            "required",
            Msg::StaffNeedsDepartment,
        ));
    }
    if let Some(name) = &username
        && user::Entity::find()
            .filter(user::Column::Username.eq(name.as_str()))
            .one(db)
            .await?
            .is_some()
    {
        errors.push(FieldError::new(
            "username",
            "duplicate",
            Msg::DuplicateUsername {
                name: name.to_string(),
            },
        ));
    }
    if !errors.is_empty() {
        return Err(Error::Validation(errors));
    }
    let (Some(username), Some(full_name), Some(role)) = (username, full_name, role) else {
        return Err(Error::Validation(errors));
    };
    let hash = hash_password(&input.password)?;
    let now = clock.now();
    let model = user::ActiveModel {
        username: Set(username.into_inner()),
        full_name: Set(full_name.into_inner()),
        email: Set(email.map(EmailAddress::into_inner)),
        position: Set(position.map(Title::into_inner)),
        role: Set(role),
        department_id: Set(department.as_ref().map(|d| d.id)),
        password_hash: Set(hash),
        active: Set(true),
        must_change_password: Set(input.must_change_password),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(view(&model, department.as_ref()))
}

pub async fn find_by_username<C: ConnectionTrait>(
    db: &C,
    username: &str,
) -> Result<Option<user::Model>> {
    Ok(user::Entity::find()
        .filter(user::Column::Username.eq(username.trim().to_ascii_lowercase()))
        .one(db)
        .await?)
}

pub async fn list<C: ConnectionTrait>(db: &C) -> Result<Vec<UserView>> {
    let users = user::Entity::find()
        .order_by_asc(user::Column::Username)
        .all(db)
        .await?;
    let departments = department::Entity::find().all(db).await?;
    Ok(users
        .iter()
        .map(|u| {
            let dept = u
                .department_id
                .and_then(|id| departments.iter().find(|d| d.id == id));
            view(u, dept)
        })
        .collect())
}

/// Sets a new password (and whether it must be changed at next login).
pub async fn set_password<C: ConnectionTrait>(
    db: &C,
    clock: &Clock,
    user: user::Model,
    password: &str,
    must_change: bool,
) -> Result<()> {
    check_password_policy("password", password, &user.username)?;
    let hash = hash_password(password)?;
    let mut active: user::ActiveModel = user.into();
    active.password_hash = Set(hash);
    active.must_change_password = Set(must_change);
    active.updated_at = Set(clock.now());
    active.update(db).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_and_verify() {
        let hash = hash_password("mật-khẩu-rất-dài").unwrap();
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(verify_password("mật-khẩu-rất-dài", &hash));
        assert!(!verify_password("sai", &hash));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn password_policy_names_the_problem() {
        assert!(check_password_policy("password", "short", "an").is_err());
        assert!(check_password_policy("password", "an.nguyen-2026", "an.nguyen").is_err());
        assert!(check_password_policy("password", "lanhdao-demo-2026", "chutich").is_ok());
    }
}

/// Who changes their password, from where, and the session they keep.
pub struct PasswordChange<'a> {
    pub user_id: i64,
    pub keep_token_id: i64,
    pub remote_addr: Option<&'a str>,
    pub current_password: &'a str,
    pub new_password: &'a str,
}

/// Changes one's own password after checking the current one; logs out
/// every other token and session of the user. The current password is a
/// password attempt like a login's: counted first, and throttled with them,
/// so a stolen session cannot be used to guess it.
pub async fn change_own_password(
    db: &crate::db::Db,
    clock: &Clock,
    settings: &crate::config::AuthSettings,
    change: PasswordChange<'_>,
) -> Result<()> {
    let PasswordChange {
        user_id,
        keep_token_id,
        remote_addr,
        current_password,
        new_password,
    } = change;
    let Some(model) = user::Entity::find_by_id(user_id).one(db).await? else {
        return Err(Error::Unauthenticated);
    };
    crate::accounts::throttle::count_attempt(
        db,
        settings,
        &model.username,
        remote_addr,
        clock.now(),
    )
    .await?;
    let hash = model.password_hash.clone();
    let current = current_password.to_string();
    let matches = tokio::task::spawn_blocking(move || verify_password(&current, &hash))
        .await
        .map_err(|err| Error::Unexpected(anyhow::anyhow!("password check failed: {err}")))?;
    if !matches {
        return Err(Error::field(
            "current_password",
            "wrong_password",
            Msg::WrongPassword,
        ));
    }
    crate::accounts::throttle::clear(db, &model.username).await?;
    if current_password == new_password {
        return Err(Error::field(
            "new_password",
            "unchanged",
            Msg::PasswordUnchanged,
        ));
    }
    // The new password and the logout of every other session land together.
    let txn = crate::db::begin_write(db).await?;
    let db = &txn;
    set_password(db, clock, model, new_password, false).await?;
    use sea_orm::sea_query::Expr;
    crate::entity::auth_token::Entity::update_many()
        .col_expr(
            crate::entity::auth_token::Column::RevokedAt,
            Expr::value(Some(clock.now())),
        )
        .filter(crate::entity::auth_token::Column::UserId.eq(user_id))
        .filter(crate::entity::auth_token::Column::Id.ne(keep_token_id))
        .filter(crate::entity::auth_token::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    txn.commit().await?;
    Ok(())
}

/// One user by username.
pub async fn get<C: ConnectionTrait>(db: &C, username: &str) -> Result<UserView> {
    let Some(model) = find_by_username(db, username).await? else {
        return Err(Error::NotFound(Msg::NotFoundUser {
            username: username.to_string(),
        }));
    };
    let dept = match model.department_id {
        Some(id) => departments::find_by_id(db, id).await?,
        None => None,
    };
    Ok(view(&model, dept.as_ref()))
}

/// What an admin may change about a user.
#[derive(Debug, Clone, Default)]
pub struct UserChanges {
    pub full_name: Option<String>,
    pub email: Option<Option<String>>,
    pub role: Option<String>,
    pub department: Option<Option<String>>,
    /// The job title; `Some(None)` or `Some(Some(""))` clears it.
    pub position: Option<Option<String>>,
    pub active: Option<bool>,
    /// A new password, which the user must change at next login.
    pub password: Option<String>,
    /// `vi` or `en`.
    pub language: Option<String>,
}

/// An administrator may not deactivate their own account or change their
/// own role: nobody would be left to undo it.
fn refuse_self_lockout(existing: &user::Model, actor_id: i64, changes: &UserChanges) -> Result<()> {
    if existing.id != actor_id {
        return Ok(());
    }
    if changes.active == Some(false) {
        return Err(Error::field("active", "self_lockout", Msg::SelfDeactivate));
    }
    if changes
        .role
        .as_deref()
        .is_some_and(|r| r.trim() != existing.role.as_str())
    {
        return Err(Error::field("role", "self_lockout", Msg::SelfRoleChange));
    }
    Ok(())
}

/// Changes a user. `actor_id` is who asks: an administrator cannot lock
/// themselves out (deactivate or demote their own account) — that could
/// leave the office without anyone able to manage accounts.
// Longer than 100 lines: each changeable field's rule in turn, errors collected, then one update and the sessions it ends.
pub async fn update<C: ConnectionTrait>(
    db: &C,
    clock: &Clock,
    actor_id: i64,
    username: &str,
    changes: UserChanges,
) -> Result<UserView> {
    let Some(existing) = find_by_username(db, username).await? else {
        return Err(Error::NotFound(Msg::NotFoundUser {
            username: username.to_string(),
        }));
    };
    refuse_self_lockout(&existing, actor_id, &changes)?;
    let mut errors: Vec<FieldError> = Vec::new();
    let full_name = collect(
        &mut errors,
        changes
            .full_name
            .as_deref()
            .map(|n| Title::parse("full_name", n, 120))
            .transpose(),
    )
    .flatten();
    let email = match &changes.email {
        Some(e) => collect(
            &mut errors,
            EmailAddress::parse_optional("email", e.as_deref()),
        )
        .map(Some),
        None => None,
    };
    let role = collect(
        &mut errors,
        changes.role.as_deref().map(str::parse::<Role>).transpose(),
    )
    .flatten();
    let position = match &changes.position {
        Some(p) => collect(&mut errors, parse_position(p.as_deref())),
        None => None,
    };
    let language = collect(
        &mut errors,
        changes
            .language
            .as_deref()
            .map(str::parse::<Language>)
            .transpose(),
    )
    .flatten();
    let department = match &changes.department {
        Some(Some(code)) if !code.trim().is_empty() => {
            match departments::find_by_code(db, code).await? {
                Some(d) => Some(Some(d)),
                None => {
                    errors.push(FieldError::new(
                        "department",
                        "unknown",
                        Msg::UnknownDepartmentCode {
                            code: code.to_string(),
                        },
                    ));
                    None
                }
            }
        }
        Some(_) => Some(None),
        None => None,
    };
    if let Some(p) = &changes.password {
        collect(
            &mut errors,
            check_password_policy("password", p, &existing.username),
        );
    }
    let final_role = role.unwrap_or(existing.role);
    let final_dept = match &department {
        Some(d) => d.as_ref().map(|d| d.id),
        None => existing.department_id,
    };
    if final_role == Role::Staff && final_dept.is_none() {
        errors.push(FieldError::new(
            "department",
            "required",
            Msg::StaffNeedsDepartment,
        ));
    }
    if !errors.is_empty() {
        return Err(Error::Validation(errors));
    }
    let deactivated = changes.active == Some(false) && existing.active;
    let user_id = existing.id;
    let mut active: user::ActiveModel = existing.into();
    if let Some(n) = full_name {
        active.full_name = Set(n.into_inner());
    }
    if let Some(e) = email {
        active.email = Set(e.flatten().map(EmailAddress::into_inner));
    }
    if let Some(r) = role {
        active.role = Set(r);
    }
    if let Some(p) = position {
        active.position = Set(p.map(Title::into_inner));
    }
    if let Some(d) = &department {
        active.department_id = Set(d.as_ref().map(|d| d.id));
    }
    if let Some(a) = changes.active {
        active.active = Set(a);
    }
    if let Some(l) = language {
        active.language = Set(l);
    }
    if let Some(p) = &changes.password {
        active.password_hash = Set(hash_password(p)?);
        active.must_change_password = Set(true);
    }
    active.updated_at = Set(clock.now());
    let saved = active.update(db).await?;
    if deactivated || changes.password.is_some() {
        crate::accounts::sessions::logout_everywhere(db, clock, user_id).await?;
    }
    let dept = match saved.department_id {
        Some(id) => departments::find_by_id(db, id).await?,
        None => None,
    };
    Ok(view(&saved, dept.as_ref()))
}

/// Sets one's own language (the pages' switch, the notice choices page).
pub async fn set_own_language<C: ConnectionTrait>(
    db: &C,
    now: chrono::DateTime<chrono::Utc>,
    user_id: i64,
    language: Language,
) -> Result<()> {
    user::Entity::update_many()
        .col_expr(
            user::Column::Language,
            sea_orm::sea_query::Expr::value(language.as_str()),
        )
        .col_expr(
            user::Column::UpdatedAt,
            sea_orm::sea_query::Expr::value(now),
        )
        .filter(user::Column::Id.eq(user_id))
        .exec(db)
        .await?;
    Ok(())
}

/// Gives an account a new random password, which its owner must change at
/// next login (the forced change of the password pages), and logs it out
/// everywhere, in one transaction. Returns the password, which is stored
/// only as its hash: the caller shows it once.
pub async fn reset_password(
    db: &crate::db::Db,
    clock: &Clock,
    actor_id: i64,
    username: &str,
) -> Result<String> {
    let Some(existing) = find_by_username(db, username).await? else {
        return Err(Error::NotFound(Msg::NotFoundUser {
            username: username.to_string(),
        }));
    };
    let password = crate::accounts::passwords::temporary_password(&existing.username);
    let txn = crate::db::begin_write(db).await?;
    update(
        &txn,
        clock,
        actor_id,
        &existing.username,
        UserChanges {
            password: Some(password.clone()),
            ..Default::default()
        },
    )
    .await?;
    txn.commit().await?;
    Ok(password)
}
