from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from gongzhi.api import api
from gongzhi.cases.phone import cases_endpoint
from gongzhi.core import views as core_views

urlpatterns = [
    # First: a phone's report, the busiest request, is matched before any other pattern is tried.
    # It is served lean; everything else at this address goes to the API (gongzhi.cases.phone).
    path("api/v1/cases/", cases_endpoint),
    path("", core_views.home, name="home"),
    path("healthz", core_views.health, name="health"),
    path("", include("gongzhi.core.urls")),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("places/", include("gongzhi.places.urls")),
    path("orgs/", include("gongzhi.orgs.urls")),
    path("people/", include("gongzhi.accounts.urls")),
    path("dashboard/", include("gongzhi.indicators.urls")),
    path("cases/", include("gongzhi.cases.urls")),
    path("open311/v2/", include("gongzhi.open311.urls")),
    path("notifications/", include("gongzhi.notifications.urls")),
    path("meetings/", include("gongzhi.meetings.urls")),
    path("oversight/", include("gongzhi.oversight.urls")),
    path("elections/", include("gongzhi.elections.urls")),
    path("funds/", include("gongzhi.funds.urls")),
    path("volunteers/", include("gongzhi.volunteers.urls")),
    path("reports/", include("gongzhi.reports.urls")),
    path("api/v1/", api.urls),
    path("privacy/", include("gongzhi.privacy.urls")),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
