# Problems of an imported annex (each shown as "row N, column X: …").
import-no-header = No header row found: the first lines must name the columns (STT, Nội dung, Lĩnh vực, Đơn vị chủ trì, Thời hạn, …)
import-no-annex-table = The Word document has no table with an annex header row (STT, Nội dung, Đơn vị chủ trì, Thời hạn, …)
import-missing-columns = The header row lacks the columns: { $columns }
import-no-rows = The file has a header row but no task rows
import-too-many-rows = The file has more than { $max } tasks
import-code-repeated = Code { $code } is repeated (first on row { $first })
import-section-no-field = Section “{ $section }” matches no field; add a Lĩnh vực column or name the section after a field
import-due-unknown = Deadline “{ $text }” is not understood; write e.g. 31/12/2027, 30/6, Trước 30/6/2027, Tháng 6/2027, Quý II/2027, 6 tháng đầu năm, Thường xuyên
import-recurring-unconfirmed = Deadline “{ $text }” makes a recurring task; tick “Create recurring tasks” and import again
import-department-ambiguous = “{ $text }” could be { $first } or { $second }; write the unit's code
import-leader-ambiguous = “{ $text }” could be { $first } or { $second }; write the username
# The import page.
import_code_generated = code made by the system
import_codes_generated_note = The annex has no code column: codes are made per section (the section's initials and a number, e.g. KT-01), the same each time the same file is imported.
import_due_as_written = Deadline as written in the annex
import_recurring_confirm = Create recurring tasks for rows whose deadline is “Thường xuyên”, “Hằng tháng”, “Hằng quý” or “Hằng năm”
import_recurring_rows = rows are recurring tasks
import_section = Section
due_text = Deadline as written
# Department aliases (/admin/aliases).
aliases = Other names of units
aliases_help = Abbreviations or other names the annexes use (e.g. TN&MT, TC-KH, Phòng Văn hóa). The import matches them regardless of case and diacritics.
alias = Other name
alias_add = Add name
alias_delete = Delete
alias_added = Name added
alias_deleted = Name deleted
aliases_none = No other names yet.
alias-required = Enter the other name
alias-taken = The name “{ $alias }” is already used for { $department }
alias-unknown-department = Choose a unit
# The letter's signer (/letters/{code}).
letters_signer = Signed by
letters_signer_apply = Choose the signer
