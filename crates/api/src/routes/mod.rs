//! HTTP routes, one module per resource. Handlers are thin: extract, call
//! one core function, map the result.

pub mod auth;
pub mod calendar;
pub mod departments;
pub mod documents;
pub mod explanations;
pub mod extensions;
pub mod health;
pub mod imports;
pub mod letters;
pub mod notifications;
pub mod overdue;
pub mod recurrence;
pub mod reference;
pub mod register;
pub mod review;
pub mod snapshots;
pub mod stats;
pub mod tasks;
pub mod users;

use actix_web::HttpResponse;
use serde::Serialize;

/// 200 with a JSON body.
pub fn ok<T: Serialize>(body: &T) -> HttpResponse {
    HttpResponse::Ok().json(body)
}

/// 201 with a JSON body and a Location.
pub fn created<T: Serialize>(location: String, body: &T) -> HttpResponse {
    HttpResponse::Created()
        .insert_header(("Location", location))
        .json(body)
}
