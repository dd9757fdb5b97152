from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def staff_home_view(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/staff_home.html")
