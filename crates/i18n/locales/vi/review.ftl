# The annual/periodic review (báo cáo kiểm điểm): its heading and its
# paragraph, one message per clause. The code joins the clauses with "; " and
# puts the closing sentence on documents after a space. The Word and Excel
# review use the Vietnamese text only.

review-heading = Số liệu tính đến hết ngày { $date }

# How a period is named inside a sentence. $kind: year, quarter or range.
review-period = { $kind ->
        [year] năm { $year }
        [quarter] quý { $roman } năm { $year }
       *[range] từ ngày { $from } đến ngày { $to }
    }

review-opening = { $kind ->
        [year] Trong Chương trình làm việc năm { $year }, { $org } đã đề ra { $total } nội dung trọng tâm
       *[other] Trong { $period }, theo Chương trình làm việc, { $org } có { $total } nội dung trọng tâm đến hạn thực hiện
    }

# $until: year_end (the year is over on the as-of day), period_end (the
# quarter or range is), now (figures of today) or day (of $as_of).
review-done = { $until ->
        [year_end] đến cuối năm
        [period_end] đến cuối kỳ
        [day] đến ngày { $as_of }
       *[now] đến nay
    } đã thực hiện hoàn thành { $completed }/{ $counted } nội dung ({ $rate }%), trong đó { $on_time } nội dung hoàn thành đúng hạn, { $on_time_after_extension } nội dung hoàn thành đúng hạn sau khi được gia hạn, { $late } nội dung hoàn thành quá hạn

# Only when some tasks are not done. $parts: the two below that are not zero, joined with ", ".
review-open-in-progress = { $count } nội dung đang thực hiện
review-open-not-started = { $count } nội dung chưa triển khai
review-open = { $parts } (trong đó { $overdue } nội dung đã quá hạn{ $over_30 ->
        [0] {""}
       *[other] , { $over_30 } nội dung quá hạn trên 30 ngày
    })

# Only when some tasks were cancelled.
review-cancelled = { $cancelled } nội dung được điều chỉnh, không tiếp tục thực hiện

review-reminders = đã ban hành { $reminders } văn bản đôn đốc, nhắc nhở các ngành, đơn vị, địa phương trong quá trình thực hiện nhiệm vụ.

# The closing sentence; nothing when no document was issued.
review-documents = { $total ->
        [0] {""}
       *[other] Tính đến ngày { $date }, { $org } đã ban hành tổng cộng { $total } văn bản các loại; trong đó có: { $listed }.
    }

# One kind of document in the list of the closing sentence ("3 Công văn").
review-kind-count = { $count } { $kind }
# The last two items of a list.
review-list-and = { $rest } và { $last }
