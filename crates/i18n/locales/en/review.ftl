# The paragraph of the annual/periodic review: one message per clause. The
# code joins the clauses with "; " and puts the closing sentence on documents
# after a space. The Word and Excel review use the Vietnamese text only.

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

review-done = { $completed } of { $base } are done ({ $rate }%), { $on_time } on time and { $late } late

# Only when some tasks are still in progress.
review-in-progress = { $in_progress } are in progress ({ $overdue } of them overdue, { $over_30 } by more than 30 days)

# Only when some tasks were cancelled.
review-cancelled = { $cancelled } were cancelled

review-reminders = { $reminders } reminder documents were issued.

# The closing sentence.
review-documents = { $total } documents were issued in all.

# One kind of document in a list ("3 Official letter").
review-kind-count = { $count } { $kind }
# The last two items of a list.
review-list-and = { $rest } and { $last }
