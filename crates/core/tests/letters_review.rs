//! The drafted reminder letter and the annual review, on the demo
//! programme, on SQLite and (when configured) PostgreSQL: the letter's
//! tasks, recording it in one step, the register, the review's figures
//! recomputed independently from the task rows, and both documents opened
//! and read back by a real office suite (LibreOffice → PDF → pdftotext).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::{collections::BTreeMap, path::PathBuf, process::Command};

use chrono::NaiveDate;
use dondoc_core::tasks::fact_store::FactStore;
use dondoc_core::{
    Clock, Error, Settings,
    accounts::principal::{Principal, TokenKind},
    documents::letters::{self, IssuedLetter},
    documents::register::{self, RawRegisterQuery, ReplyState},
    domain::{DocumentKind, LinkRelation, Role, TaskStatus},
    entity::{department, document, document_task, field, programme, task, task_history, user},
    reports::{
        figures::Figures,
        review::{self, RawReviewQuery},
    },
    testing,
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 25).unwrap()
}

fn clock() -> Clock {
    Clock::pinned_today(chrono_tz::Asia::Ho_Chi_Minh, today())
}

async fn principal(db: &dondoc_core::db::Db, username: &str) -> Principal {
    let u = user::Entity::find()
        .filter(user::Column::Username.eq(username))
        .one(db)
        .await
        .unwrap()
        .unwrap();
    let code = match u.department_id {
        Some(id) => department::Entity::find_by_id(id)
            .one(db)
            .await
            .unwrap()
            .map(|d| d.code),
        None => None,
    };
    Principal {
        user_id: u.id,
        username: u.username,
        full_name: u.full_name,
        role: u.role,
        department_id: u.department_id,
        department_code: code,
        department_name: None,
        language: Default::default(),
        token_id: 0,
        token_kind: TokenKind::Api,
        csrf_token: None,
        must_change_password: false,
    }
}

/// Converts a .docx with LibreOffice and returns the PDF's text (and keeps
/// a PNG of the first page under target/screenshots/ for a person to look
/// at), or `None` after a loud skip when LibreOffice is not installed.
fn office_text(bytes: &[u8], stem: &str) -> Option<String> {
    let present = |cmd: &str| {
        Command::new("sh")
            .arg("-c")
            .arg(format!("command -v {cmd}"))
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if !present("libreoffice") || !present("pdftotext") {
        testing::skip(
            "office",
            "libreoffice or pdftotext is not installed; the .docx was not opened by an office suite",
        );
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let docx = dir.path().join(format!("{stem}.docx"));
    std::fs::write(&docx, bytes).unwrap();
    let profile = tempfile::tempdir().unwrap();
    let output = Command::new("libreoffice")
        .arg(format!(
            "-env:UserInstallation=file://{}",
            profile.path().display()
        ))
        .args(["--headless", "--convert-to", "pdf", "--outdir"])
        .arg(dir.path())
        .arg(&docx)
        .output()
        .unwrap();
    let pdf = dir.path().join(format!("{stem}.pdf"));
    assert!(
        pdf.is_file(),
        "LibreOffice did not convert {stem}.docx: {}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let text = Command::new("pdftotext")
        .arg(&pdf)
        .arg("-")
        .output()
        .unwrap();
    assert!(text.status.success());
    // A picture of the first page, for whoever checks the layout by eye.
    let shots = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots");
    let _ = std::fs::create_dir_all(&shots);
    let _ = Command::new("pdftoppm")
        .args(["-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile"])
        .arg(&pdf)
        .arg(shots.join(stem))
        .output();
    Some(String::from_utf8_lossy(&text.stdout).into_owned())
}

/// Whitespace folded to single spaces, so wrapped lines compare.
fn squash(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[tokio::test]
async fn a_drafted_letter_lists_the_departments_late_tasks_and_opens_in_an_office_suite() {
    let settings = Settings::defaults().unwrap();
    for t in testing::databases().await {
        dondoc_seed::demo::seed(&t.db, &clock(), &settings)
            .await
            .unwrap();
        let leader = principal(&t.db, "chutich").await;
        let late = letters::late_departments(&t.db, &FactStore::disabled(), &clock(), &leader, 7)
            .await
            .unwrap();
        assert!(!late.is_empty(), "{t:?}");
        let first = &late[0];
        let draft = letters::draft(
            &t.db,
            &FactStore::disabled(),
            &settings.letters,
            &clock(),
            &leader,
            &first.code,
            7,
            None,
        )
        .await
        .unwrap();
        // Exactly the department's open tasks that are overdue or due within 7 days.
        let dept = department::Entity::find()
            .filter(department::Column::Code.eq(first.code.as_str()))
            .one(&t.db)
            .await
            .unwrap()
            .unwrap();
        let mut expected: Vec<i64> = task::Entity::find()
            .filter(task::Column::LeadDepartmentId.eq(dept.id))
            .all(&t.db)
            .await
            .unwrap()
            .into_iter()
            .filter(|x| x.status.is_open() && (x.due_date - today()).num_days() <= 7)
            .map(|x| x.id)
            .collect();
        expected.sort_unstable();
        let mut got: Vec<i64> = draft.tasks.iter().map(|x| x.task_id).collect();
        got.sort_unstable();
        assert_eq!(got, expected, "{t:?}");
        assert_eq!(draft.overdue as i64, first.overdue);
        assert!(draft.request.contains(&dept.name));

        let bytes = letters::render_docx(&draft, &settings.letters, "Bắc Tân Uyên").unwrap();
        if t.backend == testing::Backend::Sqlite
            && let Some(text) = office_text(&bytes, "letter-docx")
        {
            let flat = squash(&text);
            // The issuing body in full on two lines, none broken inside.
            for line in ["ỦY BAN NHÂN DÂN", "HUYỆN BẮC TÂN UYÊN"] {
                assert!(
                    text.lines().any(|l| l.trim() == line),
                    "{line:?} is not a line of:\n{text}"
                );
            }
            assert!(!flat.contains("UBND HUYỆN BẮC TÂN UYÊN"), "{text}");
            for needle in [
                "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                "Độc lập - Tự do - Hạnh phúc",
                "/UBND-VP",
                "Bắc Tân Uyên, ngày",
                "V/v đôn đốc thực hiện nhiệm vụ",
                "Kính gửi:",
                "Nơi nhận:",
                draft.signature.authority.as_str(),
                draft.signature.title.as_str(),
                draft.signature.name.as_str(),
                "STT",
                "Số ngày quá hạn",
            ] {
                assert!(flat.contains(needle), "{needle:?} missing from:\n{text}");
            }
            assert!(flat.contains(&squash(&dept.name)), "{text}");
            for task in &draft.tasks {
                // Table cells wrap: the task's code and its title's first words.
                assert!(flat.contains(&task.code), "{} missing:\n{text}", task.code);
                let opening: String = task
                    .title
                    .split_whitespace()
                    .take(3)
                    .collect::<Vec<_>>()
                    .join(" ");
                assert!(flat.contains(&opening), "{opening:?} missing:\n{text}");
            }
        }

        // Every late department at once: one .docx per department in a .zip.
        let zip = letters::drafts_zip(
            &t.db,
            &FactStore::disabled(),
            &settings.letters,
            "Bắc Tân Uyên",
            &clock(),
            &leader,
            7,
        )
        .await
        .unwrap();
        let archive = zip::ZipArchive::new(std::io::Cursor::new(zip)).unwrap();
        assert_eq!(archive.len(), late.len());

        // Staff may not draft.
        let staff = principal(&t.db, &format!("cb.{}", first.code.to_lowercase())).await;
        assert!(matches!(
            letters::draft(
                &t.db,
                &FactStore::disabled(),
                &settings.letters,
                &clock(),
                &staff,
                &first.code,
                7,
                None
            )
            .await,
            Err(Error::Forbidden(_))
        ));
    }
}

#[tokio::test]
async fn recording_an_issued_letter_links_every_task_of_the_draft_in_one_step() {
    let settings = Settings::defaults().unwrap();
    for t in testing::databases().await {
        dondoc_seed::demo::seed(&t.db, &clock(), &settings)
            .await
            .unwrap();
        let leader = principal(&t.db, "chutich").await;
        let late = letters::late_departments(&t.db, &FactStore::disabled(), &clock(), &leader, 7)
            .await
            .unwrap();
        let draft = letters::draft(
            &t.db,
            &FactStore::disabled(),
            &settings.letters,
            &clock(),
            &leader,
            &late[0].code,
            7,
            None,
        )
        .await
        .unwrap();
        let ids: Vec<i64> = draft.tasks.iter().map(|x| x.task_id).collect();
        let documents_before = document::Entity::find().all(&t.db).await.unwrap().len();

        // A task of another department: refused, nothing recorded.
        let foreign = task::Entity::find()
            .all(&t.db)
            .await
            .unwrap()
            .into_iter()
            .find(|x| !ids.contains(&x.id))
            .unwrap();
        let refused = letters::record(
            &t.db,
            &clock(),
            &settings.letters,
            &leader,
            IssuedLetter {
                department: late[0].code.clone(),
                number: "901".into(),
                issued_on: "2026-11-25".into(),
                report_back_on: String::new(),
                signer: String::new(),
                task_ids: [ids.clone(), vec![foreign.id]].concat(),
            },
        )
        .await;
        match refused {
            Err(Error::Validation(errors)) => {
                assert!(errors.iter().any(|e| e.field == "task_ids"), "{errors:?}")
            }
            other => panic!("accepted a foreign task: {other:?}"),
        }
        assert_eq!(
            document::Entity::find().all(&t.db).await.unwrap().len(),
            documents_before
        );

        let id = letters::record(
            &t.db,
            &clock(),
            &settings.letters,
            &leader,
            IssuedLetter {
                department: late[0].code.to_lowercase(),
                number: "901".into(),
                issued_on: "2026-11-25".into(),
                report_back_on: String::new(),
                signer: String::new(),
                task_ids: ids.clone(),
            },
        )
        .await
        .unwrap();
        let doc = document::Entity::find_by_id(id)
            .one(&t.db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(doc.number, "901/UBND-VP");
        assert_eq!(doc.kind, DocumentKind::OfficialLetter);
        assert_eq!(doc.signer, "Phạm Minh Trí");
        assert_eq!(doc.report_back_on, NaiveDate::from_ymd_opt(2026, 12, 2));
        let mut linked: Vec<i64> = document_task::Entity::find()
            .filter(document_task::Column::DocumentId.eq(id))
            .all(&t.db)
            .await
            .unwrap()
            .into_iter()
            .map(|l| {
                assert_eq!(l.relation, LinkRelation::Reminds);
                l.task_id
            })
            .collect();
        linked.sort_unstable();
        let mut wanted = ids.clone();
        wanted.sort_unstable();
        assert_eq!(linked, wanted);
        let notes = task_history::Entity::find()
            .filter(task_history::Column::TaskId.is_in(ids.clone()))
            .filter(task_history::Column::Action.eq("document_linked"))
            .all(&t.db)
            .await
            .unwrap();
        assert!(
            notes
                .iter()
                .filter(|h| h.note.as_deref().unwrap_or("").contains("901/UBND-VP"))
                .count()
                == ids.len()
        );

        // The register shows it, sent to the department, waiting for its report.
        let reg = register::list(
            &t.db,
            &leader,
            &RawRegisterQuery {
                department: Some(late[0].code.clone()),
                year: Some("2026".into()),
            },
            today(),
            chrono_tz::Asia::Ho_Chi_Minh,
            7,
        )
        .await
        .unwrap();
        let entry = reg.entries.iter().find(|e| e.document_id == id).unwrap();
        assert!(entry.report_back_stored);
        assert_eq!(entry.recipients.len(), 1);
        assert_eq!(entry.recipients[0].code, late[0].code);
        assert_eq!(entry.recipients[0].state, ReplyState::Waiting);

        // The department reports progress on one of the tasks: answered.
        let staff = principal(&t.db, &format!("cb.{}", late[0].code.to_lowercase())).await;
        dondoc_core::tasks::commands::update(
            &t.db,
            &clock(),
            &staff,
            ids[0],
            dondoc_core::tasks::commands::TaskPatch {
                progress: Some(90),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let reg = register::list(
            &t.db,
            &staff,
            &RawRegisterQuery::default(),
            today(),
            chrono_tz::Asia::Ho_Chi_Minh,
            7,
        )
        .await
        .unwrap();
        // Staff see only letters to their department, and only their row.
        assert_eq!(reg.department.as_deref(), Some(late[0].code.as_str()));
        assert!(
            reg.entries
                .iter()
                .all(|e| e.recipients.len() == 1 && e.recipients[0].code == late[0].code)
        );
        let entry = reg.entries.iter().find(|e| e.document_id == id).unwrap();
        assert_eq!(entry.recipients[0].state, ReplyState::Answered);
        assert!(entry.recipients[0].answered_at.is_some());
        // Old demo letters have no stored date: issued_on + 7 days, long passed.
        let all = register::list(
            &t.db,
            &leader,
            &RawRegisterQuery::default(),
            today(),
            chrono_tz::Asia::Ho_Chi_Minh,
            7,
        )
        .await
        .unwrap();
        assert_eq!(all.entries.len(), 26);
        let old = all
            .entries
            .iter()
            .find(|e| !e.report_back_stored && e.report_back_on < today())
            .unwrap();
        assert_eq!(old.report_back_on, old.issued_on + chrono::Days::new(7));
        assert!(
            old.recipients
                .iter()
                .all(|r| r.state != ReplyState::Waiting)
        );
    }
}

#[derive(Debug, Default, PartialEq, Eq, Clone)]
struct Count {
    total: i64,
    completed: i64,
    on_time: i64,
    on_time_after_extension: i64,
    late: i64,
    in_progress: i64,
    not_started: i64,
    overdue: i64,
    cancelled: i64,
}

fn tally(rows: &[&task::Model]) -> Count {
    let mut c = Count::default();
    for t in rows {
        c.total += 1;
        let done = matches!(t.status, TaskStatus::Completed | TaskStatus::ReportedDone);
        let open = matches!(t.status, TaskStatus::NotStarted | TaskStatus::InProgress);
        if t.status == TaskStatus::Cancelled {
            c.cancelled += 1;
        }
        if done {
            c.completed += 1;
            match t.completed_on {
                Some(d) if d > t.due_date => c.late += 1,
                Some(d) if d > t.original_due_date => c.on_time_after_extension += 1,
                _ => c.on_time += 1,
            }
        }
        if open {
            if t.status == TaskStatus::NotStarted {
                c.not_started += 1;
            } else {
                c.in_progress += 1;
            }
            if t.due_date < today() {
                c.overdue += 1;
            }
        }
    }
    c
}

fn as_count(f: &Figures) -> Count {
    Count {
        total: f.total,
        completed: f.completed,
        on_time: f.completed_on_time,
        on_time_after_extension: f.completed_on_time_after_extension,
        late: f.completed_late,
        in_progress: f.in_progress,
        not_started: f.not_started,
        overdue: f.overdue,
        cancelled: f.cancelled,
    }
}

#[tokio::test]
async fn the_annual_review_states_figures_equal_to_the_task_rows_and_reads_back_from_word() {
    let settings = Settings::defaults().unwrap();
    for t in testing::databases().await {
        dondoc_seed::demo::seed(&t.db, &clock(), &settings)
            .await
            .unwrap();
        let leader = principal(&t.db, "chutich").await;
        let r = review::compute(
            &t.db,
            &FactStore::disabled(),
            &clock(),
            &leader,
            &RawReviewQuery {
                year: Some("2026".into()),
                ..Default::default()
            },
            7,
            "UBND huyện",
        )
        .await
        .unwrap();

        // Independently: the year's rows, grouped here.
        let programme = programme::Entity::find()
            .filter(programme::Column::Year.eq(2026))
            .one(&t.db)
            .await
            .unwrap()
            .unwrap();
        let rows = task::Entity::find()
            .filter(task::Column::ProgrammeId.eq(programme.id))
            .all(&t.db)
            .await
            .unwrap();
        let all: Vec<&task::Model> = rows.iter().collect();
        let overall = tally(&all);
        assert_eq!(as_count(&r.overall), overall, "{t:?}");
        assert_eq!(overall.total, 96);
        let departments = department::Entity::find().all(&t.db).await.unwrap();
        for d in &departments {
            let mine: Vec<&task::Model> = rows
                .iter()
                .filter(|x| x.lead_department_id == d.id)
                .collect();
            let row = r.departments.iter().find(|g| g.key == d.code);
            match row {
                Some(g) => assert_eq!(as_count(&g.figures), tally(&mine), "{}", d.code),
                None => assert!(mine.is_empty(), "{} missing", d.code),
            }
        }
        for f in field::Entity::find().all(&t.db).await.unwrap() {
            let mine: Vec<&task::Model> = rows.iter().filter(|x| x.field_code == f.code).collect();
            if let Some(g) = r.fields.iter().find(|g| g.key == f.code) {
                assert_eq!(as_count(&g.figures), tally(&mine), "{}", f.code);
            } else {
                assert!(mine.is_empty());
            }
        }
        let users = user::Entity::find().all(&t.db).await.unwrap();
        let mut by_leader: BTreeMap<String, Vec<&task::Model>> = BTreeMap::new();
        for x in &rows {
            let key = x
                .leader_in_charge_id
                .and_then(|id| users.iter().find(|u| u.id == id))
                .map(|u| u.username.clone())
                .unwrap_or_default();
            by_leader.entry(key).or_default().push(x);
        }
        assert_eq!(r.leaders.len(), by_leader.len());
        for (key, mine) in &by_leader {
            let g = r.leaders.iter().find(|g| &g.key == key).unwrap();
            assert_eq!(as_count(&g.figures), tally(mine), "{key}");
        }
        assert!(users.iter().any(|u| u.role == Role::Leader));
        // Overdue > 30 / 60 / 120 days.
        for (limit, stated) in [
            (30, r.overdue_over_30),
            (60, r.overdue_over_60),
            (120, r.overdue_over_120),
        ] {
            let n = rows
                .iter()
                .filter(|x| x.status.is_open() && (today() - x.due_date).num_days() > limit)
                .count() as i64;
            assert_eq!(stated, n, "over {limit}");
        }
        assert_eq!(r.overdue_tasks.len() as i64, r.overdue_over_30);
        // Documents issued in 2026 by kind; the demo's 25 reminder letters.
        let docs = document::Entity::find().all(&t.db).await.unwrap();
        for k in &r.documents_by_kind {
            let n = docs
                .iter()
                .filter(|d| d.kind == k.kind && d.issued_on.format("%Y").to_string() == "2026")
                .count() as i64;
            assert_eq!(k.count, n, "{:?}", k.kind);
        }
        assert_eq!(r.reminder_documents, 25);

        // The English paragraph is rendered from its own messages, every
        // argument given (a missing one would fall back to Vietnamese).
        let en = &r.paragraph_en;
        assert!(
            en.starts_with("In the 2026 work programme, UBND huyện set 96 key tasks; as of ")
                && en.contains("; 25 reminder documents were issued."),
            "{en}"
        );

        // The paragraph states these very figures, in the report's words.
        let p = &r.paragraph_vi;
        assert!(
            p.starts_with("Trong Chương trình làm việc năm 2026, UBND huyện đã đề ra 96 nội dung trọng tâm; đến nay đã thực hiện hoàn thành "),
            "{p}"
        );
        assert!(
            p.contains(&format!(
                "{}/{} nội dung ({}%)",
                overall.completed,
                overall.total - overall.cancelled,
                r.overall.rate(dondoc_core::messages::Lang::Vi)
            )),
            "{p}"
        );
        assert!(
            p.contains(&format!(
                "trong đó {} nội dung hoàn thành đúng hạn, {} nội dung hoàn thành đúng hạn sau khi được gia hạn, {} nội dung hoàn thành quá hạn",
                overall.on_time, overall.on_time_after_extension, overall.late
            )),
            "{p}"
        );
        assert!(
            p.contains(&format!(
                "{} nội dung đang thực hiện, {} nội dung chưa triển khai (trong đó {} nội dung đã quá hạn",
                overall.in_progress, overall.not_started, overall.overdue
            )),
            "{p}"
        );
        assert!(
            p.contains("đã ban hành 25 văn bản đôn đốc, nhắc nhở các ngành, đơn vị, địa phương"),
            "{p}"
        );

        // A quarter: the programme's tasks whose original due date falls in
        // it (the fourth also takes those due after 31 December).
        let q4 = review::compute(
            &t.db,
            &FactStore::disabled(),
            &clock(),
            &leader,
            &RawReviewQuery {
                year: Some("2026".into()),
                quarter: Some("4".into()),
                ..Default::default()
            },
            7,
            "UBND huyện",
        )
        .await
        .unwrap();
        let in_q4: Vec<&task::Model> = rows
            .iter()
            .filter(|x| x.original_due_date >= NaiveDate::from_ymd_opt(2026, 10, 1).unwrap())
            .collect();
        assert_eq!(as_count(&q4.overall), tally(&in_q4));
        assert!(
            q4.paragraph_vi
                .starts_with("Trong quý IV năm 2026, theo Chương trình làm việc, UBND huyện có")
        );

        // Staff may not read the review.
        let staff = principal(&t.db, "cb.vp").await;
        assert!(matches!(
            review::compute(
                &t.db,
                &FactStore::disabled(),
                &clock(),
                &staff,
                &RawReviewQuery::default(),
                7,
                "UBND huyện"
            )
            .await,
            Err(Error::Forbidden(_))
        ));

        // The exports: .xlsx is a workbook; .docx opens and reads back.
        let xlsx = review::to_xlsx(&r, "UBND huyện Bắc Tân Uyên").unwrap();
        assert!(xlsx.starts_with(b"PK"));
        let docx = review::to_docx(&r, "UBND huyện Bắc Tân Uyên").unwrap();
        if t.backend == testing::Backend::Sqlite
            && let Some(text) = office_text(&docx, "review-docx")
        {
            let flat = squash(&text);
            let start: String = r.paragraph_vi.chars().take(100).collect();
            assert!(flat.contains(&squash(&start)), "{text}");
            assert!(flat.contains("đã ban hành 25 văn bản đôn đốc"), "{text}");
            for needle in [
                "KẾT QUẢ THỰC HIỆN CHƯƠNG TRÌNH LÀM VIỆC NĂM 2026",
                "theo đơn vị chủ trì",
                "theo lĩnh vực",
                "theo lãnh đạo phụ trách",
                "Văn bản đã ban hành",
                "Tổng cộng",
            ] {
                assert!(flat.contains(needle), "{needle:?} missing:\n{text}");
            }
        }
    }
}

#[tokio::test]
async fn the_chosen_signer_signs_with_the_block_of_their_position() {
    let settings = Settings::defaults().unwrap();
    for t in testing::databases().await {
        dondoc_seed::demo::seed(&t.db, &clock(), &settings)
            .await
            .unwrap();
        let leader = principal(&t.db, "chutich").await;
        let late = letters::late_departments(&t.db, &FactStore::disabled(), &clock(), &leader, 7)
            .await
            .unwrap();
        let code = late[0].code.clone();
        let draft_by = |signer: Option<&'static str>| {
            let (db, settings, leader, code) = (&t.db, &settings, &leader, code.clone());
            async move {
                letters::draft(
                    db,
                    &FactStore::disabled(),
                    &settings.letters,
                    &clock(),
                    leader,
                    &code,
                    7,
                    signer,
                )
                .await
            }
        };
        // By default: the leader in charge of most of the letter's tasks.
        let default = draft_by(None).await.unwrap();
        let mut counts: std::collections::HashMap<i64, usize> = Default::default();
        for x in &default.tasks {
            let row = task::Entity::find_by_id(x.task_id)
                .one(&t.db)
                .await
                .unwrap()
                .unwrap();
            if let Some(id) = row.leader_in_charge_id {
                *counts.entry(id).or_default() += 1;
            }
        }
        let most = counts.values().copied().max().unwrap_or(0);
        let chosen = default.signers.iter().find(|s| s.default).unwrap();
        assert_eq!(counts.get(&chosen.id).copied().unwrap_or(0), most, "{t:?}");
        assert_eq!(default.signers.iter().filter(|s| s.default).count(), 1);

        let chairman = draft_by(Some("chutich")).await.unwrap();
        assert_eq!(chairman.signature.authority, "TM. ỦY BAN NHÂN DÂN");
        assert_eq!(chairman.signature.title, "CHỦ TỊCH");
        assert_eq!(chairman.signature.name, "Trần Quốc Khánh");
        let deputy = draft_by(Some("pct.kinhte")).await.unwrap();
        assert_eq!(deputy.signature.authority, "KT. CHỦ TỊCH");
        assert_eq!(deputy.signature.title, "PHÓ CHỦ TỊCH");
        assert_eq!(deputy.signature.name, "Lê Văn Thịnh");
        assert!(matches!(
            draft_by(Some("cb.tnmt")).await,
            Err(Error::Validation(_))
        ));

        if t.backend != testing::Backend::Sqlite {
            continue;
        }
        let as_text = |draft: &letters::LetterDraft, stem: &str| {
            let bytes = letters::render_docx(draft, &settings.letters, "Bắc Tân Uyên").unwrap();
            office_text(&bytes, stem).map(|text| squash(&text))
        };
        if let Some(text) = as_text(&chairman, "letter-chairman") {
            assert!(text.contains("TM. ỦY BAN NHÂN DÂN CHỦ TỊCH"), "{text}");
            assert!(text.contains("Trần Quốc Khánh"), "{text}");
            assert!(!text.contains("KT. CHỦ TỊCH"), "{text}");
            assert!(!text.contains("PHÓ CHỦ TỊCH"), "{text}");
        }
        if let Some(text) = as_text(&deputy, "letter-vice-chairman") {
            assert!(text.contains("KT. CHỦ TỊCH PHÓ CHỦ TỊCH"), "{text}");
            assert!(text.contains("Lê Văn Thịnh"), "{text}");
            assert!(!text.contains("TM. ỦY BAN NHÂN DÂN"), "{text}");
        }
    }
}
