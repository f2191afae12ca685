# What errors say. Field messages are read next to the field's name.

## Any field
error-required = Không được để trống
error-too-long = Dài quá { $max } ký tự
error-control-characters = Chứa ký tự điều khiển không hợp lệ
error-invalid-date = “{ $value }” không phải ngày hợp lệ (ghi dạng dd/mm/yyyy, ví dụ 31/12/2026)
error-invalid-year = “{ $value }” không phải năm hợp lệ
error-year-range = Năm phải từ 2000 đến 2100
error-not-a-number = Phải là số
error-task-id-not-number = Mã số nhiệm vụ phải là số
error-invalid-choice = “{ $value }” không hợp lệ; chọn một trong: { $choices }
error-other = { $detail }

## Values
error-invalid-department-code = Mã đơn vị chỉ gồm chữ không dấu, chữ số và dấu gạch ngang (ví dụ TNMT, XA-TAN-THANH)
error-task-code-spaces = Mã nhiệm vụ không được chứa khoảng trắng
error-invalid-username = Tên đăng nhập gồm 2–64 chữ cái không dấu, chữ số, dấu chấm, gạch dưới hoặc gạch ngang
error-invalid-email = “{ $value }” không phải địa chỉ email hợp lệ
error-progress-range = Tiến độ phải từ 0 đến 100 (%)

## Looking things up by what a person typed
error-unknown-department = Không có đơn vị “{ $code }”
error-unknown-department-code = Không có đơn vị mã { $code }
error-unknown-this-department = Không có đơn vị này
error-unknown-field-code = Không có lĩnh vực mã { $code }
error-unknown-field = Không có lĩnh vực “{ $value }” (nhập mã như site_clearance hoặc tên như "Bồi thường, giải phóng mặt bằng")
error-unknown-user = Không có người dùng { $username }
error-unknown-leader = Không có lãnh đạo “{ $name }”
error-unknown-this-leader = Không có lãnh đạo này
error-not-active-leader = “{ $name }” không phải lãnh đạo đang hoạt động
error-not-a-leader = “{ $name }” không phải lãnh đạo
error-unknown-document = Không có văn bản #{ $id }
error-unknown-task = Không có nhiệm vụ #{ $id }
error-field-required = Chưa chọn lĩnh vực
error-department-required = Chưa chọn đơn vị
error-lead-department-required = Chưa chọn đơn vị chủ trì
error-leader-required = Chưa chọn lãnh đạo

## Task lists
error-page-number = Số trang phải là số nguyên từ 1
error-per-page-range = Số dòng mỗi trang phải từ 1 đến { $max }
error-invalid-involvement = “{ $value }” không hợp lệ; chọn lead, coordinating hoặc any
error-invalid-timeliness = “{ $value }” không hợp lệ; chọn overdue, due_soon, on_track, completed_on_time, completed_on_time_after_extension hoặc completed_late
error-search-too-long = Từ khóa dài quá 200 ký tự
error-export-too-many = Danh sách có { $total } nhiệm vụ, nhiều hơn { $max }; hãy lọc bớt trước khi xuất
error-invalid-sort = “{ $value }” không hợp lệ; chọn due_date, attention, code, updated_at hoặc progress (thêm - để giảm dần)

## Tasks
error-empty-update = Không có gì để cập nhật
error-duplicate-task-code = Mã nhiệm vụ { $code } đã có trong chương trình năm { $year }
error-completed-in-future = Ngày hoàn thành không được sau hôm nay
error-result-note-required = Báo cáo hoàn thành phải ghi kết quả thực hiện
error-result-note-unchanged = Kết quả báo cáo hoàn thành phải khác ghi chú kết quả lần trước: hãy ghi kết quả đã thực hiện
error-completed-on-not-done = Chỉ ghi ngày hoàn thành khi báo cáo hoàn thành
error-progress-after-done = Nhiệm vụ đã báo cáo hoàn thành; không sửa tiến độ
error-reported-done-waits-for-return = Nhiệm vụ đã báo cáo hoàn thành; lãnh đạo trả lại thì mới tiếp tục thực hiện.
error-closed-reopen-before-report = Nhiệm vụ đã đóng; lãnh đạo mở lại trước khi báo cáo.
error-cancelled-reopen-first = Nhiệm vụ đã hủy; lãnh đạo mở lại trước.
error-invalid-transition = Chuyển trạng thái này không hợp lệ.
error-confirm-not-reported = Chỉ xác nhận được nhiệm vụ đã báo cáo hoàn thành (hiện: { $status }).
error-return-needs-reason = Trả lại báo cáo phải nêu lý do
error-reopen-needs-reason = Mở lại nhiệm vụ phải nêu lý do
error-completion-frozen = Nhiệm vụ đã được lãnh đạo xác nhận hoàn thành; kết quả và ngày hoàn thành không thay đổi được. Lãnh đạo mở lại nhiệm vụ (nêu lý do) nếu cần điều chỉnh.
error-completed-before-created = Ngày hoàn thành không được trước ngày giao nhiệm vụ ({ $created })
error-completed-after-report = Ngày hoàn thành không được sau ngày báo cáo ({ $reported })
error-no-declared-completion = Đơn vị không khai báo ngày hoàn thành sớm hơn ngày báo cáo; không có gì để chấp nhận.
error-accept-declared-needs-reason = Chấp nhận ngày hoàn thành do đơn vị khai báo phải nêu lý do
error-due-date-frozen = Nhiệm vụ đã { $status }; thời hạn không thay đổi được nữa, để việc đánh giá đúng hạn hay quá hạn không bị viết lại.
error-as-of-in-future = Ngày xem số liệu không được sau hôm nay

## Extensions
error-extension-reason-required = Phải nêu lý do đề nghị gia hạn
error-extension-not-later = Ngày đề nghị phải sau thời hạn hiện tại ({ $due })
error-extension-task-done = Chỉ đề nghị gia hạn nhiệm vụ chưa hoàn thành.
error-extension-pending = Nhiệm vụ đã có một đề nghị gia hạn đang chờ quyết định.
error-extension-decided = Đề nghị gia hạn này đã được quyết định ({ $state }).
error-extension-task-closed = Nhiệm vụ đã { $status }; không gia hạn nữa (có thể không đồng ý để đóng đề nghị).
error-reject-needs-reason = Không đồng ý gia hạn phải nêu lý do

## Recurring tasks
error-invalid-frequency = Chọn hằng tháng (monthly), hằng quý (quarterly) hoặc hằng năm (yearly)
error-due-day-range = Ngày đến hạn phải từ 1 đến 31
error-month-range = Tháng phải từ 1 đến { $max }
error-recurrence-code-taken = Không đặt được mã cho kỳ { $period } của nhiệm vụ định kỳ { $base }

## Departments and accounts
error-duplicate-department-code = Mã đơn vị { $code } đã tồn tại
error-staff-needs-department = Cán bộ phải thuộc một đơn vị
error-duplicate-username = Tên đăng nhập { $name } đã có
error-wrong-password = Mật khẩu hiện tại không đúng
error-password-unchanged = Mật khẩu mới phải khác mật khẩu cũ
error-self-deactivate = Không thể tự khóa tài khoản của mình
error-self-role-change = Không thể tự đổi vai trò của mình
error-password-too-short = Mật khẩu phải có ít nhất { $min } ký tự
error-password-too-long = Mật khẩu dài quá 256 ký tự
error-password-has-username = Mật khẩu không được chứa tên đăng nhập

## Documents and letters
error-issued-in-future = Ngày ban hành không được sau hôm nay
error-too-many-links = Tối đa 500 nhiệm vụ cho một văn bản
error-report-back-before-issue = Hạn báo cáo không được trước ngày ban hành
error-invalid-relation = Chọn assigns (giao) hoặc reminds (đôn đốc)
error-letter-needs-task = Công văn phải nêu ít nhất một nhiệm vụ
error-letter-too-many-tasks = Tối đa 500 nhiệm vụ cho một công văn
error-task-not-of-department = Nhiệm vụ { $code } không do { $department } chủ trì; hãy soạn lại dự thảo

## Explanations
error-question-required = Phải nêu nội dung yêu cầu giải trình
error-answer-by-not-after-today = Hạn trả lời phải sau ngày hôm nay ({ $today })
error-explanation-not-overdue = Chỉ yêu cầu giải trình nhiệm vụ đang quá hạn (chưa hoàn thành, đã qua thời hạn).
error-explanation-open = Nhiệm vụ đã có một yêu cầu giải trình chưa được trả lời.
error-answer-required = Phải nhập nội dung giải trình
error-explanation-answered = Yêu cầu giải trình này đã được trả lời.
error-invalid-explanation-state = “{ $value }” không hợp lệ; chọn open, overdue, answered hoặc all

## Notifications
error-invalid-notification-state = “{ $value }” không hợp lệ; chọn { $choices }
error-notification-no-recipient = Thông báo { $id } không có người nhận; sửa địa chỉ rồi để bản tổng hợp sau gửi đi
error-notification-not-failed = Thông báo { $id } đang ở trạng thái { $state }; chỉ gửi lại được thông báo gửi lỗi

## Calendar feeds
error-invalid-feed-scope = “{ $value }”: chọn department (đơn vị) hoặc leader (lãnh đạo)

## Reports and snapshots
error-invalid-quarter = Quý phải là 1, 2, 3 hoặc 4
error-range-needs-both-days = Khoảng thời gian cần cả ngày bắt đầu và ngày kết thúc
error-quarter-and-range = Chọn một quý hoặc một khoảng thời gian, không chọn cả hai
error-end-before-start = Ngày kết thúc không được trước ngày bắt đầu
error-range-too-long = Khoảng thời gian tối đa 10 năm
error-snapshot-title-required = Phải đặt tên cho ảnh chụp số liệu (ví dụ “Giao ban tuần 48”)
error-snapshot-title-too-long = Tên dài quá { $max } ký tự
error-snapshot-title-control = Tên có ký tự điều khiển
error-snapshot-ref-invalid = “{ $value }” không phải mã số ảnh chụp (hoặc now)

## The API's own checks of a request
error-if-match-invalid = If-Match phải là số phiên bản của nhiệm vụ (ví dụ "3")
error-unknown-json-field = Trường này không được chấp nhận
error-missing-json-field = Thiếu trường bắt buộc
error-wrong-json-type = Sai kiểu dữ liệu ({ $detail })
error-invalid-characters = có ký tự điều khiển (ví dụ NUL) không được phép; chỉ chấp nhận chữ, dấu tab và xuống dòng

## Seeding and backups
error-synthetic-tasks-range = --tasks phải từ 1 đến 20.000.000
error-synthetic-departments-range = --departments phải từ 1 đến 100.000
error-synthetic-years-range = --years phải từ 1 đến 30
error-synthetic-not-empty = Cơ sở dữ liệu đã có dữ liệu; dữ liệu tổng hợp chỉ được tạo trong một cơ sở dữ liệu trống (hãy tạo cơ sở dữ liệu mới)
error-demo-not-empty = Cơ sở dữ liệu đã có đơn vị hoặc người dùng; dữ liệu mẫu chỉ được tạo trong một cơ sở dữ liệu trống
error-backup-target-exists = { $path } đã tồn tại; hãy chọn tên tệp mới
error-backup-folder-missing = Thư mục { $path } không tồn tại

## What the database refused
error-duplicate-value = Giá trị bị trùng: { $detail }
error-referenced-record = Bản ghi được tham chiếu không tồn tại hoặc vẫn đang được dùng: { $detail }

## Not found
not-found-task = Không tìm thấy nhiệm vụ #{ $id }.
not-found-extension = Không tìm thấy đề nghị gia hạn #{ $id }.
not-found-explanation = Không tìm thấy yêu cầu giải trình #{ $id }.
not-found-document = Không tìm thấy văn bản #{ $id }.
not-found-snapshot = Không tìm thấy ảnh chụp số liệu #{ $id }.
not-found-notification = Không tìm thấy thông báo #{ $id }.
not-found-feed = Không tìm thấy lịch hạn #{ $id }.
not-found-feed-token = Không tìm thấy lịch hạn.
not-found-department = Không tìm thấy đơn vị { $code }.
not-found-user = Không tìm thấy người dùng { $username }.
not-found-recurrence = Không tìm thấy lịch định kỳ của nhiệm vụ #{ $id }.
not-found-export-format = Không có định dạng xuất { $format }.
not-found-record = Không tìm thấy: { $what }.

## Forbidden: what was refused
forbidden-read-task = Bạn chỉ xem được nhiệm vụ do đơn vị mình chủ trì hoặc phối hợp.
forbidden-update-task-progress = Chỉ đơn vị chủ trì (hoặc lãnh đạo) được cập nhật tình trạng, tiến độ của nhiệm vụ này.
forbidden-add-task-note = Chỉ đơn vị chủ trì hoặc phối hợp được ghi chú vào nhiệm vụ này.
forbidden-request-extension = Chỉ đơn vị chủ trì được đề nghị gia hạn nhiệm vụ này.
forbidden-edit-task = Chỉ lãnh đạo hoặc quản trị được sửa nội dung, thời hạn của nhiệm vụ.
forbidden-create-task = Chỉ lãnh đạo hoặc quản trị được giao nhiệm vụ mới.
forbidden-confirm-task = Chỉ lãnh đạo hoặc quản trị được xác nhận hoàn thành.
forbidden-reopen-or-cancel-task = Chỉ lãnh đạo hoặc quản trị được mở lại hoặc hủy nhiệm vụ.
forbidden-decide-extension = Chỉ lãnh đạo được quyết định gia hạn.
forbidden-record-document = Chỉ lãnh đạo hoặc quản trị được vào sổ văn bản.
forbidden-read-all-departments = Bạn chỉ xem được số liệu của đơn vị mình.
forbidden-read-overdue = Bạn không có quyền xem danh sách quá hạn.
forbidden-read-stats = Bạn không có quyền xem số liệu thống kê.
forbidden-read-notifications = Chỉ lãnh đạo hoặc quản trị được xem nhật ký thông báo.
forbidden-manage-departments = Chỉ quản trị được quản lý đơn vị.
forbidden-manage-users = Chỉ quản trị được quản lý tài khoản.
forbidden-import-tasks = Chỉ quản trị được nhập chương trình công tác.
forbidden-choose-as-of-date = Chỉ lãnh đạo được xem danh sách quá hạn tại một ngày khác.
forbidden-draft-letter = Chỉ lãnh đạo hoặc quản trị được soạn và vào sổ công văn đôn đốc.
forbidden-read-reminder-register = Bạn không có quyền xem sổ theo dõi văn bản đôn đốc.
forbidden-read-review = Chỉ lãnh đạo hoặc quản trị được xem báo cáo kiểm điểm.
forbidden-take-snapshot = Chỉ lãnh đạo hoặc quản trị được chụp số liệu giao ban.
forbidden-read-snapshots = Chỉ lãnh đạo hoặc quản trị được xem ảnh chụp số liệu giao ban.
forbidden-request-explanation = Chỉ lãnh đạo hoặc quản trị được yêu cầu giải trình.
forbidden-answer-explanation = Chỉ đơn vị chủ trì nhiệm vụ được trả lời yêu cầu giải trình.
forbidden-read-explanations = Bạn không có quyền xem các yêu cầu giải trình.
forbidden-manage-feed = Bạn chỉ quản lý được lịch hạn của đơn vị mình (cán bộ) hoặc của chính mình (lãnh đạo).
