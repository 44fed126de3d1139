from django.urls import path

from . import views

urlpatterns = [
    path("", views.PolicyListView.as_view(), name="api-policy-list"),
    path("for-me/", views.ForMeView.as_view(), name="api-policy-for-me"),
    path("<int:pk>/", views.PolicyDetailView.as_view(), name="api-policy-detail"),
    path("<int:pk>/eligibility/", views.EligibilityView.as_view(),
         name="api-policy-eligibility"),
]
