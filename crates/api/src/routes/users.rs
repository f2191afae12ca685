//! User accounts (admin).

use actix_web::{HttpResponse, get, patch, post, web};
use dondoc_core::{
    accounts::policy::{self, Action},
    accounts::users::{self, NewUser, UserChanges, UserView},
};
use serde::{Deserialize, Deserializer};
use utoipa::ToSchema;

use crate::{
    extract::{CurrentUser, Json},
    problem::{ApiResult, ProblemBody},
    routes::{created, ok},
    state::AppState,
};

/// Distinguishes an absent field (`None`) from an explicit `null` (`Some(None)`).
pub fn double_option<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Option<String>>, D::Error> {
    Ok(Some(Option::<String>::deserialize(deserializer)?))
}

/// Every account (admin).
#[utoipa::path(
    tag = "users",
    responses((status = 200, body = Vec<UserView>), (status = 403, body = ProblemBody)),
    security(("bearer" = []), ("session" = []))
)]
#[get("/users")]
pub async fn list(state: web::Data<AppState>, user: CurrentUser) -> ApiResult<HttpResponse> {
    policy::require(&user, Action::ManageUsers, None)?;
    Ok(ok(&users::list(&state.db).await?))
}

/// One account (admin).
#[utoipa::path(
    tag = "users",
    params(("username" = String, Path)),
    responses((status = 200, body = UserView), (status = 403, body = ProblemBody), (status = 404, body = ProblemBody)),
    security(("bearer" = []), ("session" = []))
)]
#[get("/users/{username}")]
pub async fn get(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    policy::require(&user, Action::ManageUsers, None)?;
    Ok(ok(&users::get(&state.db, &path.into_inner()).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUser {
    pub username: String,
    pub full_name: String,
    pub email: Option<String>,
    /// Job title, e.g. "Phó Chủ tịch UBND huyện".
    pub position: Option<String>,
    /// `admin`, `leader` or `staff`.
    pub role: String,
    /// Department code; required for staff.
    pub department: Option<String>,
    /// At least 10 characters; the user must change it at first login.
    pub password: String,
}

/// Create an account (admin).
#[utoipa::path(
    tag = "users",
    request_body = CreateUser,
    responses((status = 201, body = UserView), (status = 403, body = ProblemBody), (status = 422, body = ProblemBody)),
    security(("bearer" = []), ("session" = []))
)]
#[post("/users")]
pub async fn create(
    state: web::Data<AppState>,
    user: CurrentUser,
    body: Json<CreateUser>,
) -> ApiResult<HttpResponse> {
    policy::require(&user, Action::ManageUsers, None)?;
    let b = body.0;
    let view = users::create(
        &state.db,
        &state.clock,
        NewUser {
            username: b.username,
            full_name: b.full_name,
            email: b.email,
            position: b.position,
            role: b.role,
            department: b.department,
            password: b.password,
            must_change_password: true,
        },
    )
    .await?;
    Ok(created(format!("/api/v1/users/{}", view.username), &view))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateUser {
    pub full_name: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub email: Option<Option<String>>,
    pub role: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub department: Option<Option<String>>,
    /// Job title, e.g. "Phó Chủ tịch UBND huyện"; `null` or `""` clears it.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub position: Option<Option<String>>,
    /// `false` deactivates the account and logs it out everywhere.
    pub active: Option<bool>,
    /// Resets the password; the user must change it at next login.
    pub password: Option<String>,
    /// `vi` or `en`: the pages after login and the notice mails to the person.
    #[schema(value_type = Option<dondoc_core::domain::Language>)]
    pub language: Option<String>,
}

/// Change the name, e-mail, job title, role, department, language or
/// active flag of an account, or set a password of the administrator's
/// choosing (admin).
#[utoipa::path(
    tag = "users",
    params(("username" = String, Path)),
    request_body = UpdateUser,
    responses((status = 200, body = UserView), (status = 403, body = ProblemBody), (status = 404, body = ProblemBody), (status = 422, body = ProblemBody)),
    security(("bearer" = []), ("session" = []))
)]
#[patch("/users/{username}")]
pub async fn update(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<String>,
    body: Json<UpdateUser>,
) -> ApiResult<HttpResponse> {
    policy::require(&user, Action::ManageUsers, None)?;
    let b = body.0;
    let view = users::update(
        &state.db,
        &state.clock,
        user.user_id,
        &path.into_inner(),
        UserChanges {
            full_name: b.full_name,
            email: b.email,
            role: b.role,
            department: b.department,
            position: b.position,
            active: b.active,
            password: b.password,
            language: b.language,
        },
    )
    .await?;
    Ok(ok(&view))
}

/// A temporary password, returned this once.
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct PasswordReset {
    pub username: String,
    /// Hand it to the user; it works until they change it, which they must
    /// do at their next login.
    pub temporary_password: String,
    pub must_change_password: bool,
}

/// Reset an account's password to a generated temporary one (admin): the
/// user is logged out everywhere and must change it at the next login.
#[utoipa::path(
    tag = "users",
    params(("username" = String, Path)),
    responses((status = 200, body = PasswordReset), (status = 403, body = ProblemBody), (status = 404, body = ProblemBody)),
    security(("bearer" = []), ("session" = []))
)]
#[post("/users/{username}/password-reset")]
pub async fn reset_password(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    policy::require(&user, Action::ManageUsers, None)?;
    let username = path.into_inner();
    let temporary_password =
        users::reset_password(&state.db, &state.clock, user.user_id, &username).await?;
    tracing::info!(target: "audit", actor = %user.username, action = "user.password_reset", subject = %username);
    Ok(ok(&PasswordReset {
        username: username.trim().to_ascii_lowercase(),
        temporary_password,
        must_change_password: true,
    }))
}
