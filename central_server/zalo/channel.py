"""Zalo as a notice channel: a customer-service message while the user's window is open,
else the template (ZNS) by the dossier's phone number, with the template id of the notice's
kind (``zalo_templates``). The counter's replies go as customer-service messages only."""

from __future__ import annotations

import time

from ..notify.channels import Outcome
from ..notify.message import Notice
from .api import RATE_ERRORS, WINDOW_ERRORS, Tokens, ZaloApi


def templates_of(spec: str) -> dict[str, str]:
    out = {}
    for part in (spec or "").split(","):
        kind, _, tid = part.partition("=")
        if kind.strip() and tid.strip():
            out[kind.strip()] = tid.strip()
    return out


class ZaloChannel:
    name = "zalo"

    def __init__(self, db, settings):
        self.s = settings
        self.tokens = Tokens(db, settings)
        self.api = ZaloApi(settings, self.tokens)
        self.templates = templates_of(settings.zalo_templates)
        self.paused_until = 0.0     # monotonic: Zalo said "rate limit", every notice waits

    async def close(self) -> None:
        await self.api.close()

    def paused(self) -> bool:
        """Rate limited a moment ago, or waiting for the admin's consent: nothing goes now."""
        return time.monotonic() < self.paused_until or self.tokens.awaiting_consent()

    def _failed(self, answer, via: str, to: str) -> Outcome:
        if answer.error in RATE_ERRORS:
            self.paused_until = time.monotonic() + max(1.0, self.s.notify_backoff_seconds)
        status = "retry" if answer.transient else "failed"
        return Outcome(status, via=via, recipient=to, error="%s %s" % (answer.error, answer.message))

    async def send(self, n: Notice) -> Outcome:
        if n.muted:
            return Outcome("skipped", error="do_not_notify")
        if n.zalo_user and n.window_open:
            a = await self.api.send_cs(n.zalo_user, n.text)
            if a.ok:
                return Outcome("sent", via="cs", recipient=n.zalo_user, provider_id=str(a.data.get("message_id", "")))
            if a.error not in WINDOW_ERRORS:
                return self._failed(a, "cs", n.zalo_user)
            if n.reply:
                return Outcome("failed", via="cs", recipient=n.zalo_user, error="%s outside_window" % a.error)
        elif n.reply:
            return Outcome("failed" if n.zalo_user else "skipped", via="cs", recipient=n.zalo_user,
                           error="outside_window" if n.zalo_user else "no_zalo_user")
        template = self.templates.get(n.kind)
        if not template or not n.phone:
            return Outcome("skipped", error="no_template" if not template else "no_phone")
        a = await self.api.send_zns(n.phone, template, n.template_data, "n%d" % n.id)
        if a.ok:
            return Outcome("sent", via="zns", recipient=n.phone, provider_id=str(a.data.get("msg_id", "")))
        return self._failed(a, "zns", n.phone)
