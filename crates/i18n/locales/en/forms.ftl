# Forms that keep what was typed, the phone menu, confirmation messages (issue 16).
session_expired_kept = Your session has expired. What you typed has been kept: sign in again, check it and send it again.
draft_restored = What you typed before your session expired has been filled back into the form. Check it and send it again.
menu_open = Menu
confirmed_done = Completion confirmed.
returned_task = The task was returned to the department.
date_format_help = Dates as dd/mm/yyyy.
