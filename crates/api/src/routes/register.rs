//! The reminder register (sổ theo dõi văn bản đôn đốc).

use actix_web::{HttpResponse, get, web};
use dondoc_core::documents::register::{self, RawRegisterQuery, Register};

use crate::{
    extract::CurrentUser,
    problem::{ApiResult, ProblemBody},
    routes::{
        letters::{XLSX, attachment},
        ok,
    },
    state::AppState,
};

/// Every reminder document with its recipients, tasks, report-back date and
/// whether each department answered (staff: letters to their department).
#[utoipa::path(
    tag = "letters",
    params(RawRegisterQuery),
    responses((status = 200, body = Register), (status = 401, body = ProblemBody), (status = 403, body = ProblemBody), (status = 422, body = ProblemBody)),
    security(("bearer" = []), ("session" = []))
)]
#[get("/reminder-register")]
pub async fn list(
    state: web::Data<AppState>,
    user: CurrentUser,
    query: web::Query<RawRegisterQuery>,
) -> ApiResult<HttpResponse> {
    Ok(ok(&load(&state, &user, &query).await?))
}

pub async fn load(
    state: &AppState,
    user: &CurrentUser,
    query: &RawRegisterQuery,
) -> dondoc_core::Result<Register> {
    register::list(
        &state.db,
        user,
        query,
        state.today(),
        state.clock.timezone(),
        state.settings.letters.report_back_days,
    )
    .await
}

/// The register as a spreadsheet, one row per letter and department.
#[utoipa::path(
    tag = "letters",
    params(RawRegisterQuery),
    responses((status = 200, description = "The .xlsx register", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (status = 403, body = ProblemBody), (status = 422, body = ProblemBody)),
    security(("bearer" = []), ("session" = []))
)]
#[get("/reminder-register.xlsx")]
pub async fn xlsx(
    state: web::Data<AppState>,
    user: CurrentUser,
    query: web::Query<RawRegisterQuery>,
) -> ApiResult<HttpResponse> {
    let reg = load(&state, &user, &query).await?;
    let bytes = register::to_xlsx(&reg, &state.settings.organization.name)?;
    Ok(attachment(XLSX, "so-theo-doi-van-ban-don-doc.xlsx", bytes))
}
