//! Prometheus metrics: one recorder per process (tests start many apps in
//! one process), a middleware that counts requests by route pattern and
//! status with a latency histogram, and gauges refreshed at scrape time.

use std::{sync::OnceLock, time::Instant};

use actix_web::{
    Error,
    body::MessageBody,
    dev::{ServiceRequest, ServiceResponse},
    middleware::Next,
};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

use crate::state::AppState;

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// Installs the process-wide recorder (once) and returns its handle.
pub fn init() -> Option<&'static PrometheusHandle> {
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new()
                .set_buckets(&[
                    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
                ])
                .ok()?
                .build_recorder();
            let handle = recorder.handle();
            metrics::set_global_recorder(recorder).ok()?;
            Some(handle)
        })
        .as_ref()
}

pub fn render() -> String {
    match init() {
        Some(handle) => {
            handle.run_upkeep();
            handle.render()
        }
        None => String::from("# metrics recorder unavailable\n"),
    }
}

/// Counts every request by route pattern (never the raw path: ids would
/// explode the label set) and records its duration.
pub async fn track(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let started = Instant::now();
    let method = req.method().to_string();
    let response = next.call(req).await?;
    let route = response
        .request()
        .match_pattern()
        .unwrap_or_else(|| "unmatched".to_string());
    let status = response.status().as_u16().to_string();
    let elapsed = started.elapsed().as_secs_f64();
    metrics::counter!("http_requests_total", "method" => method.clone(), "route" => route.clone(), "status" => status).increment(1);
    metrics::histogram!("http_request_duration_seconds", "method" => method, "route" => route)
        .record(elapsed);
    Ok(response)
}

/// Gauges that describe the data, computed when Prometheus scrapes.
pub async fn refresh_gauges(state: &AppState) {
    // Every programme year's tasks, labelled by year: the open tasks of past
    // years stay visible after 1 January.
    match dondoc_core::reports::figures::by_programme_year(
        &state.db,
        &state.facts,
        &dondoc_core::reports::figures::AsOf::now(&state.clock),
        state.due_soon_days(),
    )
    .await
    {
        Ok(years) => {
            for (year, f) in years {
                let year = year.to_string();
                for (name, value) in [
                    ("overdue", f.overdue),
                    ("due_soon", f.due_soon),
                    ("on_track", f.on_track),
                    ("completed_on_time", f.completed_on_time),
                    (
                        "completed_on_time_after_extension",
                        f.completed_on_time_after_extension,
                    ),
                    ("completed_late", f.completed_late),
                ] {
                    metrics::gauge!("dondoc_tasks", "year" => year.clone(), "timeliness" => name)
                        .set(value as f64);
                }
                for (name, value) in [
                    ("not_started", f.not_started),
                    ("in_progress", f.in_progress),
                ] {
                    metrics::gauge!("dondoc_tasks_open", "year" => year.clone(), "status" => name)
                        .set(value as f64);
                }
            }
        }
        Err(err) => tracing::warn!(error = %err, "could not compute task gauges"),
    }
    match dondoc_core::followup::notifications::outbox_summary(&state.db).await {
        Ok(summary) => {
            metrics::gauge!("dondoc_outbox_pending").set(summary.pending as f64);
            metrics::gauge!("dondoc_outbox_failed").set(summary.failed as f64);
            let age = summary
                .oldest_pending_at
                .map(|at| (state.clock.now() - at).num_seconds().max(0) as f64)
                .unwrap_or(0.0);
            metrics::gauge!("dondoc_outbox_oldest_pending_seconds").set(age);
        }
        Err(err) => tracing::warn!(error = %err, "could not compute outbox gauges"),
    }
}
