from django.urls import path

from . import pages, views

app_name = "explore"

urlpatterns = [
    path("", views.index, name="index"),
    path("launches/<slug:slug>/", views.launch_detail, name="launch"),
    path("charts/", views.charts, name="charts"),
    path("matrix/", views.stance_matrix, name="matrix"),
    path("search/", views.search, name="search"),
    path("methodology/", pages.methodology, name="methodology"),
    path("statements/<int:pk>/", pages.statement_detail, name="statement"),
    path("robots.txt", pages.robots_txt, name="robots"),
    path("sitemap.xml", pages.sitemap, name="sitemap"),
]
