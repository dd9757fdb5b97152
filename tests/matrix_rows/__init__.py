"""Route x role rows for the staff workspace (issue 12), one module per part so that
each part declares its own URLs; tests/access_matrix.py merges them."""
