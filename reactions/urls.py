from django.urls import path

from . import views

app_name = "reactions"

urlpatterns = [
    path("actors/<str:code>/", views.actor_detail, name="actor"),
    path("themes/<slug:slug>/", views.theme_detail, name="theme"),
]
