from django.urls import path

from . import views

app_name = "commitments"

urlpatterns = [
    path("", views.commitment_list, name="list"),
    path("rates/", views.unit_rates, name="rates"),
    path("<int:pk>/", views.commitment_detail, name="detail"),
    path("clauses/<int:pk>/confirm/", views.clause_confirm, name="confirm"),
    path("clauses/<int:pk>/dispute/", views.clause_dispute, name="dispute"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence"),
]
