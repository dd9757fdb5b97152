from django.contrib.auth.hashers import Argon2PasswordHasher


class WaypointArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id sized for a 2-core host.

    Django's default (100 MiB, parallelism 8) multiplied by concurrent sign-ins is a memory
    denial of service on a small server. 64 MiB, 3 passes, 1 lane stays well above the OWASP
    minimum (19 MiB, t=2) and costs about 0.1-0.25 s here (bench/argon2_cost.py measures it).
    """

    algorithm = "argon2"
    time_cost = 3
    memory_cost = 65536
    parallelism = 1
