"""Create the five production keysets in a directory (for a secret store to hold).

Usage: python scripts/generate_keysets.py /path/to/secure/dir

Runs without Django settings, because production settings refuse to load until the
keysets exist. Existing files are never overwritten; rotate them with
`manage.py rotate_keyset`.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from waypoint.privacy.keysets import KINDS, new_keyset_json, write_private_file


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    directory = Path(argv[1])
    for kind in KINDS:
        path = directory / f"{kind}.json"
        created = write_private_file(path, new_keyset_json(kind), exclusive=True)
        print(f"{'created' if created else 'kept existing'} {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
