from django.urls import path

from . import views

urlpatterns = [
    path("units/", views.UnitListView.as_view(), name="units"),
    path("enterprise/", views.OwnEnterpriseView.as_view(), name="own-enterprise"),
    path("join-requests/", views.JoinRequestListView.as_view(), name="join-requests"),
    path("join-requests/<int:pk>/decide/", views.JoinRequestDecideView.as_view(), name="join-request-decide"),
]
