from django.urls import path

from . import views

app_name = "rewards"

urlpatterns = [
    path("", views.reward_list, name="list"),
    path("confirm/", views.reward_confirm, name="confirm"),
    path("innovation/", views.innovation_awards, name="innovation"),
]
