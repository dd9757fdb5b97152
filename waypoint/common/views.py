"""The benchmarks' floor (bench/README.md): the least a request through Waypoint can cost.

A bare view, no template and no database, behind the same middleware as every page.
config/urls.py mounts it only when WAYPOINT_BENCH_FLOOR is true, which `make bench` sets;
a deployment never does.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_safe


@login_not_required
@require_safe
def bench_floor_view(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b"floor\n", content_type="text/plain; charset=utf-8")
