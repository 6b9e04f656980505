from django.urls import path

from gongzhi.cases import views

app_name = "cases"
urlpatterns = [
    path("", views.my_cases, name="mine"),
    path("new/", views.report, name="report"),
    path("intake/", views.intake, name="intake"),
    path("queue/", views.queue, name="queue"),
    path("boards/", views.boards, name="boards"),
    path("boards/<int:pk>/", views.board, name="board"),
    path("photos/<int:pk>/", views.photo, name="photo"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/contact/", views.contact, name="contact"),
    path("<int:pk>/<slug:verb>/", views.case_action, name="action"),
]
