from django.urls import path

from . import views

app_name = "policies"

urlpatterns = [
    path("", views.policy_list, name="list"),
    path("for-me/", views.for_me, name="for_me"),
    path("<int:pk>/", views.policy_detail, name="detail"),
    path("<int:pk>/facts/", views.fact_supply, name="facts"),
    path("<int:pk>/not-relevant/", views.not_relevant, name="not_relevant"),
]
