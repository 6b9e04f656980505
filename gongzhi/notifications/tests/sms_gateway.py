"""A stand-in SMS gateway for the tests, written the way a deployment writes its own."""

from gongzhi.notifications.senders import SmsSender

SENT: list[tuple[str, str]] = []


class FileSmsSender(SmsSender):
    def send_text(self, phone: str, text: str) -> None:
        SENT.append((phone, f"{self.options.get('SIGN', '')}{text}"))
