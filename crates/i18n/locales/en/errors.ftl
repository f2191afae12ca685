# What errors say. Field messages are read after the field's name, so most
# English ones start with a verb ("is required").

## Any field
error-required = is required
error-too-long = is too long (at most { $max } characters)
error-control-characters = contains control characters
error-invalid-date = “{ $value }” is not a valid date (write it as dd/mm/yyyy, e.g. 31/12/2026)
error-invalid-year = “{ $value }” is not a valid year
error-year-range = must be between 2000 and 2100
error-not-a-number = must be a number
error-task-id-not-number = the task id must be a number
error-invalid-choice = “{ $value }” is not valid; choose one of: { $choices }
error-other = { $detail }

## Values
error-invalid-department-code = is not a valid code (letters without accents, digits and '-', e.g. TNMT, XA-TAN-THANH)
error-task-code-spaces = must not contain spaces
error-invalid-username = must be 2–64 letters without accents, digits, '.', '_' or '-'
error-invalid-email = “{ $value }” is not a valid email address
error-progress-range = is out of range

## Looking things up by what a person typed
error-unknown-department = there is no department “{ $code }”
error-unknown-department-code = there is no department with code { $code }
error-unknown-this-department = this department does not exist
error-unknown-field-code = there is no field with code { $code }
error-unknown-field = there is no field “{ $value }” (enter a code such as site_clearance or a name such as "Bồi thường, giải phóng mặt bằng")
error-unknown-user = there is no user { $username }
error-unknown-leader = there is no leader “{ $name }”
error-unknown-this-leader = this leader does not exist
error-not-active-leader = “{ $name }” is not an active leader
error-not-a-leader = “{ $name }” is not a leader
error-unknown-document = there is no document #{ $id }
error-unknown-task = there is no task #{ $id }
error-field-required = no field chosen
error-department-required = no department chosen
error-lead-department-required = no lead department chosen
error-leader-required = no leader chosen

## Task lists
error-page-number = the page must be a whole number from 1
error-per-page-range = rows per page must be between 1 and { $max }
error-invalid-involvement = “{ $value }” is not valid; choose lead, coordinating or any
error-invalid-timeliness = “{ $value }” is not valid; choose overdue, due_soon, on_track, completed_on_time, completed_on_time_after_extension or completed_late
error-search-too-long = the search text is longer than 200 characters
error-export-too-many = the list has { $total } tasks, more than { $max }; filter it before exporting
error-invalid-sort = “{ $value }” is not valid; choose due_date, attention, code, updated_at or progress (prefix - for descending)

## Tasks
error-empty-update = nothing to update
error-duplicate-task-code = task code { $code } is already in the { $year } programme
error-completed-in-future = the completion date cannot be after today
error-result-note-required = a report of completion must state the result
error-result-note-unchanged = the completion result must differ from the previous result note: write what was done
error-completed-on-not-done = a completion date is only set when reporting the task done
error-progress-after-done = the task is already reported done; its progress cannot change
error-reported-done-waits-for-return = The task is reported done; work resumes only when a leader returns it.
error-closed-reopen-before-report = The task is closed; a leader must reopen it before it is reported.
error-cancelled-reopen-first = The task is cancelled; a leader must reopen it first.
error-invalid-transition = This status change is not allowed.
error-confirm-not-reported = Only a task reported done can be confirmed (now: { $status }).
error-return-needs-reason = returning a report needs a reason
error-reopen-needs-reason = reopening a task needs a reason
error-completion-frozen = A leader has confirmed the task done; its result and completion date can no longer change. A leader reopens the task (with a reason) if it needs correcting.
error-completed-before-created = the completion date cannot be before the task was assigned ({ $created })
error-completed-after-report = the completion date cannot be after the report date ({ $reported })
error-no-declared-completion = The department declared no completion date earlier than its report; there is nothing to accept.
error-accept-declared-needs-reason = accepting the completion date the department declared needs a reason
error-due-date-frozen = The task is { $status }; its due date can no longer change, so whether it was on time is never rewritten.
error-as-of-in-future = the day of the figures cannot be after today

## Extensions
error-extension-reason-required = an extension request needs a reason
error-extension-not-later = the requested date must be after the current due date ({ $due })
error-extension-task-done = Only a task not yet done can be extended.
error-extension-pending = The task already has an extension request awaiting a decision.
error-extension-decided = This extension request has already been decided ({ $state }).
error-extension-task-closed = The task is { $status }; it can no longer be extended (reject the request to close it).
error-reject-needs-reason = rejecting an extension needs a reason

## Recurring tasks
error-invalid-frequency = choose monthly, quarterly or yearly
error-due-day-range = the due day must be between 1 and 31
error-month-range = the month must be between 1 and { $max }
error-recurrence-code-taken = no code could be given to period { $period } of recurring task { $base }

## Departments and accounts
error-duplicate-department-code = department code { $code } already exists
error-staff-needs-department = staff must belong to a department
error-duplicate-username = username { $name } is already taken
error-wrong-password = is not your current password
error-password-unchanged = must differ from the current password
error-self-deactivate = you cannot deactivate your own account
error-self-role-change = you cannot change your own role
error-password-too-short = is too weak (at least { $min } characters)
error-password-too-long = is longer than 256 characters
error-password-has-username = must not contain the username

## Documents and letters
error-issued-in-future = the issue date cannot be after today
error-too-many-links = at most 500 tasks for one document
error-report-back-before-issue = the report-back date cannot be before the issue date
error-invalid-relation = choose assigns or reminds
error-letter-needs-task = a letter must name at least one task
error-letter-too-many-tasks = at most 500 tasks for one letter
error-task-not-of-department = task { $code } is not led by { $department }; draft the letter again

## Explanations
error-question-required = the request for explanation needs a question
error-answer-by-not-after-today = the answer-by date must be after today ({ $today })
error-explanation-not-overdue = Only an overdue task (not done, past its due date) can be asked for an explanation.
error-explanation-open = The task already has an unanswered request for explanation.
error-answer-required = the explanation is required
error-explanation-answered = This request for explanation has already been answered.
error-invalid-explanation-state = “{ $value }” is not valid; choose open, overdue, answered or all

## Notifications
error-invalid-notification-state = “{ $value }” is not valid; choose { $choices }
error-notification-no-recipient = notification { $id } has no recipient; fix the address and let the next digest go out
error-notification-not-failed = notification { $id } is { $state }, only failed ones can be sent again

## Calendar feeds
error-invalid-feed-scope = “{ $value }”: choose department or leader

## Reports and snapshots
error-invalid-quarter = the quarter must be 1, 2, 3 or 4
error-range-needs-both-days = a period needs both a start and an end date
error-quarter-and-range = choose a quarter or a period, not both
error-end-before-start = the end date cannot be before the start date
error-range-too-long = a period is at most 10 years
error-snapshot-title-required = a snapshot needs a name (e.g. “Weekly meeting 48”)
error-snapshot-title-too-long = the name is longer than { $max } characters
error-snapshot-title-control = the name contains control characters
error-snapshot-ref-invalid = “{ $value }” is not a snapshot id (or now)

## The API's own checks of a request
error-if-match-invalid = If-Match must be the task's version number (e.g. "3")
error-unknown-json-field = is not an accepted field
error-missing-json-field = is required
error-wrong-json-type = has the wrong type ({ $detail })
error-invalid-characters = contains a control character (such as NUL) that is not allowed; only text, tabs and line breaks are accepted

## Seeding and backups
error-synthetic-tasks-range = --tasks must be 1 to 20,000,000
error-synthetic-departments-range = --departments must be 1 to 100,000
error-synthetic-years-range = --years must be 1 to 30
error-synthetic-not-empty = the database is not empty; synthetic data is only seeded into an empty database (create a new one)
error-demo-not-empty = the database already has departments or users; the demo is only seeded into an empty database
error-backup-target-exists = { $path } already exists; choose a new file name
error-backup-folder-missing = folder { $path } does not exist

## What the database refused
error-duplicate-value = duplicate value: { $detail }
error-referenced-record = referenced record missing or still in use: { $detail }

## Not found
not-found-task = Task #{ $id } was not found.
not-found-extension = Extension request #{ $id } was not found.
not-found-explanation = Request for explanation #{ $id } was not found.
not-found-document = Document #{ $id } was not found.
not-found-snapshot = Snapshot #{ $id } was not found.
not-found-notification = Notification #{ $id } was not found.
not-found-feed = Calendar feed #{ $id } was not found.
not-found-feed-token = Calendar feed not found.
not-found-department = Department { $code } was not found.
not-found-user = User { $username } was not found.
not-found-recurrence = Task #{ $id } has no recurrence.
not-found-export-format = There is no export format { $format }.
not-found-record = Not found: { $what }.

## Forbidden: what was refused
forbidden-read-task = You can only see tasks your department leads or coordinates.
forbidden-update-task-progress = Only the lead department (or a leader) can update this task's status and progress.
forbidden-add-task-note = Only the lead or a coordinating department can add notes to this task.
forbidden-request-extension = Only the lead department can request an extension of this task.
forbidden-edit-task = Only a leader or an administrator can change a task's title or due date.
forbidden-create-task = Only a leader or an administrator can assign new tasks.
forbidden-confirm-task = Only a leader or an administrator can confirm completion.
forbidden-reopen-or-cancel-task = Only a leader or an administrator can reopen or cancel a task.
forbidden-decide-extension = Only a leader can decide on extensions.
forbidden-record-document = Only a leader or an administrator can record documents.
forbidden-read-all-departments = You can only see your own department's figures.
forbidden-read-overdue = You do not have the right to see the overdue list.
forbidden-read-stats = You do not have the right to see the statistics.
forbidden-read-notifications = Only a leader or an administrator can see the notification log.
forbidden-manage-departments = Only an administrator can manage departments.
forbidden-manage-users = Only an administrator can manage accounts.
forbidden-import-tasks = Only an administrator can import the work programme.
forbidden-choose-as-of-date = Only a leader can see the overdue list as of another day.
forbidden-draft-letter = Only a leader or an administrator can draft and record reminder letters.
forbidden-read-reminder-register = You do not have the right to see the reminder register.
forbidden-read-review = Only a leader or an administrator can see the review.
forbidden-take-snapshot = Only a leader or an administrator can take meeting snapshots.
forbidden-read-snapshots = Only a leader or an administrator can see meeting snapshots.
forbidden-request-explanation = Only a leader or an administrator can request an explanation.
forbidden-answer-explanation = Only the task's lead department can answer a request for explanation.
forbidden-read-explanations = You do not have the right to see requests for explanation.
forbidden-manage-feed = You can only manage your own department's calendar feed (staff) or your own (leaders).
