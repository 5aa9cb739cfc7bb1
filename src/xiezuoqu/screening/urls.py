from django.urls import URLPattern, path

from . import views

app_name = "screening"

urlpatterns: list[URLPattern] = [
    path("", views.index, name="index"),
    path("import/", views.import_batch, name="import"),
    path("reference/", views.import_list, name="reference"),
    path("rules/", views.rule, name="rule"),
    path("standards/", views.standard, name="standard"),
    path("rerun/", views.rerun, name="rerun"),
    path("template.xlsx", views.template, name="template"),
    path("hits/", views.hits, name="hits"),
    path("hits/<int:hit_id>/", views.hit, name="hit"),
    path("hits/<int:hit_id>/act/", views.hit_act, name="hit_act"),
]
