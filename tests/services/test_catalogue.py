"""Importing the procedure catalogue: all rows good or nothing imported; versions kept."""

import csv
import json

import pytest
from openpyxl import Workbook

from desk_app.domain.procedures import procedure_from_dict
from desk_app.services import catalogue, counter, intake
from desk_app.services.catalogue import CSV_COLUMNS, ImportRefused, procedure_to_row
from tests.conftest import SMALL_CATALOGUE, birth_form


def _rows():
    return [procedure_to_row(procedure_from_dict(p)) for p in SMALL_CATALOGUE["procedures"]]


def _write_csv(path, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, CSV_COLUMNS)
        w.writeheader()
        w.writerows(rows)


def test_csv_round_trip(desk, tmp_path):
    rows = _rows()
    rows[0]["code"] = "2.000635"  # a new procedure
    rows[0]["name"] = "Cấp bản sao trích lục hộ tịch"
    path = tmp_path / "danh-muc.csv"
    _write_csv(path, rows[:1])
    report = catalogue.import_file(desk, path)
    assert report.added == 1
    p = catalogue.get(desk, "2.000635")
    assert p.name == "Cấp bản sao trích lục hộ tịch" and len(p.components) == 3
    assert p.components[2].required is False


def test_broken_csv_rows_import_nothing_and_each_is_reported(desk, tmp_path):
    rows = _rows()
    good = dict(rows[0], code="2.000635")
    bad_code = dict(rows[1], code="ABC")
    bad_time = dict(rows[2], code="1.005461", direct_time="năm")
    no_name = dict(rows[2], code="1.004873", name="")
    path = tmp_path / "loi.csv"
    _write_csv(path, [good, bad_code, bad_time, no_name])
    with pytest.raises(ImportRefused) as e:
        catalogue.import_file(desk, path)
    problems = e.value.problems
    assert len(problems) == 3
    assert problems[0].startswith("Dòng 3:") and "ABC" in problems[0]
    assert problems[1].startswith("Dòng 4:")
    assert problems[2].startswith("Dòng 5:") and "name" in problems[2]
    assert catalogue.get(desk, "2.000635") is None  # the good row was not imported either


def test_broken_xlsx_rows(desk, tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(CSV_COLUMNS)
    rows = _rows()
    ws.append([dict(rows[0], code="2.000635").get(c, "") for c in CSV_COLUMNS])
    ws.append([dict(rows[1], code="2.000636", direct_cutoff="25:99").get(c, "") for c in CSV_COLUMNS])
    path = tmp_path / "danh-muc.xlsx"
    wb.save(path)
    with pytest.raises(ImportRefused) as e:
        catalogue.import_file(desk, path)
    assert len(e.value.problems) == 1 and e.value.problems[0].startswith("Dòng 3:")
    assert "giờ cắt" in e.value.problems[0]
    assert catalogue.get(desk, "2.000635") is None


def test_broken_json_and_duplicates(desk, tmp_path):
    data = json.loads(json.dumps(SMALL_CATALOGUE))
    data["procedures"].append(dict(data["procedures"][0]))  # duplicate code
    data["procedures"][1]["components"][0]["form"] = "bản nháp"
    path = tmp_path / "c.json"
    path.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    with pytest.raises(ImportRefused) as e:
        catalogue.import_file(desk, path)
    assert [p.split(":")[0] for p in e.value.problems] == ["Mục 2", "Mục 4"]


def test_unsupported_file(desk, tmp_path):
    path = tmp_path / "c.txt"
    path.write_text("x")
    with pytest.raises(ImportRefused, match="csv"):
        catalogue.import_file(desk, path)


def test_new_version_leaves_received_dossiers_on_theirs(desk, tmp_path, clock):
    saved = intake.save(desk, desk.clerk, birth_form(), print_receipt=False)
    data = json.loads(json.dumps(SMALL_CATALOGUE))
    data["procedures"][0]["name"] = "Đăng ký khai sinh (sửa đổi)"
    data["procedures"][0]["effective_from"] = "2026-11-01"
    path = tmp_path / "v2.json"
    path.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    report = catalogue.import_file(desk, path)
    assert (report.added, report.new_versions, report.unchanged) == (0, 1, 2)
    assert catalogue.get(desk, "1.001193").name == "Đăng ký khai sinh (sửa đổi)"
    d = counter.details(desk, saved.code)
    assert d.procedure_version == 1 and d.summary.procedure_name == "Thủ tục đăng ký khai sinh"
    # exported JSON imports back unchanged
    out = tmp_path / "export.json"
    assert catalogue.export_json(desk, out) == 3
    again = catalogue.import_file(desk, out)
    assert again.unchanged == 3


def test_search_with_and_without_diacritics(desk):
    assert [p.code for p in catalogue.search(desk, "khai sinh")] == ["1.001193"]
    assert [p.code for p in catalogue.search(desk, "Đất đai")] == ["1.012783"]
    assert [p.code for p in catalogue.search(desk, "dat dai")] == ["1.012783"]
    assert [p.code for p in catalogue.search(desk, "1.0041")] == ["1.004194"]
    assert [p.code for p in catalogue.search(desk, "cu tru")] == ["1.004194"]


def test_closest_procedure_comes_first(desk, tmp_path):
    data = json.loads(json.dumps(SMALL_CATALOGUE))
    extra = json.loads(json.dumps(data["procedures"][0]))
    extra.update(code="2.000635", name="Cấp bản sao Trích lục hộ tịch, bản sao Giấy khai sinh")
    longer = json.loads(json.dumps(data["procedures"][0]))
    longer.update(code="1.004772", name="Đăng ký khai sinh cho người đã có hồ sơ")
    path = tmp_path / "more.json"
    birth = json.loads(json.dumps(data["procedures"][0]))
    birth.update(name="Đăng ký khai sinh", effective_from="2026-01-01")
    path.write_text(json.dumps({"procedures": [extra, longer, birth]}, ensure_ascii=False), "utf-8")
    catalogue.import_file(desk, path)
    # the name that starts with the words, then the longer one, then where they come later
    assert [p.code for p in catalogue.search(desk, "khai sinh")] == ["1.001193", "1.004772", "2.000635"]
    assert catalogue.search(desk, "2.000")[0].code == "2.000635"
