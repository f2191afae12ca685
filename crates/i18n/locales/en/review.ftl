# The annual/periodic review: its heading and its paragraph, one message per
# clause. The code joins the clauses with "; " and puts the closing sentence
# on documents after a space. The Word and Excel review use the Vietnamese
# text only.

review-heading = Figures as of the end of { $date }

# How a period is named inside a sentence. $kind: year, quarter or range.
review-period = { $kind ->
        [year] { $year }
        [quarter] Q{ $quarter } { $year }
       *[range] { $from } to { $to }
    }

review-opening = { $kind ->
        [year] In the { $year } work programme, { $org } set { $total } key tasks
       *[other] In { $period }, { $total } key tasks of the work programme fell due
    }

review-done = as of { $as_of }, { $completed } of { $counted } are done ({ $rate }%): { $on_time } on time, { $on_time_after_extension } on time after an extension and { $late } late

# Only when some tasks are not done.
review-open-in-progress = { $count } in progress
review-open-not-started = { $count } not started
review-open = { $in_progress } are in progress and { $not_started } not started ({ $overdue } of them overdue, { $over_30 } by more than 30 days)

# Only when some tasks were cancelled.
review-cancelled = { $cancelled } were cancelled

review-reminders = { $reminders } reminder documents were issued.

# The closing sentence.
review-documents = { $total } documents were issued in all.

# One kind of document in a list ("3 Official letter").
review-kind-count = { $count } { $kind }
# The last two items of a list.
review-list-and = { $rest } and { $last }
