//! The request span every access-log line carries. The same as
//! tracing-actix-web's default, except for calendar feeds: their path holds
//! the feed's secret token (`/calendar/{token}.ics`), which must not end up
//! in the logs, so it is written as `/calendar/[token].ics`.

use actix_web::{
    Error, HttpMessage,
    body::MessageBody,
    dev::{ServiceRequest, ServiceResponse},
};
use tracing::Span;
use tracing_actix_web::{DefaultRootSpanBuilder, RequestId, RootSpanBuilder};

pub struct RootSpan;

/// Paths whose text is a secret.
fn is_secret_path(path: &str) -> bool {
    path.starts_with("/calendar/")
}

impl RootSpanBuilder for RootSpan {
    fn on_request_start(request: &ServiceRequest) -> Span {
        if !is_secret_path(request.path()) {
            return DefaultRootSpanBuilder::on_request_start(request);
        }
        let request_id = request
            .extensions()
            .get::<RequestId>()
            .map(|id| id.to_string())
            .unwrap_or_default();
        let info = request.connection_info().clone();
        tracing::info_span!(
            "HTTP request",
            http.method = %request.method(),
            http.route = "/calendar/{token}.ics",
            http.host = %info.host(),
            http.client_ip = %info.realip_remote_addr().unwrap_or(""),
            http.target = "/calendar/[token].ics",
            http.status_code = tracing::field::Empty,
            otel.kind = "server",
            otel.status_code = tracing::field::Empty,
            request_id = %request_id,
            exception.message = tracing::field::Empty,
            exception.details = tracing::field::Empty,
        )
    }

    fn on_request_end<B: MessageBody>(span: Span, outcome: &Result<ServiceResponse<B>, Error>) {
        DefaultRootSpanBuilder::on_request_end(span, outcome);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_feed_paths_are_secret() {
        assert!(super::is_secret_path("/calendar/abc.ics"));
        assert!(!super::is_secret_path("/tasks/1"));
        assert!(!super::is_secret_path("/api/v1/calendar-feeds"));
    }
}
