//! Evidence sent with a step (`attachments::evidence`), on SQLite and, when
//! DONDOC_TEST_POSTGRES_URL is set, PostgreSQL — each with the files on
//! disk and in the database: a refused file or a refused step writes
//! nothing anywhere (no step, row, blob, history entry or file on disk); an
//! accepted step and its files are tied together; files uploaded earlier
//! are tied only by their uploader, to a step of their task, once.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::NaiveDate;
use dondoc_core::{
    Clock, Error, Settings,
    accounts::principal::{Principal, TokenKind},
    attachments::{
        self, Context, NewAttachment, Store, Target,
        evidence::{self, Evidence, NewFile},
    },
    config::{AttachmentSettings, AttachmentStorage},
    db::Db,
    domain::{ExtensionState, Role, TaskStatus},
    entity::{
        attachment, attachment_blob, attachment_step, department, extension_request, task,
        task_history, user,
    },
    tasks::{commands::TaskPatch, history::action},
    testing,
};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n";
const PDF2: &[u8] = b"%PDF-1.4\n%%EOF\n";
const HTML: &[u8] = b"<!DOCTYPE html><html><script>alert(1)</script></html>";

fn clock() -> Clock {
    Clock::pinned_today(
        chrono_tz::Asia::Ho_Chi_Minh,
        NaiveDate::from_ymd_opt(2026, 11, 25).unwrap(),
    )
}

fn principal(u: &user::Model, department_code: Option<String>) -> Principal {
    Principal {
        user_id: u.id,
        username: u.username.clone(),
        full_name: u.full_name.clone(),
        role: u.role,
        department_id: u.department_id,
        department_code,
        department_name: None,
        language: Default::default(),
        token_id: 0,
        token_kind: TokenKind::Session,
        csrf_token: None,
        must_change_password: false,
    }
}

/// A seeded demo, the staff of a department leading at least two open
/// tasks, and two of those tasks.
struct Scene {
    staff: Principal,
    admin: Principal,
    task: i64,
    other_task: i64,
}

async fn scene(db: &Db) -> Scene {
    let settings = Settings::defaults().unwrap();
    dondoc_seed::demo::seed(db, &clock(), &settings)
        .await
        .unwrap();
    let pending: Vec<i64> = extension_request::Entity::find()
        .filter(extension_request::Column::State.eq(ExtensionState::Pending))
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.task_id)
        .collect();
    let open: Vec<task::Model> = task::Entity::find()
        .filter(task::Column::Status.is_in([TaskStatus::NotStarted, TaskStatus::InProgress]))
        .order_by_asc(task::Column::Id)
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .filter(|t| !pending.contains(&t.id))
        .collect();
    for staff in user::Entity::find()
        .filter(user::Column::Role.eq(Role::Staff))
        .order_by_asc(user::Column::Id)
        .all(db)
        .await
        .unwrap()
    {
        let led: Vec<i64> = open
            .iter()
            .filter(|t| Some(t.lead_department_id) == staff.department_id)
            .map(|t| t.id)
            .collect();
        if led.len() >= 2 {
            let code = department::Entity::find_by_id(staff.department_id.unwrap())
                .one(db)
                .await
                .unwrap()
                .map(|d| d.code);
            let admin = user::Entity::find()
                .filter(user::Column::Role.eq(Role::Admin))
                .one(db)
                .await
                .unwrap()
                .unwrap();
            return Scene {
                staff: principal(&staff, code),
                admin: principal(&admin, None),
                task: led[0],
                other_task: led[1],
            };
        }
    }
    panic!("the demo has a department leading two open tasks");
}

/// Files on disk at `dir` and in `attachment_blobs`.
async fn stored(db: &Db, dir: &std::path::Path) -> (usize, u64) {
    let on_disk = std::fs::read_dir(dir)
        .map(|folders| {
            folders
                .flatten()
                .filter_map(|f| std::fs::read_dir(f.path()).ok())
                .map(|files| files.count())
                .sum()
        })
        .unwrap_or(0);
    let blobs = attachment_blob::Entity::find().count(db).await.unwrap();
    (on_disk, blobs)
}

async fn written(db: &Db, task_id: i64) -> (u64, u64, u64, TaskStatus) {
    let history = task_history::Entity::find()
        .filter(task_history::Column::TaskId.eq(task_id))
        .count(db)
        .await
        .unwrap();
    let rows = attachment::Entity::find().count(db).await.unwrap();
    let ties = attachment_step::Entity::find().count(db).await.unwrap();
    let status = task::Entity::find_by_id(task_id)
        .one(db)
        .await
        .unwrap()
        .unwrap()
        .status;
    (history, rows, ties, status)
}

fn report(note: &str) -> TaskPatch {
    TaskPatch {
        status: Some("reported_done".into()),
        result_note: Some(note.into()),
        ..Default::default()
    }
}

fn files(list: &[(&str, &[u8])]) -> Evidence {
    Evidence {
        files: list
            .iter()
            .map(|(name, bytes)| NewFile {
                file_name: name.to_string(),
                bytes: bytes.to_vec(),
            })
            .collect(),
        attachment_ids: Vec::new(),
    }
}

fn fields_of(err: &Error) -> Vec<String> {
    match err {
        Error::Validation(fields) => fields.iter().map(|f| f.field.clone()).collect(),
        other => panic!("expected a refusal naming fields, got {other:?}"),
    }
}

// Longer than 100 lines: the same three cases on each store of each database.
#[tokio::test]
async fn a_step_and_its_files_are_saved_together_or_not_at_all_on_both_stores() {
    for storage in [AttachmentStorage::Disk, AttachmentStorage::Database] {
        for t in testing::databases().await {
            let db = &t.db;
            let s = scene(db).await;
            let folder = tempfile::tempdir().unwrap();
            let settings = AttachmentSettings {
                max_bytes: 1024 * 1024,
                storage,
                dir: folder.path().display().to_string(),
            };
            let store = Store::resolve(db, &settings).await.unwrap();
            assert_eq!(
                store == Store::Database,
                storage == AttachmentStorage::Database
            );
            let before = written(db, s.task).await;
            let what = format!("{:?} {storage:?}", t.backend);

            // A refused file (a page of HTML named .pdf) beside a good one:
            // nothing at all is written, the refusal names the file input.
            let err = evidence::update_task(
                db,
                &clock(),
                &settings,
                &s.staff,
                s.task,
                report("Đã ban hành báo cáo số 215/BC-UBND"),
                files(&[("Báo cáo.pdf", PDF), ("bao-cao.pdf", HTML)]),
            )
            .await
            .unwrap_err();
            assert_eq!(fields_of(&err), ["files"], "{what}");
            assert_eq!(written(db, s.task).await, before, "{what}");
            assert_eq!(stored(db, folder.path()).await, (0, 0), "{what}");

            // A good file with a step the workflow refuses (a report without
            // a result): the file written to disk before the transaction is
            // removed again, and nothing else is written.
            let err = evidence::update_task(
                db,
                &clock(),
                &settings,
                &s.staff,
                s.task,
                report(""),
                files(&[("Báo cáo.pdf", PDF)]),
            )
            .await
            .unwrap_err();
            assert_eq!(fields_of(&err), ["result_note"], "{what}");
            assert_eq!(written(db, s.task).await, before, "{what}");
            assert_eq!(stored(db, folder.path()).await, (0, 0), "{what}");

            // Accepted: the report and its file, tied to the report's entry.
            let entry = evidence::update_task(
                db,
                &clock(),
                &settings,
                &s.staff,
                s.task,
                report("Đã ban hành báo cáo số 215/BC-UBND"),
                files(&[("Báo cáo kết quả.pdf", PDF)]),
            )
            .await
            .unwrap()
            .expect("the report changed the task");
            let (_, rows, ties, status) = written(db, s.task).await;
            assert_eq!(
                (rows, ties, status),
                (1, 1, TaskStatus::ReportedDone),
                "{what}"
            );
            let reported = task_history::Entity::find_by_id(entry)
                .one(db)
                .await
                .unwrap()
                .unwrap();
            assert_eq!(reported.action, action::REPORTED_DONE, "{what}");
            let views = attachments::for_task(db, &s.staff, s.task).await.unwrap();
            assert_eq!(views.len(), 1, "{what}");
            assert_eq!(views[0].context, Context::Report, "{what}");
            assert_eq!(views[0].file_name, "Báo cáo kết quả.pdf", "{what}");
            let step = views[0].step.expect("tied to its step");
            assert_eq!(step.history_id, entry, "{what}");
            let expected = match storage {
                AttachmentStorage::Database => (0, 1),
                _ => (1, 0),
            };
            assert_eq!(stored(db, folder.path()).await, expected, "{what}");
            let (_, bytes) = attachments::open(db, &settings, &s.staff, views[0].id)
                .await
                .unwrap();
            assert_eq!(bytes, PDF, "{what}");

            // An extension request with its file names the request.
            let request = evidence::request_extension(
                db,
                &clock(),
                &settings,
                &s.staff,
                s.other_task,
                "2027-12-31",
                "Chờ kết quả thẩm định",
                files(&[("Tờ trình.pdf", PDF2)]),
            )
            .await
            .unwrap();
            let views = attachments::for_task(db, &s.staff, s.other_task)
                .await
                .unwrap();
            assert_eq!(views.len(), 1, "{what}");
            assert_eq!(views[0].context, Context::Extension, "{what}");
            assert_eq!(
                views[0].step.and_then(|s| s.extension_request_id),
                Some(request),
                "{what}"
            );
        }
    }
}

// Longer than 100 lines: each wrong id in turn, then the right one, twice.
#[tokio::test]
async fn earlier_uploads_are_tied_only_by_their_uploader_to_their_task_once() {
    for t in testing::databases().await {
        let db = &t.db;
        let s = scene(db).await;
        let folder = tempfile::tempdir().unwrap();
        let settings = AttachmentSettings {
            max_bytes: 1024 * 1024,
            storage: AttachmentStorage::Auto,
            dir: folder.path().display().to_string(),
        };
        let upload = |who: &Principal, task_id: i64, name: &str| {
            let who = who.clone();
            let settings = settings.clone();
            let name = name.to_string();
            async move {
                attachments::attach(
                    db,
                    &clock(),
                    &settings,
                    &who,
                    Target::Task(task_id),
                    NewAttachment {
                        file_name: name,
                        bytes: PDF.to_vec(),
                        context: Context::Note,
                        supersedes: None,
                    },
                )
                .await
                .unwrap()
                .id
            }
        };
        let mine = upload(&s.staff, s.task, "Biên bản.pdf").await;
        let other_task = upload(&s.staff, s.other_task, "Khác.pdf").await;
        let other_user = upload(&s.admin, s.task, "Của lãnh đạo.pdf").await;
        let note = |text: &str| TaskPatch {
            note: Some(text.into()),
            ..Default::default()
        };
        let with_ids = |ids: Vec<i64>| Evidence {
            files: Vec::new(),
            attachment_ids: ids,
        };
        let before = written(db, s.task).await;

        // Another task's file, another person's file, a file that does not
        // exist: each named by its place; nothing is written.
        let err = evidence::update_task(
            db,
            &clock(),
            &settings,
            &s.staff,
            s.task,
            note("Kèm biên bản họp"),
            with_ids(vec![mine, other_task, other_user, 999_999]),
        )
        .await
        .unwrap_err();
        assert_eq!(
            fields_of(&err),
            [
                "attachment_ids[1]",
                "attachment_ids[2]",
                "attachment_ids[3]"
            ],
            "{t:?}"
        );
        assert_eq!(written(db, s.task).await, before, "{t:?}");

        // Their own upload to the task: tied to the note.
        let entry = evidence::update_task(
            db,
            &clock(),
            &settings,
            &s.staff,
            s.task,
            note("Kèm biên bản họp"),
            with_ids(vec![mine]),
        )
        .await
        .unwrap()
        .unwrap();
        let view = attachments::get(db, &s.staff, mine).await.unwrap();
        assert_eq!(view.step.map(|s| s.history_id), Some(entry), "{t:?}");
        let noted = task_history::Entity::find_by_id(entry)
            .one(db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(noted.action, action::NOTE, "{t:?}");

        // Once: the same file cannot go with a second step.
        let err = evidence::update_task(
            db,
            &clock(),
            &settings,
            &s.staff,
            s.task,
            note("Gửi lại"),
            with_ids(vec![mine]),
        )
        .await
        .unwrap_err();
        assert_eq!(fields_of(&err), ["attachment_ids[0]"], "{t:?}");

        // More than five files at once are refused before anything is read.
        let err = evidence::update_task(
            db,
            &clock(),
            &settings,
            &s.staff,
            s.task,
            note("Sáu tệp"),
            files(&[("1.pdf", PDF); 6]),
        )
        .await
        .unwrap_err();
        assert_eq!(fields_of(&err), ["files"], "{t:?}");

        // Files need a step: a note that changes nothing carries none.
        let err = evidence::update_task(
            db,
            &clock(),
            &settings,
            &s.staff,
            s.task,
            TaskPatch {
                progress: Some(i64::from(
                    task::Entity::find_by_id(s.task)
                        .one(db)
                        .await
                        .unwrap()
                        .unwrap()
                        .progress,
                )),
                ..Default::default()
            },
            files(&[("1.pdf", PDF)]),
        )
        .await
        .unwrap_err();
        assert_eq!(fields_of(&err), ["note"], "{t:?}");
    }
}
