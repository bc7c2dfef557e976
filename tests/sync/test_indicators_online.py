"""The 766 indicators and the statistics with an online submission, through the real server and
a real desk: while the submission waits for the counter's check it is not a received dossier
(no legal clock, in no figure); once accepted it counts as received in the period, online (3.3),
digitised (4.2, its papers are files) and synced (1.4, the server wrote its opening event); the
DVCQG export gives the submission's time as NgayNopHoSo, the acceptance as NgayTiepNhan."""

from __future__ import annotations

import json

import pytest

from desk_app.domain.roles import Role
from desk_app.services import auth, dvcqg, indicators, online, statistics, sync
from desk_app.services.statistics import GroupBy
from tests.sync import desks
from tests.sync.test_online import Citizen, counter, owner_fields, photo  # noqa: F401 (fixture)


def _figures(ctx, leader):
    day = ctx.clock().date()
    report = indicators.compute(ctx, leader, day, day)
    stats = statistics.compute(ctx, leader, day, day, GroupBy.UNIT)
    return report.total, stats.total


def test_an_online_submission_counts_once_accepted(shared_server, counter):  # noqa: F811
    if shared_server.backend != "sqlite":
        pytest.skip("the counting is the desk's; one backend is enough")
    leader = auth.login(counter, *_leader(counter))
    citizen = Citizen(shared_server)
    citizen.start(counter.agency)
    citizen.post(owner_fields(action="save"), files=[("c0", ("to-khai.jpg", photo(1), "image/jpeg")),
                                                     ("c1", ("chung-sinh.jpg", photo(2), "image/jpeg"))])
    r = citizen.post({**owner_fields(), "action": "submit"})
    assert r.status_code == 303, r.text
    code = r.headers["location"].split("/h/")[1].split("?")[0]
    sync.sync_once(counter)

    waiting, stats = _figures(counter, leader)
    assert waiting.counts.received == 0 and stats.received == 0      # not a received dossier yet

    online.accept(counter, counter.clerk_user, code)
    sync.sync_once(counter)
    accepted, stats = _figures(counter, leader)
    assert accepted.counts.received == stats.received == 1
    assert accepted.counts.online == accepted.counts.digitised == accepted.counts.synced == 1
    assert accepted.values["3.3"] == accepted.values["4.2"] == accepted.values["1.4"] == 100.0

    # the national export: submitted (by the citizen) before received (by the counter), online, digitised
    out = counter.data_dir / "dvcqg.json"
    dvcqg.export(counter, counter.clock().date(), out)
    [record] = [r for r in json.loads(out.read_text("utf-8"))["HoSo"] if r["MaHoSo"] == code]
    assert record["KenhThucHien"] == 2 and record["HoSoCoThanhPhanSoHoa"] == 1
    assert record["NgayNopHoSo"] and record["NgayNopHoSo"] <= record["NgayTiepNhan"]
    assert {t["DuocSoHoa"] for t in record["TaiLieuNop"]} <= {1}


def _leader(ctx) -> tuple[str, str]:
    boss = auth.login(ctx, "admin", desks.PASSWORD)
    from desk_app.services import admin
    admin.add_person(ctx, boss, "lanhdao-ct", "Trần Văn Lãnh", Role.SUPERVISOR, desks.PASSWORD, "MOTCUA")
    return "lanhdao-ct", desks.PASSWORD
