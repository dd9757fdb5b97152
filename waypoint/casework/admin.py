# Nothing is registered: case data (reports, messages, openings) must never show in the
# Django admin; staff reach cases only through the audited, policy-checked casework views.
