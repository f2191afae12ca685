//! A subject holding a literal encoded-word (a department named
//! `=?utf-8?b?...?=`) reaches mail clients as the text we wrote: the
//! message is read back with Python's `email` package, as a client would.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use chrono::{TimeZone, Utc};
use dondoc_scheduler::{Outgoing, mailer::build_message};
use lettre::message::Mailbox;

#[test]
fn subjects_with_encoded_word_look_alikes_decode_to_what_was_written() {
    let from: Mailbox = "dondoc <dondoc@dondoc.test>".parse().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let subjects = [
        "[Đôn đốc] Phòng =?utf-8?b?VHLDoW5oIG5oaeG7h20=?= — 3 nhiệm vụ quá hạn",
        "=?utf-8?q?Gi=E1=BA=A3_m=E1=BA=A1o?=",
        "[Đôn đốc] =?iso-8859-1?q?caf=E9?= and =?",
        "[Đôn đốc] Phòng Tài nguyên và Môi trường",
        "Plain ASCII digest",
    ];
    let mut files = Vec::new();
    for (i, subject) in subjects.iter().enumerate() {
        let mail = Outgoing {
            idempotency_key: format!("subject-test:{i}"),
            message_id: format!("<subject-test-{i}@dondoc.test>"),
            recipients: vec!["cb.tnmt@dondoc.test".into()],
            subject: (*subject).to_string(),
            text: "Nội dung".into(),
            html: "<p>Nội dung</p>".into(),
            date: Utc.with_ymd_and_hms(2026, 11, 25, 0, 0, 0).unwrap(),
        };
        let message = build_message(&from, &mail).unwrap();
        let path = dir.path().join(format!("{i}.eml"));
        std::fs::write(&path, message.formatted()).unwrap();
        files.push(path);
    }
    let Some(parsed) = support::parse_eml(&files) else {
        return;
    };
    let decoded: Vec<&str> = parsed.iter().map(|r| r.subject.as_str()).collect();
    assert_eq!(decoded, subjects);
}
