# Problems of an imported annex (each shown as "Dòng N, cột X: …").
import-no-header = Không tìm thấy dòng tiêu đề: các dòng đầu phải có tên cột (STT, Nội dung, Lĩnh vực, Đơn vị chủ trì, Thời hạn, …)
import-no-annex-table = Tệp Word không có bảng nào có dòng tiêu đề của phụ lục (STT, Nội dung, Đơn vị chủ trì, Thời hạn, …)
import-missing-columns = Dòng tiêu đề thiếu cột: { $columns }
import-no-rows = Tệp có dòng tiêu đề nhưng không có dòng nhiệm vụ nào
import-too-many-rows = Tệp có hơn { $max } nhiệm vụ
import-code-repeated = Mã { $code } bị trùng (đã có ở dòng { $first })
import-section-no-field = Mục «{ $section }» không ứng với lĩnh vực nào; thêm cột Lĩnh vực hoặc đặt tên mục theo một lĩnh vực
import-due-unknown = Không hiểu thời hạn «{ $text }»; hãy viết như 31/12/2027, 30/6, Trước 30/6/2027, Tháng 6/2027, Quý II/2027, 6 tháng đầu năm, Thường xuyên
import-recurring-unconfirmed = Thời hạn «{ $text }» là nhiệm vụ định kỳ; đánh dấu «Tạo nhiệm vụ định kỳ» rồi nhập lại
import-department-ambiguous = «{ $text }» có thể là { $first } hoặc { $second }; hãy ghi rõ mã đơn vị
import-leader-ambiguous = «{ $text }» có thể là { $first } hoặc { $second }; hãy ghi tên đăng nhập
# The import page.
import_code_generated = mã do hệ thống tạo
import_codes_generated_note = Phụ lục không có cột Mã: mã được tạo theo mục (chữ đầu của tên mục và số thứ tự, ví dụ KT-01), giống nhau khi nhập lại cùng tệp.
import_due_as_written = Thời hạn ghi trong phụ lục
import_recurring_confirm = Tạo nhiệm vụ định kỳ cho các dòng có thời hạn «Thường xuyên», «Hằng tháng», «Hằng quý», «Hằng năm»
import_recurring_rows = dòng là nhiệm vụ định kỳ
import_section = Mục
due_text = Thời hạn theo văn bản
# Department aliases (/admin/aliases).
aliases = Tên gọi khác của đơn vị
aliases_help = Các tên viết tắt hoặc cách gọi khác mà phụ lục dùng (ví dụ TN&MT, TC-KH, Phòng Văn hóa). Khi nhập, hệ thống so khớp không phân biệt hoa thường và dấu.
alias = Tên gọi khác
alias_add = Thêm tên gọi
alias_delete = Xóa
alias_added = Đã thêm tên gọi
alias_deleted = Đã xóa tên gọi
aliases_none = Chưa có tên gọi khác nào.
alias-required = Nhập tên gọi khác
alias-taken = Tên gọi «{ $alias }» đã dùng cho { $department }
alias-unknown-department = Chọn một đơn vị
# The letter's signer (/letters/{code}).
letters_signer = Người ký
letters_signer_apply = Chọn người ký
