from django.urls import path

from . import views

urlpatterns = [
    path("", views.ComplaintSubmitView.as_view(), name="complaints-submit"),
    path("follow/", views.ComplaintFollowView.as_view(), name="complaints-follow"),
]
