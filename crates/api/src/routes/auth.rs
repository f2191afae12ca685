//! Logging in and out, and who am I.

use actix_web::{
    HttpRequest, HttpResponse,
    cookie::{Cookie, SameSite, time::Duration as CookieDuration},
    get, post, web,
};
use chrono::{DateTime, Utc};
use dondoc_core::{
    accounts::principal::TokenKind,
    accounts::sessions,
    accounts::users::{self, UserView},
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{
    extract::{CurrentUser, Json, SESSION_COOKIE, peer_addr},
    problem::{ApiError, ApiResult, Problem, ProblemBody},
    routes::ok,
    state::AppState,
};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LoginResponse {
    /// Send as `Authorization: Bearer <token>`.
    pub token: String,
    pub token_type: &'static str,
    pub expires_at: DateTime<Utc>,
    /// Echo in `X-CSRF-Token` on writes that rely on the session cookie.
    pub csrf_token: Option<String>,
    pub user: UserView,
}

pub fn session_cookie(state: &AppState, value: String, max_age_secs: i64) -> Cookie<'static> {
    Cookie::build(SESSION_COOKIE, value)
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.secure_cookies())
        .max_age(CookieDuration::seconds(max_age_secs))
        .finish()
}

/// Log in with a username and password: returns a bearer token and sets a session cookie.
#[utoipa::path(
    tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, body = LoginResponse),
        (status = 401, body = ProblemBody, description = "Wrong username or password (never says which)"),
        (status = 429, body = ProblemBody, description = "Too many failed attempts"),
    )
)]
#[post("/auth/login")]
pub async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: Json<LoginRequest>,
) -> ApiResult<HttpResponse> {
    let addr = peer_addr(&req);
    let outcome = sessions::login(
        &state.db,
        &state.clock,
        &state.settings.auth,
        &body.0.username,
        &body.0.password,
        addr.as_deref(),
        TokenKind::Api,
    )
    .await
    .map_err(|err| match err {
        dondoc_core::Error::Unauthenticated => ApiError::from(
            Problem::new(
                actix_web::http::StatusCode::UNAUTHORIZED,
                "invalid_credentials",
                "problem-invalid-credentials",
            )
            .detail("problem-invalid-credentials-detail", Vec::new()),
        ),
        other => ApiError::from(other),
    })?;
    let max_age = (outcome.expires_at - state.clock.now()).num_seconds();
    Ok(HttpResponse::Ok()
        .cookie(session_cookie(&state, outcome.token.clone(), max_age))
        .json(LoginResponse {
            token: outcome.token,
            token_type: "Bearer",
            expires_at: outcome.expires_at,
            csrf_token: outcome.csrf_token,
            user: outcome.user,
        }))
}

/// Log out: revokes this token (or session) and clears the cookie.
#[utoipa::path(tag = "auth", responses((status = 204), (status = 401, body = ProblemBody)), security(("bearer" = []), ("session" = [])))]
#[post("/auth/logout")]
pub async fn logout(state: web::Data<AppState>, user: CurrentUser) -> ApiResult<HttpResponse> {
    sessions::logout(&state.db, &state.clock, user.token_id).await?;
    let mut gone = session_cookie(&state, String::new(), 0);
    gone.make_removal();
    Ok(HttpResponse::NoContent().cookie(gone).finish())
}

/// The logged-in user.
#[utoipa::path(tag = "auth", responses((status = 200, body = UserView), (status = 401, body = ProblemBody)), security(("bearer" = []), ("session" = [])))]
#[get("/me")]
pub async fn me(state: web::Data<AppState>, user: CurrentUser) -> ApiResult<HttpResponse> {
    let Some(model) = users::find_by_username(&state.db, &user.username).await? else {
        return Err(dondoc_core::Error::Unauthenticated.into());
    };
    let dept = match model.department_id {
        Some(id) => dondoc_core::org::departments::find_by_id(&state.db, id).await?,
        None => None,
    };
    Ok(ok(&users::view(&model, dept.as_ref())))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePasswordRequest {
    pub current_password: String,
    pub new_password: String,
}

/// Change one's own password; every other session and token is logged out.
#[utoipa::path(
    tag = "auth",
    request_body = ChangePasswordRequest,
    responses((status = 204), (status = 401, body = ProblemBody), (status = 422, body = ProblemBody, description = "Wrong current password (code wrong_password) or weak new password"), (status = 429, body = ProblemBody, description = "Too many password attempts (counted with logins)")),
    security(("bearer" = []), ("session" = []))
)]
#[post("/me/password")]
pub async fn change_password(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    body: Json<ChangePasswordRequest>,
) -> ApiResult<HttpResponse> {
    let addr = peer_addr(&req);
    users::change_own_password(
        &state.db,
        &state.clock,
        &state.settings.auth,
        users::PasswordChange {
            user_id: user.user_id,
            keep_token_id: user.token_id,
            remote_addr: addr.as_deref(),
            current_password: &body.0.current_password,
            new_password: &body.0.new_password,
        },
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
