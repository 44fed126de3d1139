from django.urls import path

from . import views

app_name = "orgs"

urlpatterns = [
    path("enterprise/", views.enterprise_profile, name="enterprise"),
    path("enterprise/members/", views.members, name="members"),
    path("enterprise/members/<int:pk>/decide/", views.decide_join_request, name="decide"),
]
