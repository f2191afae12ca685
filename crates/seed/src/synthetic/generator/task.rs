//! One task's whole life, as the generator writes it.

use chrono::{Datelike, NaiveDate};

use dondoc_core::{domain::text::fold, tasks::history::action};

use super::{Generator, Kind, OpenReminder};
use crate::synthetic::{
    names::{LEADERS, VERBS, objects},
    sql::{add_days, d, od, oi, q, ts},
};

impl Generator {
    // One straight recipe from assignment to the last reminder: long, but
    // read top to bottom it is the task's history in order.
    pub(super) fn one_task(&mut self) {
        let p = &self.plan;
        let today = p.today;
        let id = self.next_task_id;
        self.next_task_id += 1;
        self.counts.tasks += 1;
        let kind = self.pick_kind();
        let due = match kind {
            Kind::Overdue => {
                let age = self.overdue_age();
                let day = add_days(today, -age);
                if day < self.plan.first_day {
                    add_days(self.plan.first_day, self.rng.below(30) as i64)
                        .min(add_days(today, -1))
                } else {
                    day
                }
            }
            Kind::DueSoon => add_days(
                today,
                self.rng.below(self.plan.due_soon_days as u64 + 1) as i64,
            ),
            Kind::OnTrack => add_days(
                today,
                self.plan.due_soon_days + 1 + self.rng.below(200) as i64,
            ),
            Kind::OnTime => {
                if self.rng.chance(0.1) {
                    add_days(today, 1 + self.rng.below(60) as i64)
                } else {
                    self.past_day()
                }
            }
            Kind::Late => add_days(self.past_day(), -2).max(self.plan.first_day),
            Kind::Cancelled => self.past_day(),
        };
        let p = &self.plan;
        let year_offset = (due.year() - p.first_year).clamp(0, p.spec.years as i32 - 1) as usize;
        let programme_id = year_offset as i64 + 1;
        let assigned_on = p.assign_doc_date[year_offset].min(due).min(today);
        self.seq[year_offset] += 1;
        let code = format!(
            "NV-{}-{:06}",
            p.first_year + year_offset as i32,
            self.seq[year_offset]
        );
        let lead_index = self.leads.pick(&mut self.rng);
        let lead = lead_index as i64 + 1;
        let staff_id = self.plan.staff_base + lead_index as i64;
        let staff = Some(staff_id);
        let field = self.plan.field_codes[self.fields.pick(&mut self.rng)];
        let leader = if self.rng.chance(0.7) {
            let i = self.rng.below(self.plan.leader_ids.len() as u64) as usize;
            self.plan.leader_ids.get(i).copied()
        } else {
            None
        };
        let verbs = VERBS[self.rng.below(VERBS.len() as u64) as usize];
        let objects = objects(field);
        let object = objects[self.rng.below(objects.len() as u64) as usize];
        let place = &self.plan.department_names
            [self.rng.below(self.plan.department_names.len() as u64) as usize];
        let title = format!("{verbs} {object} ({place})");
        let description = if self.rng.chance(0.25) {
            format!("Theo chỉ đạo tại văn bản giao nhiệm vụ; {object} đúng tiến độ, chất lượng.")
        } else {
            String::new()
        };
        let admin = Some(self.plan.admin_id);

        // Status, completion and an approved extension where it fits.
        let extended = matches!(kind, Kind::Overdue | Kind::OnTime) && self.rng.chance(0.04);
        let original_due = if extended {
            add_days(due, -(15 + self.rng.below(45) as i64))
        } else {
            due
        };
        let awaiting = matches!(kind, Kind::OnTime | Kind::Late) && self.rng.chance(0.03);
        let (status, progress, completed_on) = match kind {
            Kind::Overdue | Kind::DueSoon | Kind::OnTrack => {
                if self.rng.chance(0.25) {
                    ("not_started", 0, None)
                } else {
                    ("in_progress", 10 + 10 * self.rng.below(9) as i32, None)
                }
            }
            Kind::OnTime => {
                let early = self.rng.below(30) as i64;
                let mut done = add_days(due, -early);
                if done > today {
                    // Due later, done already: some time in the past weeks.
                    done = add_days(today, -(self.rng.below(40) as i64));
                }
                let done = done.max(assigned_on).min(due).min(today);
                (
                    if awaiting {
                        "reported_done"
                    } else {
                        "completed"
                    },
                    100,
                    Some(done),
                )
            }
            Kind::Late => {
                // Done between a day after the due date and yesterday.
                let room = (today - due).num_days().max(1);
                let mut late = 1 + self.rng.exp(20.0) as i64;
                if late >= room {
                    late = 1 + self.rng.below(room as u64) as i64;
                }
                let done = add_days(due, late).min(today);
                (
                    if awaiting {
                        "reported_done"
                    } else {
                        "completed"
                    },
                    100,
                    Some(done),
                )
            }
            Kind::Cancelled => ("cancelled", 0, None),
        };
        match kind {
            Kind::Overdue => {
                self.counts.overdue += 1;
                let age = (today - due).num_days();
                if age > 30 {
                    self.counts.overdue_over_30_days += 1;
                }
                if age > 120 {
                    self.counts.overdue_over_120_days += 1;
                }
            }
            Kind::DueSoon => self.counts.due_soon += 1,
            Kind::OnTrack => self.counts.on_track += 1,
            Kind::OnTime => self.counts.completed_on_time += 1,
            Kind::Late => self.counts.completed_late += 1,
            Kind::Cancelled => self.counts.cancelled += 1,
        }
        if awaiting {
            self.counts.awaiting_confirmation += 1;
        }
        let result_note = completed_on.map(|_| "Đã hoàn thành, có báo cáo kết quả kèm theo.");
        let last_event = completed_on.unwrap_or(assigned_on).max(assigned_on);
        let search_text = fold(&format!("{code} {title}"));
        let source_doc = programme_id; // the year's assigning document
        self.tasks.row(format_args!(
            "{id},{programme_id},{},{},{},{},{},{lead},{},{source_doc},{},{},{},{progress},{},{},{},1,{},{}",
            q(&code),
            q(&title),
            q(&description),
            q(&search_text),
            q(field),
            oi(leader),
            d(due),
            d(original_due),
            q(status),
            od(completed_on),
            od(completed_on),
            result_note.map(q).unwrap_or_else(|| "NULL".into()),
            ts(assigned_on),
            ts(last_event),
        ));
        self.links.row(format_args!(
            "{source_doc},{id},'assigns',{}",
            ts(assigned_on)
        ));
        // The task's state history: assigned, extended, started, reported,
        // confirmed — on the days the history below records.
        let mut events: Vec<(NaiveDate, &str, i32, NaiveDate, Option<NaiveDate>)> = vec![(
            assigned_on,
            if status == "cancelled" {
                "cancelled"
            } else {
                "not_started"
            },
            0,
            original_due,
            None,
        )];
        self.history(
            id,
            admin,
            assigned_on,
            action::CREATED,
            None,
            Some("Giao nhiệm vụ theo chương trình công tác năm"),
        );

        // Coordinating departments on about a third of the tasks.
        let departments = self.plan.spec.departments as u64;
        if departments > 1 && self.rng.chance(0.3) {
            let first = (lead_index as u64 + 1 + self.rng.below(departments - 1)) % departments;
            self.coordinators.row(format_args!("{id},{}", first + 1));
            self.counts.coordinator_links += 1;
            if departments > 2 && self.rng.chance(0.4) {
                let mut second = (first + 1 + self.rng.below(departments - 1)) % departments;
                if second == lead_index as u64 {
                    second = (second + 1) % departments;
                }
                if second != first && second != lead_index as u64 {
                    self.coordinators.row(format_args!("{id},{}", second + 1));
                    self.counts.coordinator_links += 1;
                }
            }
        }

        if extended {
            let ext = self.next_extension_id;
            self.next_extension_id += 1;
            self.counts.extensions += 1;
            let decided = add_days(original_due, -3).max(assigned_on);
            self.extensions.row(format_args!(
                "{ext},{id},{},{},{},{},'approved',{},{},{},{}",
                staff_id,
                d(original_due),
                d(due),
                q("Cần thêm thời gian để hoàn thiện hồ sơ, thủ tục theo quy định."),
                leader.unwrap_or(self.plan.admin_id),
                ts(decided),
                q("Đồng ý gia hạn."),
                ts(decided),
            ));
            let (o, n) = (original_due.to_string(), due.to_string());
            self.history(
                id,
                leader.or(admin),
                decided,
                action::EXTENSION_APPROVED,
                Some(("due_date", &o, &n)),
                Some("Đồng ý gia hạn"),
            );
            events.push((decided, "", -1, due, None));
        } else if kind == Kind::Overdue && self.pending_extensions < 20 && self.rng.chance(0.002) {
            // A handful of requests waiting for a leader's decision.
            let ext = self.next_extension_id;
            self.next_extension_id += 1;
            self.pending_extensions += 1;
            let requested = add_days(today, 30);
            self.extensions.row(format_args!(
                "{ext},{id},{},{},{},{},'pending',NULL,NULL,NULL,{}",
                staff_id,
                d(due),
                d(requested),
                q("Vướng mắc hồ sơ pháp lý; đề nghị gia hạn để hoàn thành."),
                ts(add_days(today, -1)),
            ));
            let (o, n) = (due.to_string(), requested.to_string());
            self.history(
                id,
                staff,
                add_days(today, -1),
                action::EXTENSION_REQUESTED,
                Some(("due_date", &o, &n)),
                None,
            );
        }

        if status == "in_progress" {
            let pr = progress.to_string();
            let started = assigned_on.max(add_days(due.min(today), -20));
            self.history(
                id,
                staff,
                started,
                action::UPDATED,
                Some(("progress", "0", &pr)),
                None,
            );
            events.push((started, "in_progress", progress, due, None));
        }
        if let Some(done) = completed_on {
            self.history(
                id,
                staff,
                done,
                action::REPORTED_DONE,
                Some(("status", "in_progress", "reported_done")),
                Some("Báo cáo hoàn thành"),
            );
            events.push((done, "reported_done", 100, due, Some(done)));
            if status == "completed" {
                let confirmed = add_days(done, self.rng.below(5) as i64).min(today);
                events.push((confirmed, "completed", 100, due, Some(done)));
                self.history(
                    id,
                    leader.or(admin),
                    confirmed,
                    action::CONFIRMED,
                    Some(("status", "reported_done", "completed")),
                    None,
                );
            }
        }
        if status == "cancelled" {
            self.history(
                id,
                leader.or(admin),
                assigned_on,
                action::CANCELLED,
                Some(("status", "not_started", "cancelled")),
                Some("Không còn phù hợp, dừng thực hiện"),
            );
        }

        self.states(id, programme_id, lead, field, leader, &mut events);

        // Reminder documents (văn bản đôn đốc) on late tasks.
        let reminders = match kind {
            Kind::Overdue => {
                let age = (today - due).num_days();
                if age > 14 && self.rng.chance(0.7) {
                    1 + u32::from(age > 60) + u32::from(age > 150)
                } else {
                    0
                }
            }
            Kind::Late if self.rng.chance(0.4) => 1,
            _ => 0,
        };
        for n in 0..reminders {
            let wanted = add_days(due, 7 + 30 * i64::from(n) + self.rng.below(7) as i64)
                .min(add_days(today, -1));
            let reuse = match &mut self.reminder {
                Some(open)
                    if open.room > 0
                        && open.last_task != id
                        && open.issued_on > due
                        && open.issued_on <= today =>
                {
                    open.room -= 1;
                    open.last_task = id;
                    Some((open.id, open.number, open.issued_on))
                }
                _ => None,
            };
            let (doc, number, issued_on) = match reuse {
                Some(found) => found,
                None => {
                    let doc = self.next_doc_id;
                    self.next_doc_id += 1;
                    self.reminder_numbers += 1;
                    self.counts.reminder_documents += 1;
                    let room = self.rng.below(5) as u32;
                    self.reminder = Some(OpenReminder {
                        id: doc,
                        number: self.reminder_numbers,
                        issued_on: wanted,
                        room,
                        last_task: id,
                    });
                    let signer = LEADERS[self.rng.below(LEADERS.len() as u64) as usize].1;
                    self.documents.row(format_args!(
                        "{doc},{},'official_letter',{},{},{},{},{}",
                        q(&format!("{}/UBND-VP", self.reminder_numbers)),
                        q("V/v đôn đốc thực hiện các nhiệm vụ chậm tiến độ"),
                        d(wanted),
                        q(signer),
                        self.plan.admin_id,
                        ts(wanted),
                    ));
                    (doc, self.reminder_numbers, wanted)
                }
            };
            self.counts.reminder_links += 1;
            self.links
                .row(format_args!("{doc},{id},'reminds',{}", ts(issued_on)));
            let note = format!(
                "Văn bản đôn đốc số {number}/UBND-VP ngày {}",
                issued_on.format("%d/%m/%Y")
            );
            self.history(
                id,
                admin,
                issued_on,
                action::DOCUMENT_LINKED,
                None,
                Some(&note),
            );
        }
    }
}
