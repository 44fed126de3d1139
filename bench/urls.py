"""The portal's URLs plus the benchmark's baseline view (bench server only)."""

from django.urls import path

from portal.urls import urlpatterns as portal_urlpatterns

from . import views

urlpatterns = [
    path("bench/baseline/<int:rows>/", views.baseline, name="bench-baseline"),
    *portal_urlpatterns,
]
