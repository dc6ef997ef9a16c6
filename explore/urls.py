from django.urls import path, re_path

from . import pages, views, views_data, views_embed

app_name = "explore"

urlpatterns = [
    path("", views.index, name="index"),
    path("launches/<slug:slug>/", views.launch_detail, name="launch"),
    path("charts/", views.charts, name="charts"),
    path("map/", views.site_map, name="map"),
    path("matrix/", views.stance_matrix, name="matrix"),
    path("search/", views.search, name="search"),
    path("data/", views_data.data_page, name="data"),
    re_path(
        r"^data/(?P<name>[a-z][a-z0-9-]*\.(?:csv|json|zip))\Z",
        views_data.data_file,
        name="data-file",
    ),
    path("embed/", views_embed.embed_timeline, name="embed"),
    path("oembed", views_embed.oembed, name="oembed"),
    path("methodology/", pages.methodology, name="methodology"),
    path("statements/<int:pk>/", pages.statement_detail, name="statement"),
    path("robots.txt", pages.robots_txt, name="robots"),
    path("sitemap.xml", pages.sitemap, name="sitemap"),
]
