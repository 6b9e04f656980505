from django.urls import path

from gongzhi.accounts import views

app_name = "accounts"
urlpatterns = [
    path("", views.people, name="people"),
    path("new/", views.person_create, name="person-create"),
    path("<int:person_id>/", views.person_detail, name="person"),
    path("<int:person_id>/edit/", views.person_edit, name="person-edit"),
    path("<int:person_id>/reveal/", views.person_reveal, name="person-reveal"),
    path("<int:person_id>/appointments/new/", views.appointment_create, name="appointment-create"),
    path("appointments/<int:appointment_id>/end/", views.appointment_end, name="appointment-end"),
    path("<int:person_id>/ownerships/new/", views.ownership_add, name="ownership-add"),
    path("ownerships/<int:ownership_id>/end/", views.ownership_end, name="ownership-end"),
    path("<int:person_id>/check-ins/new/", views.check_in_create, name="check-in-create"),
    path("check-ins/<int:check_in_id>/end/", views.check_in_end, name="check-in-end"),
]
