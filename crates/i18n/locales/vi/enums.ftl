# Labels of the stored enums: `<prefix>-<stored code>`.

role-admin = Quản trị
role-leader = Lãnh đạo
role-staff = Cán bộ
account-language-vi = Tiếng Việt
account-language-en = Tiếng Anh (English)

department-kind-office = Phòng chuyên môn
department-kind-commune = Xã, thị trấn
department-kind-agency = Cơ quan, đơn vị

task-status-not_started = Chưa thực hiện
task-status-in_progress = Đang thực hiện
task-status-reported_done = Đã báo cáo hoàn thành
task-status-completed = Hoàn thành
task-status-cancelled = Đã hủy

document-kind-directive = Chỉ thị
document-kind-decision = Quyết định
document-kind-plan = Kế hoạch
document-kind-submission = Tờ trình
document-kind-report = Báo cáo
document-kind-notice = Thông báo
document-kind-official_letter = Công văn
document-kind-conclusion_notice = Thông báo kết luận

link-relation-assigns = Giao nhiệm vụ
link-relation-reminds = Đôn đốc

extension-state-pending = Chờ quyết định
extension-state-approved = Đã đồng ý
extension-state-rejected = Không đồng ý
extension-state-withdrawn = Đã tự đóng

# Labels of derived values (computed, not stored): `<prefix>-<code>`.

timeliness-completed_on_time = Hoàn thành đúng hạn
timeliness-completed_on_time_after_extension = Hoàn thành đúng hạn sau khi được gia hạn
timeliness-completed_late = Hoàn thành quá hạn
timeliness-overdue = Quá hạn
timeliness-due_soon = Sắp đến hạn
timeliness-on_track = Trong hạn

explanation-state-open = Chờ giải trình
explanation-state-overdue = Quá hạn giải trình
explanation-state-answered = Đã giải trình

reply-state-answered = Đã báo cáo
reply-state-waiting = Chưa đến hạn báo cáo
reply-state-not_answered = Chưa báo cáo

# The figures of the reports: `figure-<code>`.

figure-total = Tổng số nhiệm vụ
figure-counted = Nhiệm vụ phải thực hiện
figure-cancelled = Điều chỉnh, không thực hiện
figure-completed = Đã hoàn thành
figure-completed_on_time = Hoàn thành đúng hạn
figure-completed_on_time_after_extension = Hoàn thành đúng hạn sau khi được gia hạn
figure-completed_late = Hoàn thành quá hạn
figure-awaiting_confirmation = Chờ lãnh đạo xác nhận
figure-open = Chưa hoàn thành
figure-not_started = Chưa triển khai
figure-in_progress = Đang thực hiện
figure-overdue = Quá hạn
figure-overdue_over_30_days = Quá hạn trên 30 ngày
figure-overdue_over_60_days = Quá hạn trên 60 ngày
figure-overdue_over_120_days = Quá hạn trên 120 ngày
figure-due_soon = Sắp đến hạn
figure-on_track = Trong hạn
figure-extended = Đã được gia hạn
