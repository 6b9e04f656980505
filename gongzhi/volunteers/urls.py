from django.urls import path

from gongzhi.volunteers import views

app_name = "volunteers"
urlpatterns = [
    path("", views.home, name="home"),
    path("teams/", views.team_create, name="team-create"),
    path("teams/<int:team_id>/edit/", views.team_edit, name="team-edit"),
    path("events/", views.event_record, name="event-record"),
    path("check-in/", views.check_in, name="check-in"),
    path("service-log/", views.service_log, name="service-log"),
    path("estates/<int:estate_id>/", views.estate, name="estate"),
    path("estates/<int:estate_id>/theme/", views.theme_set, name="theme-set"),
    path("estates/<int:estate_id>/venues/", views.venue_create, name="venue-create"),
    path("estates/<int:estate_id>/rota/", views.rota_create, name="rota-create"),
    path("venues/<int:venue_id>/edit/", views.venue_edit, name="venue-edit"),
    path("venues/<int:venue_id>/rooms/", views.room_add, name="room-add"),
    path("rooms/<int:room_id>/edit/", views.room_edit, name="room-edit"),
    path("rooms/<int:room_id>/bookings/", views.booking_create, name="booking-create"),
    path("bookings/<int:booking_id>/cancel/", views.booking_cancel, name="booking-cancel"),
    path("patrols/", views.patrols, name="patrols"),
    path("patrols/new/", views.patrol_record, name="patrol-record"),
    path("visits/", views.visits, name="visits"),
    path("visits/new/", views.visit_record, name="visit-record"),
    path("orders/", views.orders, name="orders"),
    path("needs/new/", views.need_post, name="need-post"),
    path("orders/new/", views.order_publish, name="order-publish"),
    path("orders/<int:order_id>/take/", views.order_take, name="order-take"),
    path("orders/<int:order_id>/done/", views.order_complete, name="order-complete"),
    path("agreements/", views.agreements, name="agreements"),
    path("agreements/new/", views.agreement_sign, name="agreement-sign"),
]
