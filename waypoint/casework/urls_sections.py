"""The case's sections (sub navigation, identity bar): one page per section (ADR 0031).

Included by casework/urls.py under the same "casework" namespace. Overview
(casework:case), Timeline (casework:timeline) and Access (casework:access) keep their
addresses in urls.py; Messages is GET on casework:message_send (POST sends). Risk, the
safety plan, referrals and processes are the safety app's pages.
"""

from django.urls import URLPattern, path

from waypoint.casework.views import sections

urlpatterns: list[URLPattern] = [
    path("cases/<uuid:case_id>/report/", sections.report_view, name="report"),
    path("cases/<uuid:case_id>/people/", sections.people_view, name="people"),
]
