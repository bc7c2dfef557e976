"""The `desk-app` command line."""

import getpass
import subprocess
import sys

import pypdfium2

from desk_app.cli import main
from desk_app.domain.dossier import EventKind
from desk_app.services import counter, intake
from tests.conftest import birth_form


def test_due_date_prints_iso(capsys, tmp_path):
    args = ["--data-dir", str(tmp_path / "none")]
    assert main(args + ["due-date", "--received", "2023-10-27T09:32", "--working-days", "5"]) == 0
    assert capsys.readouterr().out.strip() == "2023-11-03T09:32"
    assert main(args + ["due-date", "--received", "2026-02-13T10:00", "--working-days", "5",
                        "--cutoff", "15:00"]) == 0
    assert capsys.readouterr().out.strip() == "2026-02-27T10:00"
    assert main(args + ["due-date", "--received", "2026-02-09T09:00", "--days", "10", "--calendar-days"]) == 0
    assert capsys.readouterr().out.strip() == "2026-02-23T09:00"
    assert main(args + ["due-date", "--received", "hôm qua", "--working-days", "1"]) == 2
    assert "YYYY-MM-DD" in capsys.readouterr().err


def test_due_date_uses_the_desks_calendar(desk, capsys):
    from datetime import date
    from desk_app.services import setup
    setup.set_holiday(desk, date(2026, 11, 11), "off", "Nghỉ theo quyết định của tỉnh")
    assert main(["--data-dir", str(desk.data_dir), "due-date", "--received", "2026-11-10T09:00",
                 "--working-days", "1"]) == 0
    assert capsys.readouterr().out.strip() == "2026-11-12T09:00"


def test_import_and_receipt(desk, small_catalogue, tmp_path, capsys):
    d = ["--data-dir", str(desk.data_dir)]
    assert main(d + ["import-procedures", str(small_catalogue)]) == 0
    assert "3 không đổi" in capsys.readouterr().out
    bad = tmp_path / "bad.csv"
    bad.write_text("code,name,field,level,result,source\nX,,,,,\n", "utf-8")
    assert main(d + ["import-procedures", str(bad)]) == 2
    assert "Dòng 2" in capsys.readouterr().err
    saved = intake.save(desk, desk.clerk, birth_form(), print_receipt=False)
    out = tmp_path / "bien-nhan.pdf"
    assert main(d + ["receipt", saved.code, "-o", str(out)]) == 0
    assert len(pypdfium2.PdfDocument(str(out))) == 2
    # the history names who printed, readably (issue 13): the machine's user, or --user
    printed = counter.details(desk, saved.code).history[-1]
    assert printed.kind is EventKind.RECEIPT_PRINTED
    assert printed.actor == "%s (dòng lệnh)" % getpass.getuser() and printed.actor != "desk-app"
    assert printed.detail.startswith("In giấy tiếp nhận") and ".pdf" not in printed.detail
    assert main(d + ["receipt", saved.code, "-o", str(out), "--user", desk.clerk.username]) == 0
    assert counter.details(desk, saved.code).history[-1].actor == desk.clerk.full_name
    assert main(d + ["receipt", saved.code, "-o", str(out), "--user", "ai-do\x00"]) == 0
    assert counter.details(desk, saved.code).history[-1].actor == "ai-do (dòng lệnh)"
    assert main(d + ["receipt", "000.00.06.H56-261110-9999", "-o", str(out)]) == 2
    assert "Không tìm thấy" in capsys.readouterr().err


def test_entry_point_runs(tmp_path):
    r = subprocess.run([sys.executable, "-m", "desk_app", "--help"], capture_output=True, text=True)
    assert r.returncode == 0 and "due-date" in r.stdout and "import-procedures" in r.stdout
