"""Run `manage.py check --deploy` under production settings with throwaway secrets.

Production refuses to start without its secrets, so this makes a temporary set (never
used for anything else) and fails on any warning.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from waypoint.privacy.keysets import KINDS, new_keyset_json, write_private_file  # noqa: E402


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="waypoint-deploy-check-") as tmp:
        keys = Path(tmp)
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("WAYPOINT_", "DJANGO_"))
        }
        for kind in KINDS:
            path = keys / f"{kind}.json"
            write_private_file(path, new_keyset_json(kind), exclusive=True)
            env[f"WAYPOINT_{kind.upper()}_KEYSET_FILE"] = str(path)
        env.update(
            {
                "WAYPOINT_ENV": "production",
                "WAYPOINT_VAR_DIR": str(keys / "var"),
                "SECRET_KEY": secrets.token_urlsafe(64),
                "ALLOWED_HOSTS": "waypoint.example.ac.uk",
                "CSRF_TRUSTED_ORIGINS": "https://waypoint.example.ac.uk",
            }
        )
        command = [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"]
        print("check --deploy under production settings:", flush=True)
        return subprocess.call(command, cwd=ROOT, env=env)  # noqa: S603 (fixed argv)


if __name__ == "__main__":
    sys.exit(main())
