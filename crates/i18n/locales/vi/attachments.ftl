# Attached files (tệp đính kèm): errors and the words of the pages.

error-attachment-empty = Tệp rỗng, không có nội dung để đính kèm.
error-attachment-too-large = Tệp lớn hơn { $max_mb } MB, không đính kèm được. Hãy nén ảnh hoặc chia nhỏ tệp.
error-attachment-type = Chỉ nhận tệp PDF, ảnh (PNG, JPEG, WebP, GIF), Word (.docx), Excel (.xlsx) hoặc .odt; nội dung tệp này không thuộc loại nào trong số đó.
error-attachment-html = Không nhận tệp HTML (trang web): tệp này có thể chứa mã chạy trong trình duyệt. Hãy in ra PDF rồi đính kèm.
error-attachment-svg = Không nhận ảnh SVG: loại ảnh này có thể chứa mã chạy trong trình duyệt. Hãy lưu thành PNG hoặc PDF rồi đính kèm.
error-attachment-script = Không nhận tệp kịch bản (script): chỉ nhận PDF, ảnh, .docx, .xlsx, .odt.
error-attachment-executable = Không nhận tệp chương trình (.exe và các tệp chạy được), dù tên tệp là gì.
error-attachment-package = Tệp nén (.docx, .xlsx, .odt) không hợp lệ hoặc bất thường: { $reason }
error-attachment-missing = Chưa chọn tệp để đính kèm.
error-attachment-supersedes = Tệp được thay phải là một tệp hiện hành đính kèm cùng nhiệm vụ (hoặc cùng văn bản).
not-found-attachment = Không có tệp đính kèm số { $id }.

attachments_title = Tệp đính kèm
attachments_none = Chưa có tệp đính kèm.
attachment = Tệp đính kèm
attachment_file = Tệp
attachment_context = Kèm theo
attachment_context_report = Báo cáo hoàn thành
attachment_context_note = Ghi chú tiến độ
attachment_context_extension = Đề nghị gia hạn
attachment_context_explanation = Giải trình
attachment_context_document = Bản chụp văn bản đã ký
attachment_size = Dung lượng
attachment_by = Người đính kèm
attachment_at = Thời điểm
attachment_view = Xem
attachment_download = Tải về
attachment_superseded = Đã có bản mới thay thế
attachment_supersedes = Thay cho tệp
attachment_supersedes_none = (tệp mới, không thay tệp nào)
attachment_submit = Đính kèm
attachment_uploaded = Đã đính kèm tệp { $name }.
attachment_allowed = Nhận PDF, ảnh (PNG, JPEG, WebP, GIF), .docx, .xlsx, .odt; tối đa { $max_mb } MB.
attachment_document_files = Tệp của văn bản liên quan
attachment_for_document = Đính kèm bản chụp văn bản
history-action-attachment_added = Đính kèm tệp
history-action-attachment_superseded = Thay tệp đính kèm

# Evidence sent with a step (report, note, extension request, answer).
error-evidence-too-many = Mỗi lần gửi kèm được tối đa { $max } tệp.
error-evidence-not-tieable = Tệp số { $id } không phải tệp chính bạn đã tải lên cho nhiệm vụ này, hoặc đã gắn với một bước khác.
error-evidence-needs-step = Tệp minh chứng phải kèm một nội dung: hãy ghi ghi chú hoặc cập nhật tiến độ (hoặc đính kèm riêng ở mục Tệp đính kèm).
evidence_files = Tệp minh chứng (không bắt buộc)
evidence_files_help = Chọn được tối đa { $max } tệp; { $allowed }
evidence_choose_again = Tệp đã chọn ({ $names }) chưa được lưu: hãy chọn lại tệp trước khi gửi.
evidence_with_report = Minh chứng kèm báo cáo
evidence_with_request = Minh chứng kèm đề nghị
evidence_with_answer = Minh chứng kèm giải trình
evidence_none = Báo cáo không kèm tệp minh chứng.
