"""No receipt for an online submission the counter has not accepted: waiting for its check, or
refused or withdrawn before it, it was never received (domain.md status 1, 3, 7), and a receipt
would print its submission time as the time of receipt and an appointment it never had. The
services refuse in Vietnamese, whoever asks (the dossier dialog, the menu's reprint by code, the
command line), and record nothing; once accepted, the receipt is made as for any dossier.

The submissions are made by a citizen on a real server and pulled by the desk's sync."""

from __future__ import annotations

import pytest

from desk_app.domain.dossier import EventKind
from desk_app.domain.lifecycle import Stage
from desk_app.services import counter, forms, online, receipts, workflow
from desk_app.services.context import ServiceError
from tests.central_server.conftest import server_factory  # noqa: F401 (fixture)
from tests.services.test_statistics_rollup import _submit, online_office  # noqa: F401 (fixture)


def _ask(d, code):
    online.ask_for_papers(d, d.clerk_at_counter, code, "Giấy chứng sinh chụp mờ", ["Giấy chứng sinh (chụp rõ)"])


def _refuse(d, code):
    online.refuse(d, d.clerk_at_counter, code, ["Giấy chứng sinh không hợp lệ"])


def _withdraw(d, code):
    workflow.withdraw(d, d.clerk_at_counter, code, "Công dân xin rút trước khi tiếp nhận")


def _kinds(d, code) -> list[EventKind]:
    return [h.kind for h in counter.details(d, code).history]


@pytest.mark.parametrize("step, stage", [(None, Stage.ONLINE), (_ask, Stage.ONLINE_SUPPLEMENT),
                                         (_refuse, Stage.ONLINE_CLOSED), (_withdraw, Stage.ONLINE_CLOSED)],
                         ids=["waiting for the check", "waiting for papers", "refused at the check",
                              "withdrawn before the check"])
def test_no_receipt_for_a_submission_not_accepted(online_office, step, stage):
    d = online_office
    code, _key, _citizen = _submit(d)
    if step is not None:
        step(d, code)
    assert counter.details(d, code).summary.stage == stage.value
    before = _kinds(d, code)
    for replace_key in (False, True):
        with pytest.raises(ServiceError) as refused:
            receipts.produce(d, d.clerk_at_counter, code, replace_key=replace_key)
        assert str(refused.value) == (
            "Hồ sơ %s nộp trực tuyến chưa được tiếp nhận nên không có giấy tiếp nhận: "
            "giấy tiếp nhận chỉ có khi cán bộ tiếp nhận hồ sơ." % code)
    assert _kinds(d, code) == before                    # no print, no new key recorded
    assert counter.details(d, code).receipt_path is None
    assert receipts.refusal(code, stage.value) == str(refused.value)


def test_once_accepted_the_receipt_is_made(online_office):
    d = online_office
    code, _key, _citizen = _submit(d)
    online.accept(d, d.clerk_at_counter, code)
    assert receipts.refusal(code, Stage.RECEIVED.value) is None
    path = receipts.produce(d, d.clerk_at_counter, code)
    assert path.read_bytes().startswith(b"%PDF")
    assert EventKind.RECEIPT_PRINTED in _kinds(d, code)


def test_a_receipt_an_older_desk_printed_before_acceptance_is_not_printed_again(online_office, monkeypatch):
    """An older desk let the clerk print one for a waiting submission: kept in "Giấy tờ đã in",
    its reprint is refused as well (it gives the submission as the receipt and its appointment)."""
    d = online_office
    code, _key, _citizen = _submit(d)
    with monkeypatch.context() as older:
        older.setattr(receipts, "refusal", lambda code, stage: None)
        receipts.produce(d, d.clerk_at_counter, code)
    [paper] = forms.printed_papers(d, d.clerk_at_counter, code)
    with pytest.raises(ServiceError, match="chưa được tiếp nhận nên không có giấy tiếp nhận"):
        forms.reprint(d, d.clerk_at_counter, code, paper.event_id)
