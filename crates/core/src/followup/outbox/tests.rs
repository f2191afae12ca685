//! The outbox protocol on both databases.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::*;
use crate::{entity::notification, followup::notifications::state, testing};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 5, 18, 0, 0, 0).unwrap()
}

fn new(key: &str) -> NewNotification {
    NewNotification {
        idempotency_key: key.to_string(),
        kind: "department-digest".to_string(),
        for_date: NaiveDate::from_ymd_opt(2026, 5, 18).unwrap(),
        department_id: None,
        user_id: None,
        recipients: vec!["a@x.vn".to_string(), "b@x.vn".to_string()],
        subject: "Nhắc việc — đơn vị".to_string(),
        body_text: "Kính gửi".to_string(),
        body_html: "<p>Kính gửi</p>".to_string(),
        task_ids: Vec::new(),
        undeliverable: None,
    }
}

#[test]
fn message_ids_are_stable_and_distinct() {
    let a = message_id("department-digest:VP:2026-05-18", "x.vn");
    assert_eq!(a, message_id("department-digest:VP:2026-05-18", "x.vn"));
    assert_ne!(a, message_id("department-digest:VP:2026-05-19", "x.vn"));
    assert!(a.starts_with('<') && a.ends_with("@x.vn>"), "{a}");
}

#[test]
fn backoff_doubles_is_capped_and_jittered_within_twenty_percent() {
    assert_eq!(backoff(1, 60, 7200, 0.0).num_seconds(), 60);
    assert_eq!(backoff(2, 60, 7200, 0.0).num_seconds(), 120);
    assert_eq!(backoff(4, 60, 7200, 0.0).num_seconds(), 480);
    assert_eq!(backoff(30, 60, 7200, 0.0).num_seconds(), 7200);
    assert_eq!(backoff(1000, 60, 7200, 0.0).num_seconds(), 7200);
    assert_eq!(backoff(1, 60, 7200, 1.0).num_seconds(), 72);
    assert_eq!(backoff(1, 60, 7200, -1.0).num_seconds(), 48);
    assert_eq!(backoff(0, 60, 7200, 0.0).num_seconds(), 60);
}

#[tokio::test]
async fn enqueue_is_insert_or_ignore_on_the_key() {
    for t in testing::databases().await {
        let db = &t.db;
        let first = enqueue(db, t0(), &new("k1"), "x.vn").await.unwrap();
        assert!(first.is_some(), "{:?}", t.backend);
        let mut changed = new("k1");
        changed.subject = "khác".into();
        assert_eq!(enqueue(db, t0(), &changed, "x.vn").await.unwrap(), None);
        let rows = notification::Entity::find().all(db).await.unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].subject, "Nhắc việc — đơn vị");
        assert_eq!(rows[0].state, state::PENDING);
        assert_eq!(rows[0].recipients, "a@x.vn, b@x.vn");

        let mut nobody = new("k2");
        nobody.recipients.clear();
        nobody.undeliverable = Some("no email for XA".into());
        enqueue(db, t0(), &nobody, "x.vn").await.unwrap();
        let failed = notification::Entity::find()
            .filter(notification::Column::IdempotencyKey.eq("k2"))
            .one(db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(failed.state, state::FAILED);
        assert_eq!(failed.last_error.as_deref(), Some("no email for XA"));
    }
}

#[tokio::test]
async fn claim_lease_and_fenced_finish() {
    for t in testing::databases().await {
        let db = &t.db;
        for k in ["a", "b", "c"] {
            enqueue(db, t0(), &new(k), "x.vn").await.unwrap();
        }
        let lease = chrono::Duration::seconds(60);
        let mine = claim(db, "w1", t0(), lease, 2).await.unwrap();
        assert_eq!(mine.len(), 2, "{:?}", t.backend);
        assert!(mine.iter().all(|c| c.attempts == 1 && !c.ambiguous));
        // The third is still free; the first two are held.
        let other = claim(db, "w2", t0(), lease, 10).await.unwrap();
        assert_eq!(other.len(), 1);
        assert_eq!(other[0].idempotency_key, "c");
        assert!(claim(db, "w3", t0(), lease, 10).await.unwrap().is_empty());

        // Lease expires; w3 re-claims w1's rows, flagged.
        let later = t0() + chrono::Duration::seconds(61);
        let stolen = claim(db, "w3", later, lease, 10).await.unwrap();
        assert_eq!(stolen.len(), 3);
        assert!(stolen.iter().all(|c| c.ambiguous && c.attempts == 2));

        // w1's stale finish changes nothing.
        let before = notification::Entity::find_by_id(mine[0].id)
            .one(db)
            .await
            .unwrap();
        let sent = Finish::Sent {
            code: Some(250),
            reply: "250 ok".into(),
        };
        assert_eq!(
            finish(db, &mine[0], "w1", &sent, later).await.unwrap(),
            Fenced::LostLease
        );
        let after = notification::Entity::find_by_id(mine[0].id)
            .one(db)
            .await
            .unwrap();
        assert_eq!(before, after);

        // w3 finishes: applied.
        let theirs = stolen.iter().find(|c| c.id == mine[0].id).unwrap();
        assert_eq!(
            finish(db, theirs, "w3", &sent, later).await.unwrap(),
            Fenced::Applied
        );
        let row = notification::Entity::find_by_id(theirs.id)
            .one(db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.state, state::SENT);
        assert_eq!(row.sent_at, Some(later));
        assert!(row.ambiguous);
        let trail = attempts(db, theirs.id).await.unwrap();
        assert_eq!(
            trail.iter().map(|a| a.outcome.as_str()).collect::<Vec<_>>(),
            vec!["lost_lease", "sent"]
        );
    }
}

#[tokio::test]
async fn retry_release_and_expiry() {
    for t in testing::databases().await {
        let db = &t.db;
        enqueue(db, t0(), &new("r"), "x.vn").await.unwrap();
        let lease = chrono::Duration::seconds(60);
        let c = claim(db, "w", t0(), lease, 1).await.unwrap().remove(0);
        let next = t0() + chrono::Duration::seconds(60);
        let retry = Finish::Retry {
            code: Some(451),
            error: "451 try later".into(),
            next_attempt_at: next,
            ambiguous: false,
        };
        assert_eq!(
            finish(db, &c, "w", &retry, t0()).await.unwrap(),
            Fenced::Applied
        );
        assert!(
            claim(db, "w", t0(), lease, 1).await.unwrap().is_empty(),
            "not before next_attempt_at"
        );
        let c = claim(db, "w", next, lease, 1).await.unwrap().remove(0);
        assert_eq!(c.attempts, 2);
        let release = Finish::Release {
            code: Some(535),
            error: "535 auth".into(),
            next_attempt_at: next,
        };
        finish(db, &c, "w", &release, next).await.unwrap();
        let row = notification::Entity::find_by_id(c.id)
            .one(db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (row.state.as_str(), row.attempts),
            ("pending", 1),
            "release spends no attempt"
        );

        let expired = fail_expired(
            db,
            t0() + chrono::Duration::hours(121),
            chrono::Duration::hours(120),
        )
        .await
        .unwrap();
        assert_eq!(expired, vec![c.id]);
        let row = notification::Entity::find_by_id(c.id)
            .one(db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.state, state::FAILED);
        assert!(row.last_error.unwrap().contains("535 auth"));
        requeue(db, c.id, next).await.unwrap();
        assert!(requeue(db, c.id, next).await.is_err());
    }
}

#[tokio::test]
async fn an_occurrence_is_won_once_with_its_notifications() {
    for t in testing::databases().await {
        let db = &t.db;
        let fire = t0();
        let coalesced = [fire - chrono::Duration::days(1)];
        let occ = Occurrence {
            schedule_key: "department-digest",
            fire_at: fire,
            status: fire_status::ENQUEUED,
            created_by: "i1",
            coalesced: &coalesced,
            skipped: &[],
            detail: None,
        };
        let out = run_occurrence(db, fire, &occ, &[new("x"), new("y")], "x.vn")
            .await
            .unwrap();
        assert_eq!(
            out,
            OccurrenceOutcome::Ran {
                enqueued: 2,
                already_present: 0
            }
        );
        let again = Occurrence {
            created_by: "i2",
            ..occ.clone()
        };
        assert_eq!(
            run_occurrence(db, fire, &again, &[new("z")], "x.vn")
                .await
                .unwrap(),
            OccurrenceOutcome::AlreadyRecorded
        );
        assert_eq!(
            notification::Entity::find().all(db).await.unwrap().len(),
            2,
            "z rolled back"
        );
        assert_eq!(
            last_fire_at(db, "department-digest").await.unwrap(),
            Some(fire)
        );
        let runs = job_runs(db, Some("department-digest"), 10).await.unwrap();
        assert_eq!(runs.len(), 2);
        assert_eq!(runs[0].status, "enqueued");
        assert_eq!(runs[0].enqueued, Some(2));
        assert_eq!(runs[0].instance, "i1");
        assert_eq!(runs[1].status, "coalesced");
    }
}
