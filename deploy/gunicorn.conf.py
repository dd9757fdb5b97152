"""gunicorn settings for production: `gunicorn -c deploy/gunicorn.conf.py config.wsgi`."""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Argon2 hashing is CPU-bound: one worker per core plus one, threads for I/O waits.
workers = int(os.environ.get("GUNICORN_WORKERS", str(multiprocessing.cpu_count() + 1)))
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
# Restart workers now and then so a slow leak cannot grow without bound.
max_requests = 5000
max_requests_jitter = 500
timeout = 30
# No access log: a line per request would record when someone visited the reporting
# pages, and the proxy's address handling is the proxy's job. Errors still go to stderr.
accesslog = None
errorlog = "-"
# Drop the Server version banner.
proc_name = "waypoint"
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
