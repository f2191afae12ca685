# Attached files: errors and the words of the pages.

error-attachment-empty = The file is empty: there is nothing to attach.
error-attachment-too-large = The file is larger than { $max_mb } MB and cannot be attached. Compress the picture or split the file.
error-attachment-type = Only PDF, images (PNG, JPEG, WebP, GIF), Word (.docx), Excel (.xlsx) or .odt files are accepted; this file's content is none of them.
error-attachment-html = HTML files (web pages) are not accepted: they can carry code that runs in the browser. Print it to PDF and attach that.
error-attachment-svg = SVG images are not accepted: they can carry code that runs in the browser. Save it as PNG or PDF and attach that.
error-attachment-script = Scripts are not accepted: only PDF, images, .docx, .xlsx and .odt.
error-attachment-executable = Programs (.exe and other executables) are not accepted, whatever the file is called.
error-attachment-package = The package (.docx, .xlsx, .odt) is invalid or abnormal: { $reason }
error-attachment-missing = No file was chosen.
error-attachment-supersedes = The file replaced must be a current attachment of the same task (or the same document).
not-found-attachment = There is no attachment { $id }.

attachments_title = Attachments
attachments_none = No attachments yet.
attachment = Attachment
attachment_file = File
attachment_context = Backs
attachment_context_report = Completion report
attachment_context_note = Progress note
attachment_context_extension = Extension request
attachment_context_explanation = Explanation
attachment_context_document = Signed scan of the document
attachment_size = Size
attachment_by = Attached by
attachment_at = When
attachment_view = View
attachment_download = Download
attachment_superseded = Replaced by a newer version
attachment_supersedes = Replaces
attachment_supersedes_none = (a new file, replaces none)
attachment_submit = Attach
attachment_uploaded = File { $name } attached.
attachment_allowed = PDF, images (PNG, JPEG, WebP, GIF), .docx, .xlsx, .odt; at most { $max_mb } MB.
attachment_document_files = Files of the related documents
attachment_for_document = Attach the signed scan
history-action-attachment_added = File attached
history-action-attachment_superseded = Attachment replaced

# Evidence sent with a step (report, note, extension request, answer).
error-evidence-too-many = At most { $max } files can be sent at once.
error-evidence-not-tieable = File { $id } is not one you uploaded to this task yourself, or it already belongs to another step.
error-evidence-needs-step = Evidence must come with something: write a note or update the progress (or attach the file on its own under Attachments).
evidence_files = Evidence files (optional)
evidence_files_help = Up to { $max } files; { $allowed }
evidence_choose_again = The files chosen ({ $names }) were not saved: choose them again before sending.
evidence_with_report = Evidence sent with the report
evidence_with_request = Evidence sent with the request
evidence_with_answer = Evidence sent with the answer
evidence_none = The report came with no evidence file.
