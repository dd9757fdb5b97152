"""How long one receipt check takes on this machine.

Run: .venv/bin/python bench/receipt_hash.py
A receipt check is one PRF call (the pepper) and one Argon2id verification with the staff
hasher's parameters (waypoint/reporting/receipts.py), so it costs about what a staff
sign-in does (bench/argon2_cost.py). Prints the median milliseconds per check, per new
receipt, and the ceiling that follows: cores / seconds per check, the most receipt
checks a second this machine can do with every core hashing.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from waypoint.accounts.hashers import WaypointArgon2PasswordHasher  # noqa: E402
from waypoint.reporting import receipts  # noqa: E402


def median_seconds(operation: Callable[[], object], rounds: int = 15) -> float:
    operation()  # warm up: keyset load, first allocation
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        operation()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    passphrase = receipts.new_passphrase()
    encoded, key_id = receipts.hash_passphrase(passphrase)
    verify = median_seconds(
        lambda: receipts.verify_passphrase(encoded=encoded, key_id=key_id, passphrase=passphrase)
    )
    unknown = median_seconds(
        lambda: receipts.verify_passphrase(encoded=None, key_id=None, passphrase=passphrase)
    )
    issue = median_seconds(lambda: receipts.hash_passphrase(passphrase))
    cores = os.cpu_count() or 1
    result = {
        "machine": {
            "cpus": cores,
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "argon2id": {
            "memory_kib": WaypointArgon2PasswordHasher.memory_cost,
            "time_cost": WaypointArgon2PasswordHasher.time_cost,
            "parallelism": WaypointArgon2PasswordHasher.parallelism,
        },
        "verify_median_ms": round(verify * 1000, 1),
        "verify_unknown_reference_median_ms": round(unknown * 1000, 1),
        "hash_new_receipt_median_ms": round(issue * 1000, 1),
        "receipt_checks_ceiling_per_second": round(cores / verify, 1),
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
