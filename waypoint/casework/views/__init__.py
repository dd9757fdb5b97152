"""Staff views for casework, one module per area (see urls.py)."""
