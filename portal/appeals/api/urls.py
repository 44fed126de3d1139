from django.urls import path

from . import views

STEPS = [
    ("accept", views.AcceptView),
    ("reject", views.RejectView),
    ("assign", views.AssignView),
    ("sign-for", views.SignForView),
    ("start", views.StartView),
    ("answer", views.AnswerView),
    ("return", views.ReturnView),
    ("transfer", views.TransferView),
    ("request-extension", views.RequestExtensionView),
    ("decide-extension", views.DecideExtensionView),
    ("request-info", views.RequestInfoView),
    ("provide-info", views.ProvideInfoView),
    ("rate", views.RateView),
    ("close", views.CloseView),
    ("notes", views.InternalNoteView),
]

urlpatterns = [
    path("", views.CaseListView.as_view(), name="cases-list"),
    path("<int:pk>/", views.CaseDetailView.as_view(), name="cases-detail"),
    path("<int:pk>/files/<int:attachment_id>/", views.AttachmentDownloadView.as_view(),
         name="cases-attachment"),
    *[path(f"<int:pk>/{slug}/", view.as_view(), name=f"cases-{slug}") for slug, view in STEPS],
]
