"""The channels a notice goes through. A channel is one small class: ``name`` and
``async send(notice) -> Outcome``; an SMS gateway is added by writing one more and listing it
in ``notify.configure`` and ``worker.channels_for``."""

from __future__ import annotations

import asyncio
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Protocol

from .message import Notice


@dataclass
class Outcome:
    status: str                      # sent | retry | failed | skipped
    via: str | None = None           # cs | zns | email
    recipient: str | None = None
    provider_id: str | None = None
    error: str | None = None
    retry_after: float | None = None  # seconds, when the provider said how long


class Channel(Protocol):
    name: str

    async def send(self, notice: Notice) -> Outcome: ...

    async def close(self) -> None: ...


class EmailChannel:
    """Plain-text e-mail through the SMTP server of the settings (``smtp_*``)."""

    name = "email"

    def __init__(self, settings):
        self.s = settings

    async def close(self) -> None:
        return None

    async def send(self, notice: Notice) -> Outcome:
        if not notice.email:
            return Outcome("skipped", error="no_email")
        msg = EmailMessage()
        msg["From"] = self.s.smtp_from
        msg["To"] = notice.email
        msg["Subject"] = notice.subject or notice.code
        msg["Date"] = formatdate(localtime=True)
        # one Message-ID per notice: a copy sent again after a crash is recognisable as the same
        domain = self.s.smtp_from.rsplit("@", 1)[-1] or "localhost"
        msg["Message-ID"] = "<notice-%s.%s@%s>" % (notice.event_id.replace(":", "-"), notice.channel, domain)
        msg.set_content(notice.text)
        try:
            await asyncio.to_thread(self._send, msg)
        except smtplib.SMTPRecipientsRefused as e:
            return Outcome("failed", via="email", recipient=notice.email, error="recipient_refused: %s" % (
                list(e.recipients.values())[0][0] if e.recipients else ""))
        except smtplib.SMTPResponseException as e:
            if 500 <= e.smtp_code < 600:
                return Outcome("failed", via="email", recipient=notice.email, error="smtp_%d" % e.smtp_code)
            return Outcome("retry", via="email", recipient=notice.email, error="smtp_%d" % e.smtp_code)
        except (OSError, smtplib.SMTPException) as e:
            return Outcome("retry", via="email", recipient=notice.email, error=type(e).__name__)
        return Outcome("sent", via="email", recipient=notice.email, provider_id=msg["Message-ID"])

    def _send(self, msg: EmailMessage) -> None:
        s = self.s
        if s.smtp_security == "ssl":
            client = smtplib.SMTP_SSL(s.smtp_host, s.smtp_port, timeout=30, context=ssl.create_default_context())
        else:
            client = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=30)
        with client:
            if s.smtp_security == "starttls":
                client.starttls(context=ssl.create_default_context())
            if s.smtp_user:
                client.login(s.smtp_user, s.smtp_password)
            client.send_message(msg)


__all__ = ["Channel", "EmailChannel", "Outcome", "make_msgid"]
