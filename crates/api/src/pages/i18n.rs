//! The words of the pages, in Vietnamese (default) and English. One table,
//! so a missing translation is easy to spot: an unknown key renders as
//! itself, and a test checks every key used by the templates exists.

use crate::lang::Lang;

/// Translator handed to every template as `t`.
#[derive(Debug, Clone, Copy)]
pub struct Tr(pub Lang);

impl Tr {
    pub fn get<'a>(&self, key: &'a str) -> &'a str {
        match TABLE.iter().find(|(k, _, _)| *k == key) {
            Some((_, vi, en)) => {
                if self.0 == Lang::En {
                    en
                } else {
                    vi
                }
            }
            None => key,
        }
    }

    pub fn lang(&self) -> Lang {
        self.0
    }

    pub fn is_en(&self) -> bool {
        self.0 == Lang::En
    }

    pub fn code(&self) -> &'static str {
        self.0.code()
    }
}

pub fn has_key(key: &str) -> bool {
    TABLE.iter().any(|(k, _, _)| *k == key)
}

pub static TABLE: &[(&str, &str, &str)] = &[
    (
        "completed_on_time_after_extension",
        "Đúng hạn sau khi được gia hạn",
        "On time after an extension",
    ),
    ("app_name", "Theo dõi, đôn đốc nhiệm vụ", "Task follow-up"),
    (
        "skip_to_content",
        "Bỏ qua, đến nội dung chính",
        "Skip to main content",
    ),
    ("nav_dashboard", "Tổng quan", "Dashboard"),
    (
        "nav_my_tasks",
        "Nhiệm vụ của đơn vị",
        "My department's tasks",
    ),
    ("nav_tasks", "Nhiệm vụ", "Tasks"),
    ("nav_overdue", "Danh sách quá hạn", "Overdue list"),
    ("nav_documents", "Văn bản", "Documents"),
    ("nav_report", "Báo cáo năm", "Annual report"),
    ("nav_admin", "Quản trị", "Administration"),
    ("logout", "Đăng xuất", "Log out"),
    ("login", "Đăng nhập", "Log in"),
    ("login_title", "Đăng nhập hệ thống", "Log in"),
    ("username", "Tên đăng nhập", "Username"),
    ("password", "Mật khẩu", "Password"),
    (
        "login_failed",
        "Tên đăng nhập hoặc mật khẩu không đúng.",
        "Wrong username or password.",
    ),
    (
        "login_throttled",
        "Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau ít phút.",
        "Too many failed attempts. Please try again in a few minutes.",
    ),
    ("language", "Ngôn ngữ", "Language"),
    ("switch_language", "English", "Tiếng Việt"),
    ("year", "Năm", "Year"),
    ("code", "Mã", "Code"),
    ("title", "Nội dung", "Title"),
    ("task", "Nhiệm vụ", "Task"),
    ("field", "Lĩnh vực", "Field"),
    ("all_fields", "Tất cả lĩnh vực", "All fields"),
    ("lead_department", "Đơn vị chủ trì", "Lead department"),
    (
        "coordinating_departments",
        "Đơn vị phối hợp",
        "Coordinating departments",
    ),
    ("department", "Đơn vị", "Department"),
    ("all_departments", "Tất cả đơn vị", "All departments"),
    ("leader_in_charge", "Lãnh đạo phụ trách", "Leader in charge"),
    ("due_date", "Thời hạn", "Due date"),
    ("original_due_date", "Thời hạn ban đầu", "Original due date"),
    ("status", "Tình trạng", "Status"),
    ("all_statuses", "Mọi tình trạng", "All statuses"),
    ("timeliness", "Tiến độ so với hạn", "Timeliness"),
    ("all_timeliness", "Tất cả", "All"),
    ("progress", "Tiến độ (%)", "Progress (%)"),
    ("completed_on", "Ngày hoàn thành", "Completed on"),
    (
        "completed_on_help",
        "Ngày hoàn thành (chỉ dùng khi báo cáo hoàn thành)",
        "Completion date (used when reporting done)",
    ),
    ("result_note", "Kết quả thực hiện", "Result"),
    ("note", "Ghi chú", "Note"),
    ("description", "Mô tả, sản phẩm", "Description"),
    ("source_document", "Văn bản giao", "Assigning document"),
    (
        "reminder_documents",
        "Văn bản đôn đốc",
        "Reminder documents",
    ),
    ("last_notice", "Thông báo gần nhất", "Last notice"),
    ("days_overdue", "Số ngày quá hạn", "Days overdue"),
    ("days", "ngày", "days"),
    ("overdue_by", "Quá hạn", "Overdue by"),
    ("days_left", "còn", "left:"),
    ("search", "Tìm kiếm", "Search"),
    (
        "search_placeholder",
        "Mã hoặc nội dung (gõ không dấu cũng được)",
        "Code or words (accents optional)",
    ),
    ("filter", "Lọc", "Filter"),
    ("clear_filters", "Bỏ lọc", "Clear"),
    (
        "no_tasks",
        "Không có nhiệm vụ nào phù hợp.",
        "No matching tasks.",
    ),
    ("tasks_found", "nhiệm vụ", "tasks"),
    ("page", "Trang", "Page"),
    ("in", "tại", "in"),
    ("departments_lower", "cơ quan, đơn vị", "departments"),
    (
        "see_all_overdue",
        "Xem tất cả nhiệm vụ quá hạn của đơn vị",
        "See all of this department's overdue tasks",
    ),
    ("previous", "Trang trước", "Previous"),
    ("next", "Trang sau", "Next"),
    ("open_task", "Xem", "Open"),
    ("update", "Cập nhật", "Update"),
    (
        "update_task",
        "Cập nhật tình hình thực hiện",
        "Report progress",
    ),
    (
        "update_help",
        "Chọn tình trạng, tiến độ và ghi chú rồi bấm Cập nhật. Khi báo cáo hoàn thành, ghi rõ kết quả.",
        "Choose the status, progress and a note, then press Update. When reporting done, describe the result.",
    ),
    ("saved", "Đã lưu thay đổi.", "Changes saved."),
    (
        "nothing_changed",
        "Không có gì thay đổi.",
        "Nothing changed.",
    ),
    (
        "request_extension",
        "Đề nghị gia hạn",
        "Request an extension",
    ),
    (
        "requested_due_date",
        "Thời hạn đề nghị",
        "Requested due date",
    ),
    ("reason", "Lý do", "Reason"),
    ("send_request", "Gửi đề nghị", "Send request"),
    (
        "extension_sent",
        "Đã gửi đề nghị gia hạn.",
        "Extension request sent.",
    ),
    (
        "pending_extensions",
        "Đề nghị gia hạn chờ quyết định",
        "Extension requests awaiting a decision",
    ),
    (
        "no_pending_extensions",
        "Không có đề nghị gia hạn nào đang chờ.",
        "No pending extension requests.",
    ),
    (
        "extension_requests",
        "Đề nghị gia hạn",
        "Extension requests",
    ),
    ("approve", "Đồng ý", "Approve"),
    ("reject", "Không đồng ý", "Reject"),
    ("decision_note", "Ý kiến", "Note"),
    ("decided", "Đã ghi nhận quyết định.", "Decision recorded."),
    ("requested_by", "Người đề nghị", "Requested by"),
    (
        "confirm_completion",
        "Xác nhận hoàn thành",
        "Confirm completion",
    ),
    (
        "return_task",
        "Trả lại, yêu cầu tiếp tục",
        "Return to the department",
    ),
    (
        "confirm_help",
        "Đơn vị đã báo cáo hoàn thành. Lãnh đạo xác nhận, hoặc trả lại kèm lý do.",
        "The department reported this done. Confirm it, or return it with a reason.",
    ),
    ("history", "Lịch sử", "History"),
    ("documents", "Văn bản liên quan", "Documents"),
    ("notices", "Thông báo đã gửi", "Notices sent"),
    ("no_notices", "Chưa có thông báo nào.", "No notices yet."),
    ("no_documents", "Chưa có văn bản nào.", "No documents yet."),
    ("no_history", "Chưa có thay đổi nào.", "No changes yet."),
    ("details", "Thông tin nhiệm vụ", "Task details"),
    (
        "forbidden_title",
        "Bạn không có quyền truy cập trang này",
        "You may not open this page",
    ),
    (
        "forbidden_help",
        "Nếu bạn cần quyền này, hãy liên hệ Văn phòng (quản trị hệ thống).",
        "If you need this right, ask the office (administrator).",
    ),
    ("not_found_title", "Không tìm thấy trang", "Page not found"),
    (
        "not_found_help",
        "Địa chỉ không đúng hoặc nội dung đã bị xóa.",
        "The address is wrong or the item was removed.",
    ),
    ("back_home", "Về trang chính", "Back to the start page"),
    ("error_title", "Có lỗi xảy ra", "Something went wrong"),
    (
        "error_help",
        "Sự cố đã được ghi lại. Vui lòng thử lại sau.",
        "The problem was logged. Please try again later.",
    ),
    (
        "form_errors",
        "Vui lòng sửa các mục sau:",
        "Please correct the following:",
    ),
    (
        "dashboard_title",
        "Tổng quan thực hiện Chương trình công tác",
        "Work programme at a glance",
    ),
    ("total_tasks", "Tổng số nhiệm vụ", "Total tasks"),
    ("completed", "Đã hoàn thành", "Completed"),
    ("completion_rate", "Tỷ lệ hoàn thành", "Completion rate"),
    (
        "awaiting_confirmation",
        "Chờ xác nhận",
        "Awaiting confirmation",
    ),
    (
        "by_department_chart",
        "Tình hình theo đơn vị",
        "By department",
    ),
    (
        "chart_help",
        "Mỗi dòng là một đơn vị: đỏ = quá hạn, vàng = sắp đến hạn, xanh = đã hoàn thành.",
        "One row per department: red = overdue, amber = due soon, green = completed.",
    ),
    (
        "oldest_overdue",
        "10 nhiệm vụ quá hạn lâu nhất",
        "The ten oldest overdue tasks",
    ),
    (
        "overdue_title",
        "Danh sách nhiệm vụ quá hạn",
        "Overdue tasks",
    ),
    (
        "overdue_help",
        "Nhiệm vụ chưa hoàn thành đã quá thời hạn, xếp theo đơn vị, quá hạn lâu nhất trước.",
        "Unfinished tasks past their due date, by department, oldest first.",
    ),
    ("as_of", "Tính đến ngày", "As of"),
    (
        "no_overdue",
        "Không có nhiệm vụ quá hạn.",
        "No overdue tasks.",
    ),
    ("tasks_overdue", "nhiệm vụ quá hạn", "overdue tasks"),
    ("documents_title", "Văn bản chỉ đạo, đôn đốc", "Documents"),
    (
        "record_reminder",
        "Vào sổ văn bản đôn đốc",
        "Record a reminder document",
    ),
    ("record_document", "Vào sổ văn bản", "Record a document"),
    ("number", "Số, ký hiệu", "Number"),
    ("kind", "Loại văn bản", "Kind"),
    ("all_kinds", "Mọi loại", "All kinds"),
    ("doc_title", "Trích yếu", "Subject"),
    ("issued_on", "Ngày ban hành", "Issued on"),
    ("signer", "Người ký", "Signer"),
    ("linked_tasks", "Nhiệm vụ liên quan", "Linked tasks"),
    (
        "link_tasks_help",
        "Chọn các nhiệm vụ mà văn bản này đôn đốc.",
        "Tick the tasks this document urges on.",
    ),
    ("relation", "Quan hệ", "Relation"),
    ("save", "Lưu", "Save"),
    ("document_saved", "Đã vào sổ văn bản.", "Document recorded."),
    (
        "report_title",
        "Báo cáo kết quả thực hiện Chương trình công tác",
        "Work programme report",
    ),
    ("export_xlsx", "Tải Excel (.xlsx)", "Download Excel (.xlsx)"),
    ("export_csv", "Tải CSV", "Download CSV"),
    ("by_department", "Theo đơn vị", "By department"),
    ("by_field", "Theo lĩnh vực", "By field"),
    // Meeting snapshots (ảnh chụp số liệu giao ban).
    ("nav_snapshots", "Số liệu giao ban", "Meeting snapshots"),
    (
        "snapshots_title",
        "Ảnh chụp số liệu giao ban",
        "Meeting snapshots",
    ),
    (
        "snapshots_help",
        "Chụp lại số liệu và danh sách quá hạn tại một thời điểm (ví dụ trước cuộc họp giao ban) để các con số nêu trong cuộc họp không thay đổi khi nhiệm vụ được cập nhật sau đó.",
        "Freeze the figures and the overdue list at a moment (e.g. before the weekly meeting) so the numbers quoted in the meeting do not change when tasks are updated later.",
    ),
    ("take_snapshot", "Chụp số liệu", "Take a snapshot"),
    ("snapshot_name", "Tên ảnh chụp", "Snapshot title"),
    (
        "snapshot_name_example",
        "Ví dụ: Giao ban tuần 48",
        "E.g. Weekly meeting, week 48",
    ),
    (
        "no_snapshots",
        "Chưa có ảnh chụp số liệu nào.",
        "No snapshots yet.",
    ),
    ("snapshot_taken_at", "Thời điểm chụp", "Taken at"),
    ("snapshot_taken_by", "Người chụp", "Taken by"),
    ("snapshot_taken", "Đã chụp số liệu.", "Snapshot taken."),
    (
        "snapshot_frozen_at",
        "Số liệu chụp lúc",
        "Figures frozen at",
    ),
    (
        "snapshot_frozen_help",
        "Các con số dưới đây giữ nguyên như lúc chụp, dù nhiệm vụ được cập nhật sau đó.",
        "The numbers below stay as they were when taken, whatever later edits are made to tasks.",
    ),
    (
        "snapshot_overdue_list",
        "Danh sách quá hạn tại thời điểm chụp",
        "Overdue list as frozen",
    ),
    ("snapshot_now", "Hiện tại", "Now"),
    ("compare", "So sánh", "Compare"),
    ("compare_with", "So sánh với", "Compare with"),
    ("compare_with_now", "So với hiện tại", "Compare with now"),
    (
        "comparison_title",
        "So sánh số liệu",
        "Comparison of figures",
    ),
    ("comparison_totals", "Toàn huyện", "Totals"),
    ("figure", "Chỉ tiêu", "Figure"),
    ("change", "Thay đổi", "Change"),
    (
        "newly_overdue",
        "Nhiệm vụ mới quá hạn",
        "Tasks newly overdue",
    ),
    (
        "no_longer_overdue",
        "Nhiệm vụ không còn quá hạn",
        "Tasks no longer overdue",
    ),
    ("none", "Không có.", "None."),
    ("cancelled_tasks", "Đã hủy", "Cancelled"),
    // Requests for explanation (yêu cầu giải trình).
    ("nav_explanations", "Giải trình", "Explanations"),
    (
        "explanations_title",
        "Yêu cầu giải trình",
        "Requests for explanation",
    ),
    (
        "explanations_help",
        "Lãnh đạo yêu cầu đơn vị chủ trì giải trình nhiệm vụ quá hạn; đơn vị trả lời trên trang nhiệm vụ. Yêu cầu chưa trả lời khi đã qua hạn được đưa vào bản tổng hợp gửi lãnh đạo.",
        "Leaders ask the lead department to explain an overdue task; the department answers on the task page. Requests unanswered past their date go into the leaders' digest.",
    ),
    (
        "explanations_overdue_count",
        "yêu cầu quá hạn chưa trả lời.",
        "requests overdue without an answer.",
    ),
    (
        "no_explanations",
        "Không có yêu cầu giải trình nào.",
        "No requests for explanation.",
    ),
    (
        "explanations_open",
        "Chờ giải trình (kể cả quá hạn)",
        "Awaiting an answer (incl. overdue)",
    ),
    (
        "explanations_overdue",
        "Quá hạn giải trình",
        "Answer overdue",
    ),
    ("explanations_answered", "Đã giải trình", "Answered"),
    ("explanations_all", "Tất cả", "All"),
    (
        "explanation_question",
        "Nội dung yêu cầu giải trình",
        "Question",
    ),
    ("explanation_answer", "Nội dung giải trình", "Answer"),
    ("answer_by", "Hạn trả lời", "Answer by"),
    ("from_date", "từ ngày", "from"),
    ("send_answer", "Gửi giải trình", "Send the answer"),
    (
        "request_explanation",
        "Yêu cầu giải trình",
        "Ask for an explanation",
    ),
    (
        "request_explanation_help",
        "Nhiệm vụ đang quá hạn: nêu nội dung cần giải trình và hạn trả lời. Cán bộ đơn vị chủ trì được báo qua thư điện tử.",
        "The task is overdue: state the question and the answer-by date. The lead department's staff are notified by email.",
    ),
    (
        "explanation_requested",
        "Đã gửi yêu cầu giải trình cho đơn vị chủ trì.",
        "The request was sent to the lead department.",
    ),
    (
        "explanation_answered",
        "Đã gửi nội dung giải trình.",
        "The answer was recorded.",
    ),
    ("question", "Nội dung yêu cầu giải trình", "Question"),
    ("answer", "Nội dung giải trình", "Answer"),
    ("to", "So sánh với", "Compare with"),
    (
        "completed_on_time",
        "Hoàn thành đúng hạn",
        "Completed on time",
    ),
    (
        "after_extension",
        "trong đó sau gia hạn",
        "of which after extension",
    ),
    ("completed_late", "Hoàn thành quá hạn", "Completed late"),
    ("overdue", "Quá hạn", "Overdue"),
    ("due_soon", "Sắp đến hạn", "Due soon"),
    ("on_track", "Trong hạn", "On track"),
    ("over_30", "> 30 ngày", "> 30 days"),
    ("over_60", "> 60 ngày", "> 60 days"),
    ("over_120", "> 120 ngày", "> 120 days"),
    ("admin_title", "Quản trị", "Administration"),
    ("departments", "Đơn vị", "Departments"),
    ("users", "Tài khoản", "Users"),
    (
        "import",
        "Nhập chương trình công tác",
        "Import a work programme",
    ),
    ("name", "Tên", "Name"),
    ("email", "Email nhận thông báo", "Notification email"),
    ("active", "Đang hoạt động", "Active"),
    ("inactive", "Ngừng hoạt động", "Inactive"),
    ("add_department", "Thêm đơn vị", "Add a department"),
    ("add_user", "Thêm tài khoản", "Add a user"),
    ("full_name", "Họ và tên", "Full name"),
    ("role", "Vai trò", "Role"),
    ("deactivate", "Khóa tài khoản", "Deactivate"),
    ("activate", "Mở khóa", "Activate"),
    ("reset_password", "Đặt lại mật khẩu", "Reset password"),
    ("new_password", "Mật khẩu mới", "New password"),
    (
        "import_help",
        "Chọn tệp Excel (.xlsx) hoặc CSV có dòng tiêu đề gồm các cột: Mã, Nội dung, Lĩnh vực, Đơn vị chủ trì, Đơn vị phối hợp, Thời hạn, Lãnh đạo phụ trách, Ghi chú. Hệ thống kiểm tra toàn bộ trước khi nhập; có một dòng sai thì không nhập dòng nào.",
        "Choose an Excel (.xlsx) or CSV file whose header row has the columns: Code, Title, Field, Lead department, Coordinating departments, Due date, Leader in charge, Note. The whole file is checked first; if any row is wrong, nothing is imported.",
    ),
    ("file", "Tệp", "File"),
    ("preview", "Xem trước", "Preview"),
    ("import_now", "Nhập", "Import"),
    (
        "import_refused",
        "Tệp có lỗi, chưa nhập nhiệm vụ nào. Sửa các dòng sau rồi chọn lại tệp:",
        "The file has errors; nothing was imported. Correct these rows and choose the file again:",
    ),
    ("import_ok", "Đã nhập", "Imported"),
    (
        "import_preview_ok",
        "Tệp hợp lệ. Kiểm tra rồi bấm Nhập.",
        "The file is valid. Check it, then press Import.",
    ),
    ("sample_file", "Tải tệp mẫu", "Download a sample file"),
    ("rows", "dòng", "rows"),
    ("change_password", "Đổi mật khẩu", "Change password"),
    // Calendar feeds (lịch hạn nhiệm vụ).
    ("nav_calendar", "Lịch hạn", "Calendar feed"),
    (
        "calendar_title",
        "Lịch hạn nhiệm vụ (ICS)",
        "Task deadline calendar (ICS)",
    ),
    (
        "calendar_help",
        "Đưa thời hạn các nhiệm vụ đang mở vào Outlook, Google Calendar hoặc lịch điện thoại: tạo đường dẫn riêng rồi dán vào mục “Thêm lịch từ URL / Đăng ký lịch”. Nhiệm vụ quá hạn được ghi [QUÁ HẠN n ngày]. Ai có đường dẫn đều xem được lịch: đừng chia sẻ; nếu lộ, bấm Tạo lại để thu hồi đường dẫn cũ.",
        "Put the deadlines of open tasks into Outlook, Google Calendar or a phone calendar: make a private address and paste it under “Add calendar from URL / Subscribe”. Overdue tasks are marked [QUÁ HẠN n ngày]. Anyone with the address can read the calendar: do not share it; if it leaks, press Regenerate to revoke the old one.",
    ),
    (
        "calendar_department",
        "Nhiệm vụ đơn vị chủ trì",
        "Tasks the department leads",
    ),
    (
        "calendar_leader",
        "Nhiệm vụ lãnh đạo phụ trách",
        "Tasks in the leader's charge",
    ),
    ("calendar_none", "Chưa có đường dẫn.", "No address yet."),
    (
        "calendar_active_since",
        "Đang dùng, tạo lúc",
        "Active, made",
    ),
    ("calendar_last_used", "lần đọc gần nhất", "last read"),
    ("calendar_create", "Tạo đường dẫn", "Make address"),
    (
        "calendar_regenerate",
        "Tạo lại (thu hồi đường dẫn cũ)",
        "Regenerate (revoke the old one)",
    ),
    ("calendar_revoke", "Thu hồi", "Revoke"),
    (
        "calendar_revoked",
        "Đã thu hồi đường dẫn lịch.",
        "Calendar address revoked.",
    ),
    (
        "calendar_new_url",
        "Đường dẫn lịch mới — chỉ hiển thị một lần, hãy sao chép ngay:",
        "New calendar address — shown only once, copy it now:",
    ),
    (
        "calendar_nothing",
        "Tài khoản này không quản lý lịch hạn nào.",
        "This account manages no calendar feed.",
    ),
    // Recurring tasks (nhiệm vụ định kỳ).
    ("recurrence", "Định kỳ", "Recurrence"),
    ("recurring_task", "Nhiệm vụ định kỳ", "Recurring task"),
    ("recurrence_none", "Không định kỳ", "Does not recur"),
    ("recurrence_monthly", "Hằng tháng", "Monthly"),
    ("recurrence_quarterly", "Hằng quý", "Quarterly"),
    ("recurrence_yearly", "Hằng năm", "Yearly"),
    ("recurrence_day", "Hạn vào ngày (1–31)", "Due on day (1–31)"),
    (
        "recurrence_month",
        "Tháng (hằng quý: tháng thứ 1–3 của quý; hằng năm: 1–12)",
        "Month (quarterly: 1–3 of the quarter; yearly: 1–12)",
    ),
    (
        "recurrence_help",
        "Khi kỳ này được xác nhận hoàn thành, hoặc khi kỳ sau bắt đầu, hệ thống tự giao kỳ tiếp theo với thời hạn riêng. Ngày 31 ở tháng ngắn hơn được tính là ngày cuối tháng.",
        "When this occurrence is confirmed done, or when the next period starts, the next occurrence is assigned with its own due date. Day 31 in a shorter month means its last day.",
    ),
    ("recurrence_series", "Các kỳ của nhiệm vụ", "Occurrences"),
    (
        "recurrence_next",
        "Kỳ tiếp theo: hạn",
        "Next occurrence: due",
    ),
    (
        "recurrence_created_by",
        "được giao muộn nhất vào",
        "assigned at the latest on",
    ),
    (
        "recurrence_stopped",
        "Đã dừng, không giao kỳ mới.",
        "Stopped: no new occurrences.",
    ),
    ("recurrence_period", "Kỳ", "Period"),
    ("recurrence_save", "Lưu định kỳ", "Save recurrence"),
    // Field names in form error messages.
    ("recurrence.frequency", "Định kỳ", "Recurrence"),
    ("recurrence.day", "Hạn vào ngày", "Due day"),
    ("recurrence.month", "Tháng", "Month"),
    ("scope", "Loại lịch", "Calendar type"),
    ("leader", "Lãnh đạo", "Leader"),
    ("current_password", "Mật khẩu hiện tại", "Current password"),
    (
        "must_change_password",
        "Vui lòng đổi mật khẩu trước khi tiếp tục.",
        "Please change your password before continuing.",
    ),
    ("password_changed", "Đã đổi mật khẩu.", "Password changed."),
    ("welcome", "Xin chào", "Hello"),
    ("your_department", "Đơn vị của bạn", "Your department"),
    (
        "staff_help",
        "Các nhiệm vụ đơn vị bạn chủ trì hoặc phối hợp; nhiệm vụ quá hạn ở trên cùng. Bấm vào nhiệm vụ để cập nhật.",
        "Tasks your department leads or coordinates, overdue first. Open a task to report progress.",
    ),
    ("coordinating", "phối hợp", "coordinating"),
    ("leads", "chủ trì", "leads"),
    ("yes", "Có", "Yes"),
    ("no", "Không", "No"),
    (
        "csrf_failed",
        "Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ. Vui lòng tải lại trang và thử lại.",
        "Your session expired or the form is invalid. Reload the page and try again.",
    ),
    (
        "stale_version",
        "Nhiệm vụ vừa được người khác cập nhật. Trang đã được tải lại; vui lòng kiểm tra rồi cập nhật lại.",
        "Someone else updated this task meanwhile. The page was reloaded; check it and update again.",
    ),
    ("assign_task", "Giao nhiệm vụ mới", "Assign a new task"),
    ("create", "Tạo", "Create"),
    ("programmes", "Chương trình công tác", "Work programmes"),
    ("menu", "Trình đơn", "Menu"),
    ("deactivate_department", "Ngừng hoạt động", "Deactivate"),
    ("activate_department", "Cho hoạt động lại", "Reactivate"),
    ("department_kind", "Loại đơn vị", "Kind of department"),
    ("notice_pending", "Đang chờ gửi", "Waiting"),
    ("notice_sending", "Đang gửi", "Sending"),
    ("notice_sent", "Đã gửi", "Sent"),
    ("notice_failed", "Gửi không được", "Failed"),
    ("notice_cancelled", "Đã hủy", "Cancelled"),
    ("documents_count", "văn bản", "documents"),
    ("all", "Tất cả", "All"),
    ("grand_total", "Tổng cộng", "Total"),
    (
        "record_reminder_for_task",
        "Vào sổ văn bản đôn đốc cho nhiệm vụ này",
        "Record a reminder document for this task",
    ),
    (
        "extension_help",
        "Nếu không kịp thời hạn, đơn vị chủ trì đề nghị lãnh đạo cho lùi thời hạn, nêu rõ lý do.",
        "If the deadline cannot be met, the lead department asks the leader for a later one, with the reason.",
    ),
    (
        "chart_numbers_help",
        "Số bên phải: quá hạn · sắp đến hạn · đã hoàn thành/tổng số.",
        "Numbers on the right: overdue · due soon · completed/total.",
    ),
    (
        "completed_includes_reported",
        "kể cả chờ xác nhận",
        "including awaiting confirmation",
    ),
    ("show_year", "Xem năm", "Show year"),
    ("deadline_status", "Tình trạng thời hạn", "Deadline"),
    (
        "import_columns_help",
        "Cột bắt buộc: Mã, Nội dung, Lĩnh vực, Đơn vị chủ trì, Thời hạn (dạng dd/mm/yyyy). Cột không bắt buộc: Đơn vị phối hợp (cách nhau bằng dấu ;), Lãnh đạo phụ trách, Ghi chú.",
        "Required columns: Code (Mã), Title (Nội dung), Field (Lĩnh vực), Lead department (Đơn vị chủ trì), Due date (Thời hạn, dd/mm/yyyy). Optional: Coordinating departments (separated by ;), Leader in charge, Note.",
    ),
    // Reminder letters, register, review (issue 8).
    ("nav_letters", "Công văn đôn đốc", "Reminder letters"),
    ("nav_register", "Sổ đôn đốc", "Reminder register"),
    ("nav_review", "Kiểm điểm", "Review"),
    (
        "letters_title",
        "Soạn công văn đôn đốc",
        "Draft reminder letters",
    ),
    (
        "letters_help",
        "Các đơn vị có nhiệm vụ quá hạn. Mỗi dự thảo công văn (.docx, thể thức Nghị định 30/2020/NĐ-CP) liệt kê các nhiệm vụ quá hạn và sắp đến hạn của đơn vị; số và ngày để trống cho văn thư.",
        "Departments with overdue tasks. Each draft letter (.docx, in the layout of Decree 30/2020) lists the department's overdue and due-soon tasks; the number and date are left for the clerk.",
    ),
    (
        "letters_download_all",
        "Tải dự thảo của tất cả đơn vị (.zip)",
        "Download every department's draft (.zip)",
    ),
    (
        "letters_download_docx",
        "Tải dự thảo (.docx)",
        "Download draft (.docx)",
    ),
    ("letters_open_draft", "Xem dự thảo", "Open draft"),
    ("letters_actions", "Thao tác", "Actions"),
    (
        "letters_draft_for",
        "Dự thảo công văn đôn đốc gửi",
        "Draft reminder letter to",
    ),
    ("letters_preview", "Nội dung dự thảo", "Draft content"),
    ("letters_to", "Kính gửi:", "To:"),
    (
        "letters_record_title",
        "Vào sổ công văn đã ban hành",
        "Record the issued letter",
    ),
    (
        "letters_record_help",
        "Sau khi công văn được ký và ban hành, nhập số và ngày ban hành: công văn được vào sổ là văn bản đôn đốc, gắn với đúng các nhiệm vụ trong bảng trên.",
        "Once the letter is signed and issued, enter its number and date: it is recorded as a reminder document linked to exactly the tasks in the table above.",
    ),
    (
        "letters_record_button",
        "Vào sổ văn bản đôn đốc",
        "Record reminder document",
    ),
    ("letters_report_back_on", "Hạn báo cáo", "Report back by"),
    (
        "letter_recorded",
        "Đã vào sổ công văn đôn đốc.",
        "The reminder letter was recorded.",
    ),
    (
        "letters_compose",
        "Soạn công văn đôn đốc",
        "Draft a reminder letter",
    ),
    (
        "register_title",
        "Sổ theo dõi văn bản đôn đốc",
        "Reminder register",
    ),
    (
        "register_help",
        "Mỗi văn bản đôn đốc, đơn vị nhận, nhiệm vụ, hạn báo cáo và việc đơn vị đã báo cáo (cập nhật tiến độ, tình trạng hoặc ghi chú trên các nhiệm vụ đó) đúng hạn hay chưa.",
        "Each reminder document, the departments it went to, its tasks, the report-back date, and whether each department reported back (progress, status or a note on those tasks) in time.",
    ),
    ("register_letters", "văn bản", "letters"),
    ("register_recipients", "Đơn vị nhận", "Sent to"),
    ("register_answered", "đã báo cáo", "reported back"),
    ("register_waiting", "chưa đến hạn", "not yet due"),
    ("register_not_answered", "chưa báo cáo", "no report"),
    (
        "register_derived",
        "(tính từ ngày ban hành)",
        "(counted from the issue date)",
    ),
    (
        "review_title",
        "Báo cáo kiểm điểm",
        "Annual and periodic review",
    ),
    ("whole_year", "Cả năm", "Whole year"),
    ("quarter", "Quý", "Quarter"),
    ("review_from", "Từ ngày", "From"),
    ("review_to", "Đến ngày", "To"),
    (
        "review_export_docx",
        "Tải Word (.docx)",
        "Download Word (.docx)",
    ),
    (
        "review_by_leader",
        "Theo lãnh đạo phụ trách",
        "By leader in charge",
    ),
    ("review_on_time", "Đúng hạn", "On time"),
    ("review_in_progress", "Đang thực hiện", "In progress"),
    ("review_cancelled", "Đã hủy", "Cancelled"),
    (
        "review_overdue_old",
        "Nhiệm vụ quá hạn trên 30 ngày",
        "Tasks overdue more than 30 days",
    ),
    (
        "review_documents",
        "Văn bản đã ban hành",
        "Documents issued",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    /// Every `t.get("key")` in the templates and page code has both languages.
    #[test]
    fn every_key_used_is_translated() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut missing = Vec::new();
        for dir in ["templates", "src/pages"] {
            for entry in std::fs::read_dir(root.join(dir)).unwrap() {
                let path = entry.unwrap().path();
                if path.ends_with("i18n.rs") {
                    continue;
                }
                let text = std::fs::read_to_string(path).unwrap();
                for part in text.split("t.get(\"").skip(1) {
                    let key = part.split('"').next().unwrap();
                    if !has_key(key) {
                        missing.push(key.to_string());
                    }
                }
            }
        }
        assert!(missing.is_empty(), "untranslated keys: {missing:?}");
    }

    #[test]
    fn keys_are_unique_and_both_languages_filled() {
        let mut seen = std::collections::HashSet::new();
        for (key, vi, en) in TABLE {
            assert!(seen.insert(*key), "duplicate key {key}");
            assert!(!vi.is_empty() && !en.is_empty(), "{key}");
        }
    }
}
