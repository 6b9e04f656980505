from django.urls import path

from gongzhi.core import two_factor, views

# Mounted at the site root (no namespace): the sign-in pages keep Django's conventional names.
urlpatterns = [
    path("accounts/login/", two_factor.LoginView.as_view(), name="login"),
    # The admin signs in through the same page (lockout, rate limit, second factor).
    path("admin/login/", views.admin_login, name="admin-login"),
    path("accounts/login/verify/", two_factor.login_verify, name="login-verify"),
    path("accounts/two-factor/", two_factor.two_factor_settings, name="two-factor"),
    path("audit/", views.audit_log, name="audit-log"),
    path("audit/export.xlsx", views.audit_export, name="audit-export"),
]
