"""How long one staff password hash takes on this machine.

Run: .venv/bin/python bench/argon2_cost.py
Compares Waypoint's Argon2id parameters with Django's default Argon2 hasher in the same
run, and prints the sign-in ceiling that follows (cores / seconds per hash).
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.contrib.auth.hashers import Argon2PasswordHasher  # noqa: E402

from waypoint.accounts.hashers import WaypointArgon2PasswordHasher  # noqa: E402


def median_seconds(hasher: Argon2PasswordHasher, rounds: int = 15) -> float:
    encoded = hasher.encode("correct horse battery staple", hasher.salt())
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        hasher.verify("correct horse battery staple", encoded)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    ours = median_seconds(WaypointArgon2PasswordHasher())
    django_default = median_seconds(Argon2PasswordHasher())
    cores = os.cpu_count() or 1
    result = {
        "machine": {
            "cpus": cores,
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "waypoint_argon2id": {
            "memory_kib": WaypointArgon2PasswordHasher.memory_cost,
            "time_cost": WaypointArgon2PasswordHasher.time_cost,
            "parallelism": WaypointArgon2PasswordHasher.parallelism,
            "median_ms": round(ours * 1000, 1),
        },
        "django_default_argon2_median_ms": round(django_default * 1000, 1),
        "ratio_to_django_default": round(ours / django_default, 2),
        "sign_in_ceiling_per_second": round(cores / ours, 1),
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
