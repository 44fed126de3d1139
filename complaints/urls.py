from django.urls import path

from . import views

app_name = "complaints"

urlpatterns = [
    path("", views.complaint_new, name="new"),
    path("receipt/", views.complaint_receipt, name="receipt"),
    path("receipt/download/", views.complaint_receipt_download, name="receipt_download"),
    path("follow/", views.complaint_follow, name="follow"),
    path("cases/", views.published_list, name="published"),
    path("mine/", views.complaint_mine, name="mine"),
    path("mine/open/", views.complaint_mine_open, name="mine_open"),
    # The report the session follows now (no number in the address: none can be guessed).
    path("report/", views.complaint_report, name="report"),
    path("report/answer/", views.complaint_answer, name="answer"),
    path("report/material/", views.complaint_material, name="material"),
    path("report/rating/", views.complaint_rate, name="rate"),
    path("report/retaliation/", views.complaint_retaliation, name="retaliation"),
]
