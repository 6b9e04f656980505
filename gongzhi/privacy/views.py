from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from gongzhi.accounts.models import Person
from gongzhi.core.errors import DomainError
from gongzhi.core.masking import mask_id_number, mask_phone
from gongzhi.privacy import services

CONTENT_TYPES = {
    "json": "application/json; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _person_of(user) -> Person:
    person = Person.objects.filter(user=user).first()
    if person is None:
        raise Http404
    return person


@login_required
@never_cache
def mine(request):
    person = _person_of(request.user)
    return render(
        request,
        "privacy/mine.html",
        {
            "person": person,
            "masked_phone": mask_phone(person.phone),
            "masked_id_number": mask_id_number(person.id_number),
            "holds_post": person.appointments.current(timezone.localdate()).exists(),
        },
    )


def _download(request, fmt: str):
    person = _person_of(request.user)
    content = services.personal_data_download(person=person, acting_user=request.user, fmt=fmt)
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="my-data-{timezone.localdate():%Y%m%d}.{fmt}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
def download_json(request):
    return _download(request, "json")


@login_required
def download_xlsx(request):
    return _download(request, "xlsx")


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def remove_account(request):
    person = _person_of(request.user)
    error = ""
    if request.method == "POST":
        if request.POST.get("confirm") != _("注销"):
            error = _("请在输入框中填写“注销”二字以确认")
        elif not request.user.check_password(request.POST.get("password", "")):
            error = _("密码不正确")
        else:
            try:
                services.account_remove(person=person, acting_user=request.user)
            except DomainError as failure:
                error = failure.message
            else:
                logout(request)
                messages.success(
                    request, _("您的账号已注销，个人信息已删除；您反映过的诉求仍保留在台账中，但不再显示您的身份。")
                )
                return redirect("home")
    return render(request, "privacy/remove.html", {"person": person, "error": error}, status=400 if error else 200)
