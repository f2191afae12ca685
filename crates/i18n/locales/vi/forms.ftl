# Forms that keep what was typed, the phone menu, confirmation messages (issue 16).
session_expired_kept = Phiên đăng nhập đã hết hạn. Nội dung bạn vừa nhập đã được giữ lại: đăng nhập lại, kiểm tra rồi bấm gửi lại.
draft_restored = Nội dung bạn đã nhập trước khi phiên đăng nhập hết hạn đã được điền lại vào biểu mẫu. Kiểm tra rồi bấm gửi lại.
menu_open = Trình đơn
confirmed_done = Đã xác nhận hoàn thành.
returned_task = Đã trả lại nhiệm vụ cho đơn vị.
date_format_help = Ngày dạng dd/mm/yyyy.
