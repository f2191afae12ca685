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
        (name = "explanations", description = "Yêu cầu giải trình / requests for explanation"),
        (name = "snapshots", description = "Ảnh chụp số liệu giao ban / meeting snapshots"),
        (name = "documents", description = "Văn bản / documents"),
        (name = "attachments", description = "Tệp đính kèm / attached files"),
        (name = "overdue", description = "Quá hạn / overdue list"),
        (name = "stats", description = "Thống kê / statistics"),
        (name = "notifications", description = "Thông báo / outbox"),
        (name = "notices", description = "Thông báo trên hệ thống / workflow notices"),
        (name = "letters", description = "Công văn đôn đốc, sổ theo dõi / reminder letters and register"),
        (name = "review", description = "Báo cáo kiểm điểm / annual and periodic review"),
        (name = "departments", description = "Đơn vị / departments"),
        (name = "users", description = "Tài khoản / users"),
        (name = "reference", description = "Danh mục / reference lists"),
        (name = "calendar", description = "Lịch hạn nhiệm vụ / calendar feeds"),
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
    let Ok(mut value) = serde_json::to_value(document()) else {
        return "{}".to_string();
    };
    add_problem_responses(&mut value);
    unique_operation_ids(&mut value);
    serde_json::to_string_pretty(&value).unwrap_or_else(|_| "{}".to_string())
}

/// utoipa names an operation after its handler function, and handlers of
/// different resources share names (`get`, `list`, `create`). Clients and
/// tools that follow links by operation id (code generators, schemathesis)
/// need them unique: a shared name becomes the method and the path
/// (`get_snapshots_id`, `get_users_username`), unique by construction.
fn unique_operation_ids(doc: &mut serde_json::Value) {
    use std::collections::HashMap;

    use serde_json::Value;
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    let mut counts: HashMap<String, usize> = HashMap::new();
    for item in paths.values().filter_map(Value::as_object) {
        for operation in item.values() {
            if let Some(id) = operation.get("operationId").and_then(Value::as_str) {
                *counts.entry(id.to_string()).or_default() += 1;
            }
        }
    }
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for (method, operation) in item.iter_mut() {
            let Some(op) = operation.as_object_mut() else {
                continue;
            };
            let shared = op
                .get("operationId")
                .and_then(Value::as_str)
                .is_some_and(|id| counts.get(id).copied().unwrap_or(0) > 1);
            if shared {
                let words: Vec<&str> = path
                    .trim_start_matches("/api/v1")
                    .split(|c: char| !c.is_ascii_alphanumeric())
                    .filter(|w| !w.is_empty())
                    .collect();
                op.insert(
                    "operationId".into(),
                    Value::String(format!("{method}_{}", words.join("_"))),
                );
            }
        }
    }
}

/// Every error is problem+json, and some can happen on any operation (a
/// malformed body, a database outage). Declares them once for all, so the
/// document matches what the server really answers.
fn add_problem_responses(doc: &mut serde_json::Value) {
    use serde_json::{Value, json};
    let problem = |description: &str| {
        json!({
            "description": description,
            "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/ProblemBody"}}}
        })
    };
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for (method, operation) in item.iter_mut() {
            if !["get", "post", "put", "patch", "delete"].contains(&method.as_str()) {
                continue;
            }
            let secured = operation
                .get("security")
                .and_then(Value::as_array)
                .is_some_and(|s| !s.is_empty());
            let has_body = operation.get("requestBody").is_some();
            let has_params = operation
                .get("parameters")
                .and_then(Value::as_array)
                .is_some_and(|p| !p.is_empty());
            let Some(responses) = operation
                .get_mut("responses")
                .and_then(Value::as_object_mut)
            else {
                continue;
            };
            // Error bodies are problem+json, whatever the annotation said.
            for (code, response) in responses.iter_mut() {
                if (code.starts_with('4') || code.starts_with('5'))
                    && let Some(content) =
                        response.get_mut("content").and_then(Value::as_object_mut)
                    && let Some(json_body) = content.remove("application/json")
                {
                    content.insert("application/problem+json".to_string(), json_body);
                }
            }
            let mut add = |code: &str, description: &str| {
                responses
                    .entry(code.to_string())
                    .or_insert_with(|| problem(description));
            };
            add("500", "Internal error (logged)");
            add("503", "Database temporarily unavailable; retry");
            if path.starts_with("/api/v1") {
                add("400", "Malformed request (query string or JSON syntax)");
                add("404", "No such resource or route");
            }
            if secured {
                add("401", "Not authenticated");
                add("403", "Not allowed for this role or department");
            }
            if has_body {
                add("413", "Body too large");
                add("415", "Body is not application/json");
                add("422", "Invalid input; `errors` names each field");
            }
            if has_params {
                add("422", "Invalid parameter; `errors` names each one");
            }
            if path == "/api/v1/auth/login" {
                add("429", "Too many failed attempts; see Retry-After");
            }
        }
    }
}

/// This document.
#[utoipa::path(tag = "operations", responses((status = 200, description = "OpenAPI 3.1 document", content_type = "application/json")))]
#[get("/api/openapi.json")]
pub async fn openapi_json(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(state.openapi_json.as_str().to_string())
}
