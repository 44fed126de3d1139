from django.urls import path

from . import views

urlpatterns = [
    path("", views.PolicyListView.as_view(), name="api-policy-list"),
    path("for-me/", views.ForMeView.as_view(), name="api-policy-for-me"),
    path("subscriptions/", views.SubscriptionView.as_view(), name="api-policy-subscription"),
    path("<int:pk>/", views.PolicyDetailView.as_view(), name="api-policy-detail"),
    path("<int:pk>/eligibility/", views.EligibilityView.as_view(), name="api-policy-eligibility"),
    path("<int:pk>/facts/", views.FactSupplyView.as_view(), name="api-policy-facts"),
    path("<int:pk>/not-relevant/", views.NotRelevantView.as_view(), name="api-policy-not-relevant"),
]
