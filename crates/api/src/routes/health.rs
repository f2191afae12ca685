//! Liveness, readiness and metrics.

use actix_web::{HttpResponse, get, web};
use serde::Serialize;
use utoipa::ToSchema;

use crate::{metrics, state::AppState};

#[derive(Serialize, ToSchema)]
pub struct Health {
    pub status: &'static str,
}

/// Liveness: the process answers.
#[utoipa::path(tag = "operations", responses((status = 200, body = Health)))]
#[get("/healthz")]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(Health { status: "ok" })
}

/// Readiness: the database answers and stores writes (a committed write of
/// a probe row at most once a second; writes refused lately for a full disk
/// or a read-only database count for 30 s unless one is stored since).
#[utoipa::path(tag = "operations", responses((status = 200, body = Health), (status = 503, body = crate::problem::ProblemBody, description = "Database unreachable (`unavailable`), disk full (`storage_full`) or read-only (`read_only`)")))]
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    match state.writes.check(&state.db).await {
        Ok(()) => HttpResponse::Ok().json(Health { status: "ready" }),
        Err(err @ dondoc_core::Error::Storage(_, _)) => {
            tracing::warn!(error = %err, "not ready");
            HttpResponse::from_error(crate::problem::ApiError::from(err))
        }
        Err(err) => {
            tracing::warn!(error = %err, "not ready");
            HttpResponse::ServiceUnavailable()
                .content_type("application/problem+json")
                .json(serde_json::json!({
                    "type": "/problems/unavailable",
                    "title": "Cơ sở dữ liệu không sẵn sàng",
                    "status": 503,
                    "detail": "database unreachable"
                }))
        }
    }
}

/// Prometheus metrics: requests by route and status, latency, tasks by timeliness, outbox.
#[utoipa::path(tag = "operations", responses((status = 200, description = "Prometheus text format", content_type = "text/plain")))]
#[get("/metrics")]
pub async fn metrics_text(state: web::Data<AppState>) -> HttpResponse {
    metrics::refresh_gauges(&state).await;
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(metrics::render())
}
