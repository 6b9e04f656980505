"""Masking of personal data for lists. Full values are shown only to posts with the
``reveal_personal_data`` capability, and each reveal is written to the audit log."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Mainland mobile numbers: 11 digits starting with 1 and a second digit 3-9 (MIIT numbering plan).
MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
# Resident identity card: 17 digits and a check digit (GB 11643-1999).
ID_NUMBER_RE = re.compile(r"^\d{17}[\dXx]$")


def normalize_phone(value: str) -> str:
    value = (value or "").strip().replace(" ", "").replace("-", "")
    if value.startswith("+86"):
        value = value[3:]
    return value


def validate_mobile(value: str) -> None:
    if value and not MOBILE_RE.match(value):
        raise ValidationError(_("手机号格式不正确：应为11位中国大陆手机号"), code="invalid_phone")


def id_number_checksum_ok(value: str) -> bool:
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    codes = "10X98765432"
    total = sum(int(d) * w for d, w in zip(value[:17], weights, strict=True))
    return codes[total % 11] == value[17].upper()


def validate_id_number(value: str) -> None:
    if value and (not ID_NUMBER_RE.match(value) or not id_number_checksum_ok(value)):
        raise ValidationError(_("身份证号码格式不正确"), code="invalid_id_number")


def mask_phone(value: str | None) -> str:
    if not value:
        return ""
    if len(value) < 7:
        return "*" * len(value)
    return f"{value[:3]}****{value[-4:]}"


def mask_id_number(value: str | None) -> str:
    if not value:
        return ""
    return f"{value[:4]}**********{value[-4:]}"


def mask_name(value: str | None) -> str:
    if not value:
        return ""
    return value[0] + "*" * (len(value) - 1) if len(value) > 1 else "*"
