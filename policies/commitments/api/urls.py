from django.urls import path

from . import views

urlpatterns = [
    path("", views.CommitmentListView.as_view(), name="commitments-list"),
    path("rates/", views.UnitRatesView.as_view(), name="commitments-rates"),
    path("<int:pk>/", views.CommitmentDetailView.as_view(), name="commitments-detail"),
    path("clauses/", views.HandledClauseListView.as_view(), name="commitments-clauses"),
    path(
        "clauses/<int:pk>/fulfilments/", views.ClauseRecordView.as_view(), name="commitments-record"
    ),
    path(
        "clauses/<int:pk>/confirm/", views.ClauseConfirmView.as_view(), name="commitments-confirm"
    ),
    path(
        "clauses/<int:pk>/dispute/", views.ClauseDisputeView.as_view(), name="commitments-dispute"
    ),
]
