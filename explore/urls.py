from django.urls import path

from . import views

app_name = "explore"

urlpatterns = [
    path("", views.index, name="index"),
    path("launches/<slug:slug>/", views.launch_detail, name="launch"),
    path("charts/", views.charts, name="charts"),
    path("map/", views.site_map, name="map"),
    path("matrix/", views.stance_matrix, name="matrix"),
    path("search/", views.search, name="search"),
]
