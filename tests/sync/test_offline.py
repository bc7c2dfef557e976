"""The desk works the same with the server down; numbers stay unique; it catches up after."""

from __future__ import annotations

import pytest

from desk_app.services import sync
from desk_app.services.context import ServiceError
from desk_app.storage import repositories as repo
from desk_app.sync.client import Unreachable
from tests.central_server import kit
from tests.sync import desks


def test_the_desk_works_with_the_server_down_and_catches_up(server_factory, backend, tmp_path):
    server = server_factory(backend)
    agency = kit.new_agency()
    a = desks.enrolled_desk(tmp_path, server, "quay-a-" + agency, agency, ["MOTCUA"])
    b = desks.enrolled_desk(tmp_path, server, "quay-b-" + agency, agency, ["MOTCUA"])
    server.kill()
    from desk_app.services import workflow
    codes = [desks.intake(ctx) for ctx in (a, b, a, b, a)]  # numbers from the blocks leased at enrolment
    assert len(set(codes)) == 5
    workflow.transfer(a, a.clerk, codes[0], "STP")
    with pytest.raises(Unreachable) as failed:
        sync.sync_once(a)
    assert "Không kết nối được máy chủ" in failed.value.message
    st = sync.status(a)
    # a's three dossiers, the transfer and the control slip the transfer printed
    assert st.reachable is False and st.waiting_events == 5 and st.last_error == failed.value.message
    server.start()
    for ctx in (a, b, a):
        sync.sync_once(ctx)
    st = sync.status(a)
    assert st.reachable and st.waiting_events == 0 and st.last_error is None and st.last_success
    assert set(sync.unseen(a)) == {codes[1], codes[3]}  # b's dossiers, received from another desk
    sync.mark_seen(a, codes[1])
    assert sync.unseen(a) == [codes[3]]


def test_numbers_running_out_offline_stop_intake_with_a_clear_message(server_factory, backend, tmp_path):
    server = server_factory(backend)
    agency = kit.new_agency()
    ctx = desks.make_desk(tmp_path, "quay-" + agency, agency)
    with ctx.db.session() as s:
        repo.set_setting(s, "code_block_size", 2)
    sync.enrol(ctx, server.url, server.enrolment_code(agency, ["MOTCUA"]))
    server.kill()
    codes = [desks.intake(ctx), desks.intake(ctx)]
    with pytest.raises(ServiceError) as refused:
        desks.intake(ctx)
    assert "hết dãy số hồ sơ" in str(refused.value)
    server.start()
    codes.append(desks.intake(ctx))  # online again: the next block comes straight from the server
    assert len(set(codes)) == 3
