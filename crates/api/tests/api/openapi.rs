//! The OpenAPI document: 3.1, parseable, and listing every route the app serves.

use serde_json::Value;

use crate::helpers::*;

#[tokio::test]
async fn the_openapi_document_covers_every_route() {
    let app = spawn_on(dondoc_core::testing::sqlite().await, false).await;
    let response = app
        .client
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let text = response.text().await.unwrap();
    let doc: Value = serde_json::from_str(&text).unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    // It parses back into a typed OpenAPI model.
    let _: utoipa::openapi::OpenApi = serde_json::from_str(&text).unwrap();
    let paths = doc["paths"].as_object().unwrap();
    let expected = [
        ("post", "/api/v1/auth/login"),
        ("post", "/api/v1/auth/logout"),
        ("get", "/api/v1/me"),
        ("get", "/api/v1/departments"),
        ("post", "/api/v1/departments"),
        ("patch", "/api/v1/departments/{code}"),
        ("get", "/api/v1/users"),
        ("post", "/api/v1/users"),
        ("get", "/api/v1/tasks"),
        ("get", "/api/v1/tasks/{id}"),
        ("post", "/api/v1/tasks"),
        ("patch", "/api/v1/tasks/{id}"),
        ("post", "/api/v1/tasks/{id}/confirm"),
        ("get", "/api/v1/tasks/{id}/history"),
        ("post", "/api/v1/tasks/{id}/extensions"),
        ("post", "/api/v1/extensions/{id}/decision"),
        ("get", "/api/v1/overdue"),
        ("get", "/api/v1/documents"),
        ("post", "/api/v1/documents"),
        ("post", "/api/v1/tasks/{id}/attachments"),
        ("get", "/api/v1/tasks/{id}/attachments"),
        ("post", "/api/v1/documents/{id}/attachments"),
        ("get", "/api/v1/attachments/{id}"),
        ("get", "/api/v1/attachments/{id}/content"),
        ("get", "/api/v1/notifications"),
        ("get", "/api/v1/stats"),
        ("get", "/api/openapi.json"),
        ("get", "/healthz"),
        ("get", "/readyz"),
        ("get", "/metrics"),
    ];
    for (method, path) in expected {
        let op = &paths.get(path).unwrap_or_else(|| panic!("{path} missing"))[method];
        assert!(op.is_object(), "{method} {path} missing");
        assert!(
            op["responses"].as_object().is_some_and(|r| !r.is_empty()),
            "{method} {path} has no responses"
        );
    }
    // Operation ids are unique: tools follow links by them.
    let mut ids = std::collections::BTreeMap::new();
    for (path, item) in paths {
        for (method, op) in item.as_object().unwrap() {
            if let Some(id) = op.get("operationId").and_then(Value::as_str)
                && let Some(other) = ids.insert(id.to_string(), format!("{method} {path}"))
            {
                panic!("operationId {id} on both {other} and {method} {path}");
            }
        }
    }
    assert!(ids.len() > 40, "{} operation ids", ids.len());
    // Every path the document lists is really served (not 404 for a GET without auth: 401 or 200).
    for (path, item) in paths {
        if item.get("get").is_some() && !path.contains('{') {
            let status = app
                .client
                .get(app.url(path))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16();
            assert!(status == 200 || status == 401, "{path} answered {status}");
        }
    }
    // The audit trail is append-only: no route changes or deletes history.
    for (path, item) in paths {
        if path.contains("history") {
            for method in ["post", "put", "patch", "delete"] {
                assert!(
                    item.get(method).is_none(),
                    "{method} {path} would edit the audit trail"
                );
            }
        }
    }
    // A file is served with the media type sniffed from its content, so the
    // document lists every kind an attachment can be (clients and fuzzers
    // check the Content-Type they get against it).
    let documented: std::collections::BTreeSet<&str> =
        paths["/api/v1/attachments/{id}/content"]["get"]["responses"]["200"]["content"]
            .as_object()
            .expect("the file's media types are documented")
            .keys()
            .map(String::as_str)
            .collect();
    let served: std::collections::BTreeSet<&str> = dondoc_core::attachments::FileKind::ALL
        .iter()
        .map(|kind| kind.mime())
        .collect();
    assert_eq!(documented, served);
    let schemes = doc["components"]["securitySchemes"].as_object().unwrap();
    assert!(schemes.contains_key("bearer") && schemes.contains_key("session"));
}
