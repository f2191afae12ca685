//! Reference lists: fields (lĩnh vực) and programmes.

use actix_web::{HttpResponse, get, web};
use dondoc_core::org::programmes::{self, Programme};
use serde::Serialize;
use utoipa::ToSchema;

use crate::{
    extract::CurrentUser,
    problem::{ApiResult, ProblemBody},
    routes::ok,
    state::AppState,
};

#[derive(Debug, Serialize, ToSchema)]
pub struct FieldView {
    pub code: String,
    pub name_vi: String,
    pub name_en: String,
}

/// The fields tasks are classified in.
#[utoipa::path(tag = "reference", responses((status = 200, body = Vec<FieldView>), (status = 401, body = ProblemBody)), security(("bearer" = []), ("session" = [])))]
#[get("/fields")]
pub async fn fields(state: web::Data<AppState>, _user: CurrentUser) -> ApiResult<HttpResponse> {
    let all = dondoc_core::tasks::query::list_fields(&state.db).await?;
    Ok(ok(&all
        .into_iter()
        .map(|f| FieldView {
            code: f.code,
            name_vi: f.name_vi,
            name_en: f.name_en,
        })
        .collect::<Vec<_>>()))
}

/// Work programmes, newest year first.
#[utoipa::path(tag = "reference", responses((status = 200, body = Vec<Programme>), (status = 401, body = ProblemBody)), security(("bearer" = []), ("session" = [])))]
#[get("/programmes")]
pub async fn list_programmes(
    state: web::Data<AppState>,
    _user: CurrentUser,
) -> ApiResult<HttpResponse> {
    Ok(ok(&programmes::list(&state.db).await?))
}
