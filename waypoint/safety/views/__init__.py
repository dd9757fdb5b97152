"""Safety views, one module per area (see urls.py)."""
