from django.urls import path

from gongzhi.orgs import views

app_name = "orgs"
urlpatterns = [
    path("", views.organization_list, name="list"),
    path("new/", views.organization_kinds, name="kinds"),
    path("new/<str:kind>/", views.organization_create, name="create"),
    path("<int:organization_id>/", views.organization_detail, name="detail"),
    path("<int:organization_id>/edit/", views.organization_edit, name="edit"),
    path("<int:organization_id>/dissolve/", views.organization_dissolve, name="dissolve"),
    path("contracts/new/", views.contract_create, name="contract-create"),
    path("contracts/<int:contract_id>/end/", views.contract_end, name="contract-end"),
]
