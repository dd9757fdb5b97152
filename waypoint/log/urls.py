"""/log/: a private record of what happened, kept with a receipt (issue 14).

The request log keeps the time of visits to these routes to the hour, as for the report
(common/request_log.py: the "log" namespace). Addresses carry no query strings; an entry
is named by its place in the signed-in person's own record.
"""

from django.urls import path

from waypoint.log import views_export
from waypoint.log.views import delete, receipt, record, share

app_name = "log"
urlpatterns = [
    path("", receipt.start_view, name="start"),
    path("receipt/", receipt.receipt_view, name="receipt"),
    path("receipt/download/", receipt.receipt_download_view, name="receipt_download"),
    path("receipt/check/", receipt.receipt_check_view, name="receipt_check"),
    path("sign-in/", receipt.sign_in_view, name="sign_in"),
    path("sign-out/", receipt.sign_out_view, name="sign_out"),
    path("signed-out/", receipt.signed_out_view, name="signed_out"),
    path("record/", record.home_view, name="home"),
    path("record/add/", record.add_view, name="add"),
    path("record/entries/<int:seq>/", record.entry_view, name="entry"),
    path("record/entries/<int:seq>/correct/", record.correct_view, name="correct"),
    path("record/people/add/", record.person_add_view, name="person_add"),
    path("record/download/", views_export.download_view, name="download"),
    path("record/download/pdf/", views_export.download_pdf_view, name="download_pdf"),
    path("record/download/csv/", views_export.download_csv_view, name="download_csv"),
    path("record/delete/", delete.delete_view, name="delete"),
    path("deleted/", delete.deleted_view, name="deleted"),
    path("record/share/", share.share_view, name="share"),
    path("record/share/done/", share.shared_view, name="shared"),
]
