"""The "Is this stalking?" self-check at /check/. Stores nothing."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_not_required
def check_view(request: HttpRequest) -> HttpResponse:
    return render(request, "hub/home.html")
