"""`desk-app scan`: one JSON line per file, corners in the image as displayed (EXIF honoured), videos too."""

from __future__ import annotations

import json

import cv2
import numpy as np
import qrcode
from PIL import Image
from qrcode.constants import ERROR_CORRECT_M

from desk_app.cli import main

from .helpers import LINK, empty_frame, qr_frame

BOX, BORDER, LEFT, TOP = 5, 4, 40, 60


def upright_with_qr() -> tuple[np.ndarray, list[tuple[float, float]]]:
    """A 640x480 grey image with a QR near its top left, and the symbol's corners."""
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=BOX, border=BORDER)
    qr.add_data(LINK)
    qr.make(fit=True)
    symbol = np.asarray(qr.make_image().get_image().convert("L"))
    image = np.full((480, 640), 200, np.uint8)
    image[TOP:TOP + symbol.shape[0], LEFT:LEFT + symbol.shape[1]] = symbol
    lo_x, lo_y = LEFT + BORDER * BOX, TOP + BORDER * BOX
    side = qr.modules_count * BOX
    return image, [(lo_x, lo_y), (lo_x + side, lo_y), (lo_x + side, lo_y + side), (lo_x, lo_y + side)]


def run_json(capsys, *paths) -> list[dict]:
    assert main(["scan", *map(str, paths), "--json"]) == 0
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_json_line_per_file(tmp_path, capsys) -> None:
    cv2.imwrite(str(tmp_path / "qr.png"), qr_frame())
    cv2.imwrite(str(tmp_path / "nothing.jpg"), empty_frame())
    first, second = run_json(capsys, tmp_path / "qr.png", tmp_path / "nothing.jpg")
    assert set(first) == {"file", "codes", "ms"} and first["file"].endswith("qr.png")
    [code] = first["codes"]
    assert code["text"] == LINK and code["format"] == "QRCode"
    assert len(code["corners"]) == 4 and all(len(p) == 2 for p in code["corners"])
    assert second["codes"] == [] and second["ms"] >= 0


def test_exif_orientation_is_honoured(tmp_path, capsys) -> None:
    upright, corners = upright_with_qr()
    # A phone keeps the sensor's pixels (here turned a quarter anticlockwise) and says "turn me" in EXIF.
    stored = Image.fromarray(upright).rotate(90, expand=True)
    exif = Image.Exif()
    exif[0x0112] = 6   # Orientation: rotate 90° clockwise to display
    stored.save(tmp_path / "phone.jpg", quality=95, exif=exif)
    [result] = run_json(capsys, tmp_path / "phone.jpg")
    [code] = result["codes"]
    assert code["text"] == LINK
    for (x, y), (ex, ey) in zip(code["corners"], corners):
        assert abs(x - ex) <= 4 and abs(y - ey) <= 4, (code["corners"], corners)


def test_video_file(tmp_path, capsys) -> None:
    path = tmp_path / "clip.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 10, (640, 480))
    for frame in [empty_frame()] * 3 + [qr_frame()] * 4:
        writer.write(frame)
    writer.release()
    [result] = run_json(capsys, path)
    assert [c["text"] for c in result["codes"]] == [LINK]
    assert result["codes"][0]["frame"] >= 3


def test_plain_output_and_a_missing_file(tmp_path, capsys) -> None:
    cv2.imwrite(str(tmp_path / "qr.png"), qr_frame())
    assert main(["scan", str(tmp_path / "qr.png"), str(tmp_path / "missing.png")]) == 1
    captured = capsys.readouterr()
    assert "QRCode\t" + LINK in captured.out
    assert "missing.png" in captured.err
