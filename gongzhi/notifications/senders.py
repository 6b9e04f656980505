"""Senders deliver outbox messages on one channel each. A deployment chooses its channels in
``settings.GONGZHI_NOTIFICATION_SENDERS``::

    GONGZHI_NOTIFICATION_SENDERS = {
        "email": {"BACKEND": "gongzhi.notifications.senders.EmailSender"},
        "webhook": {
            "BACKEND": "gongzhi.notifications.senders.WebhookSender",
            "URL": "https://example.org/hooks/gongzhi",
            "SECRET": "shared secret for the X-Gongzhi-Signature header",
        },
        "sms": {"BACKEND": "mydeployment.sms.AliyunSmsSender", "SIGN_NAME": "..."},
    }

The in-app inbox is not a sender: every notification lands there at once.

To plug in an SMS or WeChat gateway, subclass ``SmsSender`` (implement ``send_text``) or
``WeChatSender`` (implement ``address_for`` and ``send_template``), or subclass ``Sender``
directly. ``deliver`` raises ``DeliveryError`` for a failure worth retrying and
``DeliveryError(permanent=True)`` for one that never will succeed (bad address).
"""

import abc
import hashlib
import hmac
import json
import urllib.error
import urllib.request
from functools import cache

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string


class DeliveryError(Exception):
    def __init__(self, message: str, *, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


class Sender(abc.ABC):
    """One delivery channel. ``options`` are the other keys of the channel's settings entry.
    A channel that leaves a method of its interface unimplemented cannot be instantiated, so a
    misconfigured deployment finds out when the senders are loaded, not at the first delivery."""

    def __init__(self, channel: str, **options):
        self.channel = channel
        self.options = options

    @abc.abstractmethod
    def address_for(self, user) -> str | None:
        """Where this user is reached on this channel, or None if they cannot be (no outbox row
        is written for them then)."""

    @abc.abstractmethod
    def deliver(self, message, notification) -> None:
        """Send one outbox message. Raise ``DeliveryError`` on failure."""


class EmailSender(Sender):
    """E-mail through Django's mail settings (EMAIL_BACKEND, EMAIL_HOST…)."""

    def address_for(self, user) -> str | None:
        return user.email or None

    def deliver(self, message, notification) -> None:
        body = notification.body
        if notification.url:
            base = self.options.get("SITE_URL", getattr(settings, "GONGZHI_SITE_URL", "")).rstrip("/")
            body = f"{body}\n\n{base}{notification.url}".strip()
        try:
            send_mail(
                subject=notification.title,
                message=body,
                from_email=self.options.get("FROM_EMAIL") or settings.DEFAULT_FROM_EMAIL,
                recipient_list=[message.address],
            )
        except (OSError, ValueError) as error:
            raise DeliveryError(f"{error.__class__.__name__}: {error}") from error


class WebhookSender(Sender):
    """POSTs each message as JSON to the configured URL. With a SECRET, the body is signed:
    header ``X-Gongzhi-Signature: sha256=<hex HMAC of the body>``. 2xx is success; 4xx (other
    than 408/429) is permanent; anything else is retried."""

    def address_for(self, user) -> str | None:
        return self.options.get("URL") or None

    def payload(self, message, notification) -> dict:
        return {
            "id": message.pk,
            "kind": notification.kind,
            "title": notification.title,
            "body": notification.body,
            "url": notification.url,
            "user": notification.user.get_username(),
            "created_at": notification.created_at.isoformat(),
        }

    def deliver(self, message, notification) -> None:
        data = json.dumps(self.payload(message, notification), ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": "gongzhi-webhook/1"}
        secret = self.options.get("SECRET")
        if secret:
            digest = hmac.new(secret.encode(), data, hashlib.sha256).hexdigest()
            headers["X-Gongzhi-Signature"] = f"sha256={digest}"
        if not message.address.startswith(("http://", "https://")):
            raise DeliveryError("webhook URL must be http(s)", permanent=True)
        request = urllib.request.Request(message.address, data=data, headers=headers, method="POST")  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=float(self.options.get("TIMEOUT", 10))) as response:  # noqa: S310  # nosec B310
                response.read()
        except urllib.error.HTTPError as error:
            permanent = 400 <= error.code < 500 and error.code not in (408, 429)
            raise DeliveryError(f"HTTP {error.code}", permanent=permanent) from error
        except (urllib.error.URLError, OSError) as error:
            raise DeliveryError(f"{error.__class__.__name__}: {error}") from error


class SmsSender(Sender):
    """Base for SMS gateways: the address is the person's mobile number; a deployment implements
    ``send_text(phone, text)`` with its provider's client and raises ``DeliveryError``."""

    def address_for(self, user) -> str | None:
        person = getattr(user, "person", None)
        return getattr(person, "phone", "") or None

    def deliver(self, message, notification) -> None:
        self.send_text(
            message.address,
            notification.title if not notification.body else f"{notification.title}：{notification.body}",
        )

    @abc.abstractmethod
    def send_text(self, phone: str, text: str) -> None:
        """Send ``text`` to ``phone`` through the deployment's SMS provider."""


class WeChatSender(Sender):
    """Base for WeChat template messages: a deployment maps a user to their openid in
    ``address_for`` and implements ``send_template(openid, notification)``."""

    def deliver(self, message, notification) -> None:
        self.send_template(message.address, notification)

    @abc.abstractmethod
    def send_template(self, openid: str, notification) -> None:
        """Send ``notification`` as a template message to ``openid``."""


def configured() -> dict:
    return getattr(settings, "GONGZHI_NOTIFICATION_SENDERS", {}) or {}


@cache
def _build(channel: str, frozen: tuple) -> Sender:
    options = dict(frozen)
    backend = import_string(options.pop("BACKEND"))
    return backend(channel, **options)


def senders() -> dict[str, Sender]:
    """The configured senders by channel name (rebuilt when the settings change, as in tests)."""
    return {channel: _build(channel, tuple(sorted(entry.items()))) for channel, entry in configured().items()}


def sender_for(channel: str) -> Sender | None:
    return senders().get(channel)
