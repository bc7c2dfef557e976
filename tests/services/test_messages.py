"""Messages between citizens and the counter at the desk: the inbox, a dossier's thread, the reply."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from desk_app.domain import lifecycle
from desk_app.domain.dossier import EventKind
from desk_app.services import intake, messages
from desk_app.services.context import PermissionDenied, ServiceError
from desk_app.storage import repositories as repo
from desk_app.storage.models import OutboxRow
from tests.conftest import birth_form

AGENCY = "000.00.06.H56"


def citizen_writes(ctx, code: str, text: str, at: datetime, channel: str = "web") -> str:
    """A citizen's message as the central server writes it (actor "citizen", its own desk),
    stored here as a pulled event would be: never in this desk's outbox."""
    with ctx.db.session() as s:
        d = repo.dossier_by_code(s, code)
        e = repo.append_event(s, d, EventKind.CITIZEN_MESSAGE,
                              lifecycle.payload_dict(lifecycle.CitizenMessage(text=text, channel=channel)),
                              "citizen", "web:" + AGENCY, at)
        repo.withhold_from_outbox(s, e.id)
        return e.id


@pytest.fixture
def dossiers(office, clock):
    clerk = office.clerk_at_counter
    codes = [intake.save(office, clerk, birth_form(name=name), print_receipt=False).code
             for name in ("Nguyễn Văn An", "Trần Thị Bình", "Lê Hoàng Cường")]
    return codes


def test_inbox_lists_waiting_dossiers_longest_waiting_first_with_the_last_message(office, clock, dossiers):
    a, b, c = dossiers
    t = clock.now
    citizen_writes(office, b, "Hồ sơ của tôi đến đâu rồi ạ?", t + timedelta(minutes=5))
    citizen_writes(office, a, "Cho tôi hỏi lệ phí bao nhiêu?", t + timedelta(minutes=10))
    citizen_writes(office, b, "Tôi cần nhận kết quả sớm.", t + timedelta(minutes=20), channel="zalo")
    clerk = office.clerk_at_counter
    items = messages.inbox(office, clerk)
    assert [i.code for i in items] == [b, a]
    first = items[0]
    assert first.unanswered == 2 and first.owner_name == "Trần Thị Bình"
    assert first.waiting_since == t + timedelta(minutes=5)
    assert (first.last_text, first.last_at, first.channel) == ("Tôi cần nhận kết quả sớm.", t + timedelta(minutes=20), "zalo")
    assert first.procedure_name == "Thủ tục đăng ký khai sinh"
    assert messages.count_unanswered(office) == 2
    assert c not in {i.code for i in items}


def test_a_reply_answers_the_thread_and_goes_out_like_any_event(office, clock, dossiers):
    a = dossiers[0]
    asked = citizen_writes(office, a, "Cho tôi hỏi lệ phí bao nhiêu?", clock.now + timedelta(minutes=1))
    clock.now += timedelta(minutes=30)
    clerk = office.clerk_at_counter
    sent = messages.reply(office, clerk, a, "  Thủ tục này  miễn lệ phí.\r\n\r\n\r\nXin cảm ơn ông/bà. ")
    assert sent.text == "Thủ tục này miễn lệ phí.\n\nXin cảm ơn ông/bà."
    assert messages.inbox(office, clerk) == [] and messages.count_unanswered(office) == 0
    thread = messages.thread(office, clerk, a)
    assert [(m.from_citizen, m.author, m.answered, m.synced) for m in thread] == [
        (True, "Công dân", True, False), (False, "Nguyễn Thị Thu Hương", False, False)]
    with office.db.session(write=False) as s:
        d = repo.dossier_by_code(s, a)
        assert d.unanswered_messages == 0
        reply = [e for e in repo.events_of(s, a) if e.kind == EventKind.COUNTER_REPLY.value][0]
        assert reply.payload == {"text": sent.text, "reply_to": asked, "channel": "web"}
        assert reply.actor == "tiepnhan" and reply.desk == office.desk_id
        assert s.get(OutboxRow, reply.id) is not None          # pushed at the next sync
        assert s.get(OutboxRow, asked) is None                 # the server's own, never pushed back
    # the citizen writes again: back in the inbox, the earlier message stays answered
    citizen_writes(office, a, "Xin cảm ơn.", clock.now + timedelta(minutes=5))
    assert [i.unanswered for i in messages.inbox(office, clerk)] == [1]
    assert [m.answered for m in messages.thread(office, clerk, a)] == [True, False, False]


def test_reply_text_is_normalised_and_bounded(office, dossiers):
    a = dossiers[0]
    clerk = office.clerk_at_counter
    decomposed = "Cảm ơn".replace("ả", "a\u0309")                # typed with a combining hook
    assert messages.reply(office, clerk, a, decomposed + "\x00\u200b").text == "Cảm ơn"
    for empty in ("", "   ", "\n\n", "\x00"):
        with pytest.raises(ServiceError, match="Chưa nhập nội dung"):
            messages.reply(office, clerk, a, empty)
    with pytest.raises(ServiceError, match="tối đa 1000 ký tự"):
        messages.reply(office, clerk, a, "x" * (lifecycle.MAX_MESSAGE + 1))
    assert len(messages.reply(office, clerk, a, "đ" * lifecycle.MAX_MESSAGE).text) == lifecycle.MAX_MESSAGE
    with pytest.raises(ServiceError, match="quá nhiều dòng"):
        messages.reply(office, clerk, a, "\n".join("dòng %d" % i for i in range(40)))
    with pytest.raises(ServiceError, match="Không tìm thấy hồ sơ"):
        messages.reply(office, clerk, "000.00.06.H56-261110-9999", "Xin chào")
    markup = "<script>alert(1)</script> & <b>"
    assert messages.thread(office, clerk, a)[-1].text != markup
    assert messages.reply(office, clerk, a, markup).text == markup   # stored as typed; every page escapes it


def test_who_may_read_and_answer(office, dossiers):
    a = dossiers[0]
    citizen_writes(office, a, "Xin hỏi", datetime(2026, 11, 10, 9, 40))
    for user in (office.specialist, office.admin):
        with pytest.raises(PermissionDenied):
            messages.inbox(office, user)
        with pytest.raises(PermissionDenied):
            messages.reply(office, user, a, "Trả lời")
        assert len(messages.thread(office, user, a)) == 1          # whoever sees the dossier reads its thread
    assert [i.code for i in messages.inbox(office, office.leader)] == [a]
    messages.reply(office, office.leader, a, "Lãnh đạo trả lời.")
    with office.db.session(write=False) as s:
        reply = repo.events_of(s, a)[-1]
        assert (reply.actor, reply.unit) == ("lanhdao", "VPDKDD")
    assert messages.thread(office, office.clerk_at_counter, a)[-1].author == "Hoàng Thị Lan Anh"


def test_the_inbox_reads_only_dossiers_a_citizen_wrote_about(office, dossiers):
    """The count the status bar asks every half minute uses the events' kind index, not a scan."""
    with office.db.session(write=False) as s:
        plan = " ".join(str(r) for r in s.execute(
            repo.text("EXPLAIN QUERY PLAN " + str(repo.select(repo.func.count()).where(
                repo.Dossier.code.in_(repo._written_to()), repo.Dossier.unanswered_messages > 0)
                .compile(compile_kwargs={"literal_binds": True})))).all())
    assert "ix_events_kind_time" in plan
