//! Departments: everyone signed in reads them (forms need them); admins change them.

use actix_web::{HttpResponse, get, patch, post, web};
use dondoc_core::{
    accounts::policy::{self, Action},
    org::departments::{self, Department, DepartmentChanges, NewDepartment},
};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::{
    extract::{CurrentUser, Json},
    problem::{ApiResult, ProblemBody},
    routes::{created, ok},
    state::AppState,
};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DepartmentQuery {
    /// Include deactivated departments (`true`).
    pub include_inactive: Option<bool>,
}

/// All departments (offices, agencies, communes and towns).
#[utoipa::path(
    tag = "departments",
    params(DepartmentQuery),
    responses((status = 200, body = Vec<Department>), (status = 401, body = ProblemBody)),
    security(("bearer" = []), ("session" = []))
)]
#[get("/departments")]
pub async fn list(
    state: web::Data<AppState>,
    _user: CurrentUser,
    query: web::Query<DepartmentQuery>,
) -> ApiResult<HttpResponse> {
    let all = departments::list(&state.db, query.include_inactive.unwrap_or(false)).await?;
    Ok(ok(&all))
}

/// One department.
#[utoipa::path(
    tag = "departments",
    params(("code" = String, Path, description = "Department code")),
    responses((status = 200, body = Department), (status = 401, body = ProblemBody), (status = 404, body = ProblemBody)),
    security(("bearer" = []), ("session" = []))
)]
#[get("/departments/{code}")]
pub async fn get(
    state: web::Data<AppState>,
    _user: CurrentUser,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let model = departments::get_by_code(&state.db, &path.into_inner()).await?;
    Ok(ok(&Department::from(model)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateDepartment {
    /// Upper-case code, e.g. `TNMT`, `XA-TAN-THANH`.
    pub code: String,
    pub name: String,
    /// `office`, `commune` or `agency`.
    pub kind: String,
    /// Where the department's notices go.
    pub email: Option<String>,
}

/// Create a department (admin).
#[utoipa::path(
    tag = "departments",
    request_body = CreateDepartment,
    responses((status = 201, body = Department), (status = 403, body = ProblemBody), (status = 422, body = ProblemBody)),
    security(("bearer" = []), ("session" = []))
)]
#[post("/departments")]
pub async fn create(
    state: web::Data<AppState>,
    user: CurrentUser,
    body: Json<CreateDepartment>,
) -> ApiResult<HttpResponse> {
    policy::require(&user, Action::ManageDepartments, None)?;
    let b = body.0;
    let dept = departments::create(
        &state.db,
        &state.clock,
        NewDepartment {
            code: b.code,
            name: b.name,
            kind: b.kind,
            email: b.email,
        },
    )
    .await?;
    Ok(created(format!("/api/v1/departments/{}", dept.code), &dept))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateDepartment {
    pub name: Option<String>,
    pub kind: Option<String>,
    /// An address, or `null` / `""` to clear it.
    #[serde(default, deserialize_with = "crate::routes::users::double_option")]
    #[schema(value_type = Option<String>)]
    pub email: Option<Option<String>>,
    pub active: Option<bool>,
}

/// Change a department's name, kind, email or active flag (admin).
#[utoipa::path(
    tag = "departments",
    params(("code" = String, Path, description = "Department code")),
    request_body = UpdateDepartment,
    responses((status = 200, body = Department), (status = 403, body = ProblemBody), (status = 404, body = ProblemBody), (status = 422, body = ProblemBody)),
    security(("bearer" = []), ("session" = []))
)]
#[patch("/departments/{code}")]
pub async fn update(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<String>,
    body: Json<UpdateDepartment>,
) -> ApiResult<HttpResponse> {
    policy::require(&user, Action::ManageDepartments, None)?;
    let b = body.0;
    let dept = departments::update(
        &state.db,
        &state.clock,
        &path.into_inner(),
        DepartmentChanges {
            name: b.name,
            kind: b.kind,
            email: b.email,
            active: b.active,
        },
    )
    .await?;
    Ok(ok(&dept))
}
