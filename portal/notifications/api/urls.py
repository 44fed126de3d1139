from django.urls import path

from . import views

urlpatterns = [
    path("", views.NotificationListView.as_view(), name="notifications-list"),
    path("unread-count/", views.UnreadCountView.as_view(), name="notifications-unread-count"),
    path("read-all/", views.MarkAllReadView.as_view(), name="notifications-mark-all-read"),
    path("<int:pk>/read/", views.MarkReadView.as_view(), name="notifications-mark-read"),
]
