"""A resident's own data: a copy of everything recorded about them (PIPL art. 45, right to copy)
and the removal of their account (art. 47): the person is anonymized, the account closed, and what
they reported stays on the record without saying who they are.

Both work over every table that points at the person or their account, found from the models
themselves, so an app that adds such a table is covered without changing this module. Columns that
copy personal details onto another row (a case's contact name and phone) are cleared by name,
see ``PERSONAL_COLUMNS``.
"""

import datetime
import io
import json
from collections.abc import Iterator
from decimal import Decimal

from django.apps import apps
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts import access
from gongzhi.accounts.models import Person, User
from gongzhi.core.errors import DomainError
from gongzhi.core.services import audit_record

# Columns on other tables that hold a copy of a person's details; emptied on removal for rows that
# point at the person or their account.
PERSONAL_COLUMNS = frozenset(
    {
        "contact_name",
        "contact_phone",
        "contact",
        "phone",
        "mobile",
        "email",
        "id_number",
        "reporter_name",
        "reporter_phone",
        "name_at_signing",
        "signature_name",
    }
)
# Tables never copied out: security records of the site, not personal data of the resident.
NOT_EXPORTED = frozenset({"sessions.session", "otp_totp.totpdevice", "axes.accessattempt", "axes.accesslog"})
ANONYMIZED_NAME = "已注销居民"


def _rows_pointing_at(obj) -> Iterator[tuple[models.Model, models.Field, models.QuerySet]]:
    for relation in obj._meta.get_fields(include_hidden=True):
        if not (relation.auto_created and not relation.concrete and (relation.one_to_many or relation.one_to_one)):
            continue
        model = relation.related_model
        if model._meta.label_lower in NOT_EXPORTED:
            continue
        if model in (Person, User):
            continue
        yield model, relation.field, model._default_manager.filter(**{relation.field.name: obj})


def _value(value):
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat() if timezone.is_aware(value) else value.isoformat()
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return None
    if isinstance(value, models.Model):
        return str(value)
    if hasattr(value, "name") and hasattr(value, "url"):  # a stored file
        return value.name or ""
    return value


def _row(instance: models.Model) -> dict:
    data = {}
    for field in instance._meta.concrete_fields:
        if field.name in {"password"}:
            continue
        if field.is_relation:
            related_id = getattr(instance, field.attname)
            data[field.name] = str(getattr(instance, field.name)) if related_id is not None else None
        else:
            data[field.name] = _value(getattr(instance, field.attname))
    return data


def personal_data(person: Person) -> dict:
    """Everything recorded about ``person``: their own fields, their account, and every row of
    every table that points at either."""
    sections: dict[str, list[dict]] = {}
    owners = [person] + ([person.user] if person.user_id else [])
    for owner in owners:
        for model, _field, rows in _rows_pointing_at(owner):
            title = f"{model._meta.verbose_name} ({model._meta.label_lower})"
            sections.setdefault(title, []).extend(_row(row) for row in rows.order_by("pk")[:10_000])
    account = None
    if person.user_id:
        user = person.user
        account = {
            "username": user.username,
            "email": user.email,
            "date_joined": _value(user.date_joined),
            "last_login": _value(user.last_login),
        }
    return {
        "generated_at": timezone.localtime().isoformat(),
        "person": _row(person),
        "account": account,
        "records": {title: rows for title, rows in sections.items() if rows},
    }


def personal_data_json(person: Person) -> bytes:
    return json.dumps(personal_data(person), ensure_ascii=False, indent=2, default=str).encode()


def personal_data_xlsx(person: Person) -> bytes:
    from openpyxl import Workbook

    data = personal_data(person)
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("本人信息"))
    for key, value in data["person"].items():
        sheet.append([key, _cell(value)])
    for key, value in (data["account"] or {}).items():
        sheet.append([f"account.{key}", _cell(value)])
    used = set()
    for index, (title, rows) in enumerate(data["records"].items(), start=1):
        name = "".join(ch for ch in title if ch not in "[]:*?/\\")[:28] or f"sheet{index}"
        if name in used:
            name = f"{name[:25]}-{index}"
        used.add(name)
        sheet = book.create_sheet(name)
        columns = list(rows[0])
        sheet.append(columns)
        for row in rows:
            sheet.append([_cell(row.get(column)) for column in columns])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cell(value):
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False, default=str)
    if isinstance(value, str) and value[:1] in {"=", "+", "-", "@"}:
        return "'" + value
    return value


def personal_data_download(*, person: Person, acting_user, fmt: str) -> bytes:
    if fmt not in {"json", "xlsx"}:
        raise DomainError(_("不支持的格式"), status=404)
    content = personal_data_json(person) if fmt == "json" else personal_data_xlsx(person)
    audit_record(
        acting_user=acting_user, action="privacy.download", target=f"person:{person.pk}", detail={"format": fmt}
    )
    return content


@transaction.atomic
def account_remove(*, person: Person, acting_user, now: datetime.datetime | None = None) -> Person:
    """Remove a resident's account at their request. Their cases, votes and other records stay,
    pointing at a person who no longer has a name, phone or identity number; the account can no
    longer sign in. Refused while they hold a post: the post must be ended first."""
    now = now or timezone.now()
    person = Person.objects.select_for_update().get(pk=person.pk)
    if person.anonymized_at is not None:
        raise DomainError(_("该账号已注销"), status=409)
    if person.appointments.current(timezone.localdate(now)).exists():
        raise DomainError(_("您目前仍有任职，请先由社区办理卸任后再注销账号"), status=409)
    cleared = 0
    owners: list[models.Model] = [person] + ([person.user] if person.user_id else [])
    for owner in owners:
        for model, _field, rows in _rows_pointing_at(owner):
            personal = {
                field.name: ("" if not field.null else None)
                for field in model._meta.concrete_fields
                if field.name in PERSONAL_COLUMNS and isinstance(field, models.CharField | models.TextField)
            }
            if personal:
                cleared += rows.update(**personal)
    person.name = ANONYMIZED_NAME
    person.phone = ""
    person.id_number = ""
    person.note = ""
    person.anonymized_at = now
    person.save(update_fields=["name", "phone", "id_number", "note", "anonymized_at"])
    if person.user_id:
        user = person.user
        from django_otp.plugins.otp_totp.models import TOTPDevice

        TOTPDevice.objects.filter(user=user).delete()
        user.username = f"removed-{user.pk}"
        user.first_name = user.last_name = user.email = ""
        user.is_active = False
        user.is_staff = user.is_superuser = False
        user.set_unusable_password()
        # A new (unusable) password changes the session hash, which signs the account out of
        # every session it has.
        user.save()
        access.forget_grants(user)
    audit_record(
        acting_user=acting_user,
        action="privacy.account_remove",
        target=f"person:{person.pk}",
        detail={"copies_cleared": cleared},
    )
    return person


# What each retention period applies to: (setting key, model label, date field, extra filter).
RETENTION_RULES = (
    ("login_attempts", "axes.AccessAttempt", "attempt_time", {}),
    ("login_attempts", "axes.AccessLog", "attempt_time", {}),
    ("login_attempts", "axes.AccessFailureLog", "attempt_time", {}),
    # Reveals of personal data: "personal_data.reveal", "case.contact_reveal", ...
    ("reveal_log", "core.AuditEntry", "at", {"action__endswith": "reveal"}),
    ("outbox", "notifications.OutboxMessage", "created_at", {"status__in": ("sent", "failed")}),
    ("audit", "core.AuditEntry", "at", {}),
)


@transaction.atomic
def retention_apply(*, now: datetime.datetime) -> dict[str, int]:
    """Delete records older than their retention period (settings.GONGZHI["RETENTION_DAYS"]; 0
    keeps them for ever) and expired sessions. Running it twice with the same ``now`` deletes
    nothing the second time. One audit row says what was deleted."""
    from django.conf import settings
    from django.contrib.sessions.models import Session

    periods = settings.GONGZHI["RETENTION_DAYS"]
    deleted: dict[str, int] = {}
    for key, label, date_field, extra in RETENTION_RULES:
        days = int(periods.get(key) or 0)
        if days <= 0:
            continue
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        cutoff = now - datetime.timedelta(days=days)
        count, _per_model = model._default_manager.filter(**{f"{date_field}__lt": cutoff}, **extra).delete()
        if count:
            deleted[f"{key}:{label}"] = count
    count, _per_model = Session.objects.filter(expire_date__lt=now).delete()
    if count:
        deleted["sessions"] = count
    if deleted:
        audit_record(acting_user=None, action="privacy.retention", target=_("保存期限"), detail=deleted)
    return deleted
