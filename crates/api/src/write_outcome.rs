//! Tells the readiness check (`db::WriteCheck`) what happened to real
//! writes: refused for a full disk or a read-only database, or stored.
//! Seen from the response of every request that may write: its error (a
//! problem of kind `storage_full`/`read_only`, or a page error carrying the
//! storage fault), or a success without an error.

use actix_web::{
    body::MessageBody,
    dev::{ServiceRequest, ServiceResponse},
    http::Method,
    middleware::Next,
    web,
};
use dondoc_core::{Error, db::StorageFault};

use crate::{pages::PageError, problem::ApiError, state::AppState};

pub async fn remember(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let writes = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let check = req
        .app_data::<web::Data<AppState>>()
        .map(|state| state.writes.clone());
    let response = next.call(req).await?;
    if let (true, Some(check)) = (writes, check) {
        match response.response().error() {
            Some(err) => {
                if let Some(fault) = fault_of(err) {
                    check.refused(fault);
                }
            }
            None if response.status().is_success() || response.status().is_redirection() => {
                check.stored();
            }
            None => {}
        }
    }
    Ok(response)
}

/// The storage fault behind a response's error, if it is one.
fn fault_of(err: &actix_web::Error) -> Option<StorageFault> {
    if let Some(api) = err.as_error::<ApiError>() {
        return match api.0.kind {
            "storage_full" => Some(StorageFault::DiskFull),
            "read_only" => Some(StorageFault::ReadOnly),
            _ => None,
        };
    }
    match err.as_error::<PageError>() {
        Some(PageError::Core {
            error: Error::Storage(fault, _),
            ..
        }) => Some(*fault),
        _ => None,
    }
}
