from django.urls import path

from . import views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("prefs/text-size/", views.text_size, name="text_size"),
]
