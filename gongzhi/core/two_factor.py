"""Sign-in: password (with django-axes lockout and a rate limit per address), then a TOTP code for
users who turned the second factor on (django-otp). Staff turn it on at /accounts/two-factor/."""

import base64

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from gongzhi.accounts import access
from gongzhi.core.errors import DomainError
from gongzhi.core.ratelimit import ratelimit
from gongzhi.core.services import audit_record

PENDING_USER = "gongzhi_2fa_user"
PENDING_BACKEND = "gongzhi_2fa_backend"
PENDING_NEXT = "gongzhi_2fa_next"


# --- services ---------------------------------------------------------------------------------


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def may_use_two_factor(user) -> bool:
    return user.is_authenticated and (user.is_staff or access.can(user, "view_internal"))


@transaction.atomic
def two_factor_begin(*, acting_user) -> TOTPDevice:
    """Start (or restart) setting up: a fresh unconfirmed secret; the confirmed one, if any, stays
    in force until the new one is confirmed."""
    if not may_use_two_factor(acting_user):
        raise DomainError(_("只有工作人员可以开启两步验证"), status=403)
    TOTPDevice.objects.filter(user=acting_user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=acting_user, name="authenticator", confirmed=False)


@transaction.atomic
def two_factor_confirm(*, acting_user, token: str) -> TOTPDevice:
    device = TOTPDevice.objects.filter(user=acting_user, confirmed=False).first()
    if device is None:
        raise DomainError(_("请先生成密钥并扫描二维码"), status=409)
    if not _token_ok(device, token):
        raise DomainError(_("验证码不正确，请查看验证器中的6位数字后重试"))
    TOTPDevice.objects.filter(user=acting_user, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit_record(acting_user=acting_user, action="two_factor.enable", target=acting_user.username)
    return device


@transaction.atomic
def two_factor_disable(*, acting_user, token: str) -> None:
    device = confirmed_device(acting_user)
    if device is None:
        raise DomainError(_("两步验证尚未开启"), status=409)
    if not _token_ok(device, token):
        raise DomainError(_("验证码不正确，请查看验证器中的6位数字后重试"))
    TOTPDevice.objects.filter(user=acting_user).delete()
    audit_record(acting_user=acting_user, action="two_factor.disable", target=acting_user.username)


def _token_ok(device: TOTPDevice, token: str) -> bool:
    token = (token or "").strip().replace(" ", "")
    if not token.isdigit() or len(token) != device.digits:
        return False
    allowed, _data = device.verify_is_allowed()
    return bool(allowed) and device.verify_token(token)


def provisioning_secret(device: TOTPDevice) -> str:
    return base64.b32encode(device.bin_key).decode().rstrip("=")


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// URI as an inline SVG (no script, no external request)."""
    return segno.make(device.config_url, error="m").svg_inline(scale=4, dark="#212529")


# --- pages ------------------------------------------------------------------------------------


class TokenForm(forms.Form):
    token = forms.CharField(
        label=gettext_lazy("验证码"),
        max_length=8,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "class": "form-control"}
        ),
    )


@method_decorator(ratelimit("login"), name="dispatch")
class LoginView(auth_views.LoginView):
    """Password first. A user with a confirmed TOTP device is not signed in yet: the next page asks
    for the code."""

    redirect_authenticated_user = True

    def form_valid(self, form):
        user = form.get_user()
        if confirmed_device(user) is None:
            return super().form_valid(form)
        self.request.session.cycle_key()
        self.request.session[PENDING_USER] = user.pk
        self.request.session[PENDING_BACKEND] = user.backend
        self.request.session[PENDING_NEXT] = self.get_success_url()
        return redirect("login-verify")


@sensitive_post_parameters("token")
@never_cache
@ratelimit("login")
def login_verify(request):
    pending = request.session.get(PENDING_USER)
    user = get_user_model().objects.filter(pk=pending, is_active=True).first() if pending else None
    device = confirmed_device(user) if user else None
    if device is None:
        return redirect("login")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if _token_ok(device, form.cleaned_data["token"]):
            next_url = request.session.get(PENDING_NEXT) or "/"
            user.backend = request.session.get(PENDING_BACKEND)
            for key in (PENDING_USER, PENDING_BACKEND, PENDING_NEXT):
                request.session.pop(key, None)
            auth_login(request, user, backend=user.backend)
            otp_login(request, device)
            if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
                next_url = "/"
            return redirect(next_url)
        form.add_error("token", _("验证码不正确，请查看验证器中的6位数字后重试"))
    return render(request, "registration/login_verify.html", {"form": form})


@login_required
@never_cache
def two_factor_settings(request):
    if not may_use_two_factor(request.user):
        raise PermissionDenied
    form = TokenForm(request.POST or None)
    pending = None
    if request.method == "POST":
        step = request.POST.get("step")
        try:
            if step == "begin":
                pending = two_factor_begin(acting_user=request.user)
                form = TokenForm()
            elif step in {"confirm", "disable"} and form.is_valid():
                if step == "confirm":
                    two_factor_confirm(acting_user=request.user, token=form.cleaned_data["token"])
                    messages.success(request, _("两步验证已开启，下次登录时需要输入验证器中的验证码"))
                else:
                    two_factor_disable(acting_user=request.user, token=form.cleaned_data["token"])
                    messages.success(request, _("两步验证已关闭"))
                return redirect("two-factor")
        except DomainError as error:
            form.add_error("token" if "token" in form.fields else None, error.message)
    if pending is None:
        pending = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    context = {"form": form, "enabled": confirmed_device(request.user) is not None, "pending": pending}
    if pending is not None:
        context["qr_svg"] = qr_svg(pending)
        context["secret"] = provisioning_secret(pending)
    return render(request, "core/two_factor.html", context)
