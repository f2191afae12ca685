//! The outbox and delivery log.

use actix_web::{HttpResponse, get, web};
use dondoc_core::{
    followup::notifications::{self, NotificationView, RawNotificationQuery},
    followup::outbox::RefusedAddress,
    tasks::Page,
};

use crate::{
    extract::CurrentUser,
    problem::{ApiResult, ProblemBody},
    routes::ok,
    state::AppState,
};

/// Notifications the system decided to send, with state, attempts and last error (leader, admin).
#[utoipa::path(
    tag = "notifications",
    params(RawNotificationQuery),
    responses((status = 200, body = Page<NotificationView>), (status = 403, body = ProblemBody), (status = 422, body = ProblemBody)),
    security(("bearer" = []), ("session" = []))
)]
#[get("/notifications")]
pub async fn list(
    state: web::Data<AppState>,
    user: CurrentUser,
    query: web::Query<RawNotificationQuery>,
) -> ApiResult<HttpResponse> {
    Ok(ok(&notifications::list(&state.db, &user, &query).await?))
}

/// Email addresses the mail server refused for good (unknown or disabled
/// mailbox), left out of reminders until changed (leader, admin).
#[utoipa::path(
    tag = "notifications",
    responses((status = 200, body = Vec<RefusedAddress>), (status = 403, body = ProblemBody)),
    security(("bearer" = []), ("session" = []))
)]
#[get("/notifications/refused-addresses")]
pub async fn refused_addresses(
    state: web::Data<AppState>,
    user: CurrentUser,
) -> ApiResult<HttpResponse> {
    Ok(ok(
        &notifications::refused_addresses(&state.db, &user).await?
    ))
}
