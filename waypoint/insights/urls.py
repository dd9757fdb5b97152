"""The insights pages, mounted at /staff/insights/ (config/urls.py)."""

from django.urls import URLPattern, path, re_path

from waypoint.insights import views, views_download
from waypoint.insights.selectors import SECTIONS

app_name = "insights"

# Only the sections that exist resolve: any other address is a plain 404.
_SECTION = "|".join(slug for slug, _ in SECTIONS)

urlpatterns: list[URLPattern] = [
    path("", views.overview_view, name="overview"),
    re_path(rf"^(?P<section>{_SECTION})/$", views.section_view, name="section"),
    # Downloads (views_download.py): a table as CSV, the whole period as a PDF report.
    re_path(
        rf"^(?P<section>{_SECTION})/(?P<key>[a-z0-9_]+)\.csv$",
        views_download.table_csv_view,
        name="table_csv",
    ),
    path("report.pdf", views_download.report_pdf_view, name="report_pdf"),
]
