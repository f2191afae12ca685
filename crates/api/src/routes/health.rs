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

/// Readiness: the database answers.
#[utoipa::path(tag = "operations", responses((status = 200, body = Health), (status = 503, body = crate::problem::ProblemBody)))]
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    match dondoc_core::db::ping(&state.db).await {
        Ok(()) => HttpResponse::Ok().json(Health { status: "ready" }),
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
