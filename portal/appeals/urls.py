from django.urls import path

from . import views

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="list"),
    path("new/", views.case_new, name="new"),
    # The engine's notifications link the enterprise here with the case pk.
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/information/", views.case_provide_info, name="provide_info"),
    path("<int:pk>/rating/", views.case_rate, name="rate"),
    path("<int:pk>/material/", views.case_supplement, name="supplement"),
    path("<int:pk>/files/<int:attachment_id>/", views.attachment_download, name="attachment"),
]
