//! A figure on a page is the figure the API gives the same person: staff see
//! their own department's documents on `/report`, as in the document list.

use crate::{helpers::*, pages_access::browser_for};

/// The document count in the report page's heading "Văn bản (N)".
fn documents_on_report(html: &str) -> i64 {
    let heading = html
        .split("<h2>")
        .find(|h| h.starts_with("Văn bản ("))
        .unwrap_or_else(|| panic!("no documents heading: {html}"));
    let inside = &heading["Văn bản (".len()..];
    inside[..inside.find(')').unwrap()].parse().unwrap()
}

#[tokio::test]
async fn report_document_counts_match_the_document_list_for_each_reader() {
    for app in spawn_apps().await {
        let mut seen = Vec::new();
        for username in ["chutich", "cb.tnmt", "cb.tckh", "cb.vhtt"] {
            let token = app.login(username).await;
            let listed = app
                .get_json("/api/v1/documents?year=2026&per_page=1", &token)
                .await["total"]
                .as_i64()
                .unwrap();
            let browser = browser_for(&app, Some(username)).await;
            let html = browser
                .get(app.url("/report?year=2026"))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            assert_eq!(
                documents_on_report(&html),
                listed,
                "{username} on {:?}",
                app.backend
            );
            seen.push(listed);
        }
        // The leader sees more than any one department: the check compares
        // different scopes, not the same number four times.
        assert!(seen[1..].iter().all(|n| *n < seen[0]), "{seen:?}");
    }
}
