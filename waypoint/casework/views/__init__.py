"""Views for casework, one module per area: the staff side (see urls.py) and the
reporter's return pages, /my-report/ (reporter.py, urls_reporter.py; ADR 0040)."""
