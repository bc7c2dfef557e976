"""Link codes are guessed at a bounded pace: a Zalo user who sends wrong codes is told how many
tries are left, slowed, then blocked a while; a blocked user's right code is not even checked.
A brute force across many users and codes links nothing."""

from __future__ import annotations

import time

from sqlalchemy import func, select

from central_server.models import NotifyOutbox, ZaloLink
from tests.central_server import kit
from tests.central_server.test_zalo import OA_ID, World, fake, make_world  # noqa: F401 (fixture)
from tests.central_server.zalo_fake import text_event


def _answers(w: World, user: str) -> list[tuple[str, str]]:
    db = w.server.database()
    try:
        with db.session(write=False) as s:
            return [(r.kind, r.status) for r in s.scalars(select(NotifyOutbox).where(
                NotifyOutbox.dossier_code.in_(["", None])).order_by(NotifyOutbox.id))
                    if (r.data or {}).get("user_id") == user]
    finally:
        db.dispose()


def _links(w: World) -> int:
    db = w.server.database()
    try:
        with db.session(write=False) as s:
            return s.scalar(select(func.count()).select_from(ZaloLink))
    finally:
        db.dispose()


def _texts_to(w: World, user: str) -> list[str]:
    return [m["text"] for m in w.fake.received if m["to"] == user]


def test_five_wrong_codes_block_the_user_and_the_right_code_is_then_refused(server_factory, tmp_path, fake):
    w = make_world(server_factory, tmp_path, "sqlite", fake, zalo_link_guess_pause_seconds=0)
    code, key = w.intake()
    right = w.link_code(code, key)
    user = "u-guess"
    for i, wrong in enumerate(["AAAA-AAAA", "BBBB-BBBB", "CCCC-CCCC", "DDDD-DDDD", "EEEE-EEEE"]):
        assert w.webhook(text_event(user, wrong, OA_ID)).status_code == 200
        kit.wait_until(lambda: len(_answers(w, user)) == i + 1, 20, "answer %d" % (i + 1))
    assert w.webhook(text_event(user, right, OA_ID)).status_code == 200   # right, but blocked: not checked
    kit.wait_until(lambda: len(_answers(w, user)) == 6, 20, "the sixth answer")
    assert [k for k, _ in _answers(w, user)] == ["wrong_code"] * 4 + ["code_blocked"] * 2
    assert _links(w) == 0
    kit.wait_until(lambda: len(_texts_to(w, user)) == 6, 20, "six answers at the fake")
    texts = _texts_to(w, user)
    assert "còn 4 lần thử" in texts[0] and "còn 1 lần thử" in texts[3]
    assert "gửi sai mã liên kết nhiều lần" in texts[4] and "xin thử lại sau" in texts[5]
    # the code is not used up: another user (the citizen, on their own phone) links with it
    assert w.webhook(text_event("u-citizen", right, OA_ID)).status_code == 200
    kit.wait_until(lambda: _links(w) == 1, 20, "linked by the citizen")
    assert fake.problems == []


def test_after_two_wrong_codes_a_try_must_wait(server_factory, tmp_path, fake):
    w = make_world(server_factory, tmp_path, "sqlite", fake, zalo_link_guess_pause_seconds=3600)
    code, key = w.intake()
    right = w.link_code(code, key)
    user = "u-slow"
    for n, text in enumerate(["AAAA-AAAA", "BBBB-BBBB", right], 1):
        assert w.webhook(text_event(user, text, OA_ID)).status_code == 200
        kit.wait_until(lambda: len(_answers(w, user)) == n, 20, "answer %d" % n)
    assert [k for k, _ in _answers(w, user)] == ["wrong_code", "wrong_code", "code_blocked"]
    assert _links(w) == 0


def test_a_brute_force_across_users_and_codes_links_nothing(server_factory, tmp_path, fake):
    """Forty users, ten codes each (in the codes' alphabet, shaped right): each user is blocked
    after five; none of the 400 tries links, and the real code still works for its citizen."""
    w = make_world(server_factory, tmp_path, "sqlite", fake, zalo_link_guess_pause_seconds=0)
    code, key = w.intake()
    right = w.link_code(code, key)
    import random
    rng = random.Random(7)
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    users = ["atk-%d" % i for i in range(40)]
    for round_ in range(10):
        for u in users:
            guess = "".join(rng.choice(alphabet) for _ in range(8))
            assert guess != right.replace("-", "")
            assert w.webhook(text_event(u, guess, OA_ID)).status_code == 200
    db = w.server.database()
    try:
        with db.session(write=False) as s:
            from central_server.models import ZaloGuesses, ZaloInbox
            kit.wait_until(lambda: s.scalar(select(func.count()).select_from(ZaloInbox).where(
                ZaloInbox.processed_at.is_(None))) == 0 and s.scalar(select(func.count()).select_from(ZaloInbox)) == 400,
                60, "all tries worked on")
            rows = s.scalars(select(ZaloGuesses)).all()
        assert len(rows) == 40 and all(r.wrong == 5 and r.blocked_until is not None for r in rows)
    finally:
        db.dispose()
    assert _links(w) == 0
    assert w.webhook(text_event("u-real", right, OA_ID)).status_code == 200
    kit.wait_until(lambda: _links(w) == 1, 20, "the citizen linked")
    time.sleep(0.2)
