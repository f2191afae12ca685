//! The OpenAPI 3.1 document, generated from the registered routes.

use actix_web::{HttpResponse, get, web};
use utoipa::{
    Modify, OpenApi,
    openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme},
};
use utoipa_actix_web::AppExt;

use crate::state::AppState;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "dondoc API",
        description = "Theo dõi, đôn đốc nhiệm vụ trọng tâm — follow-up of a work programme's key tasks. \
                       Log in with POST /api/v1/auth/login, then send `Authorization: Bearer <token>`. \
                       Errors are application/problem+json (RFC 9457).",
        license(name = "MIT")
    ),
    modifiers(&SecuritySchemes),
    components(schemas(crate::problem::ProblemBody, crate::problem::FieldProblem)),
    tags(
        (name = "auth", description = "Đăng nhập / authentication"),
        (name = "tasks", description = "Nhiệm vụ / tasks"),
        (name = "extensions", description = "Gia hạn / extension requests"),
        (name = "documents", description = "Văn bản / documents"),
        (name = "overdue", description = "Quá hạn / overdue list"),
        (name = "stats", description = "Thống kê / statistics"),
        (name = "notifications", description = "Thông báo / outbox"),
        (name = "departments", description = "Đơn vị / departments"),
        (name = "users", description = "Tài khoản / users"),
        (name = "reference", description = "Danh mục / reference lists"),
        (name = "operations", description = "Vận hành / health and metrics"),
    )
)]
struct ApiDoc;

struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("Token from POST /api/v1/auth/login"))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                crate::extract::SESSION_COOKIE,
                "Session cookie set at login; writes must also send X-CSRF-Token",
            ))),
        );
    }
}

/// The whole document.
pub fn document() -> utoipa::openapi::OpenApi {
    let (_, spec) = actix_web::App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(crate::api_routes)
        .split_for_parts();
    spec
}

pub fn document_json() -> String {
    document()
        .to_pretty_json()
        .unwrap_or_else(|_| "{}".to_string())
}

/// This document.
#[utoipa::path(tag = "operations", responses((status = 200, description = "OpenAPI 3.1 document", content_type = "application/json")))]
#[get("/api/openapi.json")]
pub async fn openapi_json(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(state.openapi_json.as_str().to_string())
}
