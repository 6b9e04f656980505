from django.urls import path

from gongzhi.places import views

app_name = "places"
urlpatterns = [
    path("", views.tree, name="tree"),
    path("<int:place_id>/", views.place_detail, name="detail"),
    path("<int:parent_id>/new/", views.place_create, name="create"),
    path("<int:place_id>/edit/", views.place_edit, name="edit"),
    path("<int:place_id>/flats/new/", views.flat_create, name="flat-create"),
    path("flats/<int:flat_id>/edit/", views.flat_edit, name="flat-edit"),
    path("<int:place_id>/grids/new/", views.grid_create, name="grid-create"),
    path("grids/<int:grid_id>/edit/", views.grid_edit, name="grid-edit"),
    path("estates/<int:place_id>/", views.estate, name="estate"),
    path("import/", views.flats_import, name="import"),
    path("import/template.xlsx", views.flats_import_template, name="import-template"),
    path("export.xlsx", views.flats_export, name="export"),
]
