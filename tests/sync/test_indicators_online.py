"""The 766 indicators and the statistics with an online submission, through the real server and
a real desk: while the submission waits for the counter's check it is not a received dossier
(no legal clock, in no figure); once accepted it counts as received in the period, online (3.3),
digitised (4.2, its papers are files) and synced (1.4, the server wrote its opening event); the
DVCQG export gives the submission's time as NgayNopHoSo, the acceptance as NgayTiepNhan."""

from __future__ import annotations

import json

import pytest

from desk_app.domain.procedures import Channel
from desk_app.domain.roles import Role
from desk_app.services import auth, dvcqg, indicators, online, statistics, sync
from desk_app.services.statistics import GroupBy
from desk_app.storage import repositories as repo
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


PERMIT = {
    "code": "1.013225", "name": "Cấp giấy phép xây dựng mới", "field": "Hoạt động xây dựng", "level": "Cấp xã",
    "result": "Giấy phép xây dựng", "effective_from": "2025-07-01", "source": "https://dichvucong.gov.vn/x",
    "cases": [{"key": "nha-o-rieng-le", "name": "Nhà ở riêng lẻ",
               "channels": {"online": {"time": 7, "unit": "working_days"}, "direct": {"time": 7}}},
              {"key": "cong-trinh", "name": "Công trình khác",
               "channels": {"online": {"time": 10, "unit": "working_days"}, "direct": {"time": 10}}}],
    "components": [{"name": "Đơn đề nghị cấp giấy phép xây dựng", "form": "original", "required": True},
                   {"name": "Thẻ căn cước", "form": "original", "required": True, "use": "show"}],
}


def test_an_online_submission_is_accepted_for_a_case(shared_server, counter, tmp_path):  # noqa: F811
    """A procedure whose time depends on the case: the counter chooses it when accepting, and the
    legal appointment is that case's."""
    if shared_server.backend != "sqlite":
        pytest.skip("one backend is enough")
    from desk_app.services import catalogue, fees
    from desk_app.services.context import ServiceError
    path = tmp_path / "permit.json"
    path.write_text(json.dumps({"procedures": [PERMIT]}, ensure_ascii=False), "utf-8")
    catalogue.import_file(counter, path)
    sync.sync_once(counter)   # the catalogue reaches the server's pages
    citizen = Citizen(shared_server)
    text = citizen.start(counter.agency, "1.013225")
    assert "Đơn đề nghị cấp giấy phép xây dựng" in text
    saved = citizen.post(owner_fields(action="save"), files=[("c0", ("don.jpg", photo(3), "image/jpeg"))])
    assert saved.status_code == 303, [l for l in saved.text.splitlines() if "err" in l]
    r = citizen.post({**owner_fields(), "action": "submit"})
    assert r.status_code == 303, r.text
    code = r.headers["location"].split("/h/")[1].split("?")[0]
    sync.sync_once(counter)
    sub = online.details(counter, counter.clerk_user, code)
    assert sub.cases == [("nha-o-rieng-le", "Nhà ở riêng lẻ"), ("cong-trinh", "Công trình khác")]
    with pytest.raises(ServiceError, match="trường hợp"):
        online.accept(counter, counter.clerk_user, code)
    result = online.accept(counter, counter.clerk_user, code, case="nha-o-rieng-le")
    proc = catalogue.get(counter, "1.013225")
    with counter.db.session(write=False) as s:
        assert fees.case_of(s, code) == "nha-o-rieng-le"
    with counter.db.session(write=False) as s:
        accepted_at = repo.dossier_by_code(s, code).received_at
    assert result.due_at == counter.calendar().appointment(
        accepted_at, proc.terms(Channel.ONLINE, "nha-o-rieng-le").deadline)   # 7 working days, not 10
