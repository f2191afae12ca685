# Labels of the stored enums: `<prefix>-<stored code>`.

role-admin = Administrator
role-leader = Leader
role-staff = Staff
account-language-vi = Vietnamese (Tiếng Việt)
account-language-en = English

department-kind-office = Office
department-kind-commune = Commune or town
department-kind-agency = Agency

task-status-not_started = Not started
task-status-in_progress = In progress
task-status-reported_done = Reported done
task-status-completed = Completed
task-status-cancelled = Cancelled

document-kind-directive = Directive
document-kind-decision = Decision
document-kind-plan = Plan
document-kind-submission = Submission
document-kind-report = Report
document-kind-notice = Notice
document-kind-official_letter = Official letter
document-kind-conclusion_notice = Conclusion notice

link-relation-assigns = Assigns
link-relation-reminds = Reminds

extension-state-pending = Pending
extension-state-approved = Approved
extension-state-rejected = Rejected
extension-state-withdrawn = Withdrawn

# Labels of derived values (computed, not stored): `<prefix>-<code>`.

timeliness-completed_on_time = Completed on time
timeliness-completed_on_time_after_extension = Completed on time after an extension
timeliness-completed_late = Completed late
timeliness-overdue = Overdue
timeliness-due_soon = Due soon
timeliness-on_track = On track

explanation-state-open = Awaiting answer
explanation-state-overdue = Answer overdue
explanation-state-answered = Answered

reply-state-answered = Reported back
reply-state-waiting = Not yet due
reply-state-not_answered = No report

# The figures of the reports: `figure-<code>`.

figure-total = All tasks
figure-counted = Tasks to carry out
figure-cancelled = Cancelled
figure-completed = Done
figure-completed_on_time = Done on time
figure-completed_on_time_after_extension = Done on time after an extension
figure-completed_late = Done late
figure-awaiting_confirmation = Awaiting confirmation
figure-open = Not done
figure-not_started = Not started
figure-in_progress = In progress
figure-overdue = Overdue
figure-overdue_over_30_days = Overdue by more than 30 days
figure-overdue_over_60_days = Overdue by more than 60 days
figure-overdue_over_120_days = Overdue by more than 120 days
figure-due_soon = Due soon
figure-on_track = On track
figure-extended = Extended
