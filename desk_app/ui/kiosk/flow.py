"""What the kiosk shows and when: a plain state machine, testable without Qt.

    idle --(receipt QR)--> looking up --> progress --(rate)--> rating --(sent)--> idle + thanks
      ^                         \\--> message (not found)          |
      '------ 30 s without a touch, "Xong", or after a rating -----'

The window feeds it what happened (a scan, a lookup's answer, a tap, the inactivity timer)
and carries out the commands it returns (look up, send a rating). Anything scanned that is
not a receipt QR gets a plain message and never reaches the database.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from ...domain.i18n import tr
from ...domain.scan_payloads import PayloadKind, recognise

IDLE_AFTER_S = 30
MESSAGE_FOR_S = 10
THANKS_FOR_S = 6


class Screen(str, enum.Enum):
    IDLE = "idle"
    PROGRESS = "progress"
    RATING = "rating"
    MESSAGE = "message"


@dataclass(frozen=True)
class Lookup:
    code: str
    key: str


@dataclass(frozen=True)
class SendRating:
    code: str
    key: str
    level: str
    comment: str


Command = Lookup | SendRating


class KioskFlow:
    def __init__(self, public_base_url: str | None = None) -> None:
        # receipt links count only on the agency's configured public address; None: none do
        self.public_base_url = public_base_url
        self.screen = Screen.IDLE
        self.view: Any = None               # services.kiosk.KioskView of the dossier on screen
        self.message = ""                    # the text of the message screen
        self.banner = ""                     # a line on the idle screen (thanks after a rating)
        self.busy = False                    # a lookup or a rating is on its way
        self._receipt: Lookup | None = None
        self._pending: Lookup | None = None

    # -- what happened ----------------------------------------------------------------------------
    def scanned(self, text: str) -> Command | None:
        """A code read by the camera or a handheld scanner."""
        if self.busy or self.screen is Screen.RATING:
            return None  # one thing at a time; a rating in progress is not interrupted
        payload = recognise(text, public_base_url=self.public_base_url)
        if payload.kind is PayloadKind.RECEIPT_LINK and payload.link is not None:
            link = Lookup(payload.link.code, payload.link.key)
            if self.screen is Screen.PROGRESS and self._receipt == link:
                return None  # the same receipt again: it is already on screen
            self.busy = True
            self._pending = link
            return link
        if payload.kind is PayloadKind.DOSSIER_CODE:
            self._show_message(tr("Đây là mã vạch của hồ sơ. Xin ông/bà đưa mã QR (ô vuông đen trắng) "
                                  "trên giấy tiếp nhận vào khung xanh."))
        elif payload.kind is PayloadKind.ID_CARD:
            self._show_message(tr("Đây là mã trên căn cước công dân. Để xem hồ sơ, xin ông/bà đưa mã QR "
                                  "trên giấy tiếp nhận hồ sơ vào khung xanh."))
        else:
            self._show_message(tr("Mã này không phải mã QR trên giấy tiếp nhận hồ sơ. Xin ông/bà kiểm tra "
                                  "lại giấy tờ."))
        return None

    def found(self, view: Any) -> None:
        self.busy = False
        self._receipt = self._pending
        self.view = view
        self.banner = ""
        self.screen = Screen.PROGRESS

    def not_found(self, message: str) -> None:
        """The lookup failed: unknown code, forged key, or an error; the message reveals nothing."""
        self.busy = False
        self._show_message(message)

    def want_to_rate(self) -> bool:
        if self.screen is not Screen.PROGRESS or self.view is None:
            return False
        if getattr(self.view, "rated", False):
            self._show_message(tr("Hồ sơ này đã được đánh giá. Cảm ơn ông/bà."))
            return False
        self.screen = Screen.RATING
        return True

    def submit_rating(self, level: str, comment: str = "") -> Command | None:
        if self.screen is not Screen.RATING or self.busy or self._receipt is None:
            return None
        self.busy = True
        return SendRating(self._receipt.code, self._receipt.key, level, comment)

    def rated(self) -> None:
        self.busy = False
        self._to_idle(tr("Cảm ơn ông/bà đã đánh giá!"))

    def rating_refused(self, message: str) -> None:
        self.busy = False
        self._show_message(message)

    def back(self) -> None:
        """From the rating screen to the progress screen."""
        if self.screen is Screen.RATING and not self.busy:
            self.screen = Screen.PROGRESS

    def done(self) -> None:
        """The citizen pressed "Xong"."""
        self._to_idle("")

    def timed_out(self) -> None:
        """No touch for a while: whatever was on screen goes, for the next person's privacy."""
        if self.screen is not Screen.IDLE:
            self._to_idle("")
        else:
            self.banner = ""

    @property
    def timeout_s(self) -> int:
        """How long the current screen waits for a touch before going back to idle."""
        if self.screen is Screen.MESSAGE:
            return MESSAGE_FOR_S
        if self.screen is Screen.IDLE:
            return THANKS_FOR_S if self.banner else 0
        return IDLE_AFTER_S

    # -- helpers ----------------------------------------------------------------------------------
    def _show_message(self, text: str) -> None:
        self.message = text
        self.screen = Screen.MESSAGE
        self.view = None
        self._receipt = None

    def _to_idle(self, banner: str) -> None:
        self.screen = Screen.IDLE
        self.view = None
        self._receipt = None
        self.message = ""
        self.banner = banner
