//! The README's example accounts each have open work in the demo (issue
//! 16): a person trying the demo with them finds something to do.

use crate::helpers::*;

/// The accounts the README's demo table names (`admin`, `chutich`, the
/// vice-chairmen and the example staff accounts).
fn readme_accounts() -> Vec<String> {
    let readme = include_str!("../../../../README.md");
    let mut found = Vec::new();
    for line in readme.lines().filter(|l| l.starts_with("| `")) {
        let first_cell = line.split('|').nth(1).unwrap_or("");
        for name in first_cell.split('`').skip(1).step_by(2) {
            if !name.contains('<') {
                found.push(name.to_string());
            }
        }
    }
    found
}

#[tokio::test]
async fn every_example_account_of_the_readme_has_open_work() {
    let accounts = readme_accounts();
    assert!(accounts.len() >= 6, "{accounts:?}");
    let app = spawn_on(dondoc_core::testing::sqlite().await, true).await;
    for username in accounts.iter().filter(|a| *a != "admin") {
        let token = app.login(username).await;
        let filter = if username.starts_with("cb.") {
            String::new()
        } else {
            format!("&leader={username}")
        };
        let list = app
            .get_json(&format!("/api/v1/tasks?per_page=200{filter}"), &token)
            .await;
        let open = list["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|t| !matches!(t["status"].as_str(), Some("completed" | "cancelled")))
            .count();
        assert!(open > 0, "{username} has nothing open in the demo");
    }
}
