//! Two instances started together on an empty database both try to seed
//! the demo: it is seeded once, and neither fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use dondoc_core::{Clock, Settings, config::ConfigSources, entity::department, testing};
use sea_orm::{EntityTrait, PaginatorTrait};

#[tokio::test]
async fn two_instances_on_an_empty_database_seed_the_demo_once() {
    for t in testing::databases().await {
        let overrides = format!("[database]\nurl = \"{}\"\n", t.url);
        let settings = Settings::load(&ConfigSources {
            dir: Some(PathBuf::from("/nonexistent")),
            overrides: Some(overrides),
            ..Default::default()
        })
        .unwrap();
        let (clock, _hand) = Clock::manual(settings.organization.timezone, chrono::Utc::now());
        let (a, b) = tokio::join!(
            dondoc_seed::demo::seed_if_empty(&t.db, &clock, &settings),
            dondoc_seed::demo::seed_if_empty(&t.db, &clock, &settings),
        );
        let (a, b) = (a.unwrap(), b.unwrap());
        assert_eq!(
            usize::from(a.is_some()) + usize::from(b.is_some()),
            1,
            "{:?}: seeded exactly once",
            t.backend
        );
        assert_eq!(department::Entity::find().count(&t.db).await.unwrap(), 30);
    }
}
