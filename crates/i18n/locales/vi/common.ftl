# Words shared by every part of dondoc.

# Used by the i18n crate's own test: a label passed as an argument.
i18n-selftest = Nhiệm vụ { $status }.
