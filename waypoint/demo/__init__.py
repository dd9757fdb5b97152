"""Demo and benchmark data: `manage.py load_demo` and `manage.py generate_load_data`.

The top layer (ADR 0040): it fills every app, so it may import all of them and none may
import it.
"""
