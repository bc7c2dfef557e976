"""``desk-app server enrolment-code``, ``desk-app enrol`` and ``desk-app sync`` end to end."""

from __future__ import annotations

from central_server.cli import main as server_main
from desk_app.cli import main as desk_main
from tests.central_server import kit
from tests.sync import desks


def test_enrol_and_sync_from_the_command_line(shared_server, tmp_path, capsys):
    agency = kit.new_agency()
    desk_id = "cli-" + agency
    ctx = desks.make_desk(tmp_path, desk_id, agency)
    code = desks.intake(ctx)  # taken before enrolment: sent with the first sync
    ctx.db.dispose()
    assert server_main(["enrolment-code", "--database-url", shared_server.database_url,
                        "--agency", agency, "--unit", "MOTCUA", "--name", "Quầy 7"]) == 0
    enrolment = capsys.readouterr().out.strip()
    data = ["--data-dir", str(tmp_path / desk_id)]
    assert desk_main(data + ["enrol", shared_server.url, enrolment]) == 0
    assert "Đã đăng ký quầy" in capsys.readouterr().out
    assert desk_main(data + ["enrol", shared_server.url, enrolment]) == 2  # used once
    assert "đã được dùng" in capsys.readouterr().err
    assert desk_main(data + ["sync"]) == 0
    assert "Đã gửi 1 sự kiện" in capsys.readouterr().out
    assert server_main(["desks", "--database-url", shared_server.database_url]) == 0
    assert desk_id in capsys.readouterr().out
    assert server_main(["revoke", desk_id, "--database-url", shared_server.database_url]) == 0
    capsys.readouterr()
    assert desk_main(data + ["sync"]) == 2
    assert "thu hồi" in capsys.readouterr().err
    del code
