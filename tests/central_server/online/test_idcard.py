"""A photo of a chip ID card fills the owner's details from its QR, as the counter's scanner does.

The card is the desk's scan corpus card (a QR of the real format, its parts agreeing),
photographed by ``photosim`` as a phone does: perspective, shadow, EXIF orientation and GPS.
"""

from __future__ import annotations

import io

import numpy as np
import pytest
import qrcode
from PIL import Image

from central_server.online.idcard import id_card_from_photo
from desk_app.domain.scan_payloads import parse_id_card_qr
from tests.central_server.online import photosim


@pytest.mark.parametrize("seed, orientation, angle, fill", [
    (1, 6, -10.0, 0.7), (2, 8, 15.0, 0.55), (3, 1, 4.0, 0.8), (4, 3, -25.0, 0.6)])
def test_an_id_card_photo_gives_name_number_and_birth_date(seed: int, orientation: int, angle: float,
                                                            fill: float) -> None:
    card, text = photosim.id_card(seed)
    expected = parse_id_card_qr(text)
    assert expected is not None
    shot = photosim.photograph(card, seed=seed, sensor=(4000, 3000), orientation=orientation, fill=fill,
                               angle=angle, shadow=0.35)
    found = id_card_from_photo(shot.jpeg)
    assert found is not None
    assert (found.name, found.id_number, found.birth_date) == (expected.name, expected.id_number, expected.birth_date)
    assert found == expected


def test_a_page_without_a_card_fills_nothing() -> None:
    shot = photosim.photograph(photosim.paper_page(3), seed=3, sensor=(2000, 1500), orientation=6)
    assert id_card_from_photo(shot.jpeg) is None


def test_a_qr_that_is_not_a_cards_fills_nothing() -> None:
    """A QR of the card's shape whose parts disagree (the year is not the number's) is not a card."""
    card, text = photosim.id_card(5)
    parts = text.split("|")
    parts[3] = parts[3][:4] + str(int(parts[3][4:]) + 1)
    forged = np.asarray(card).copy()
    symbol = qrcode.make("|".join(parts), border=2, box_size=6).get_image().convert("RGB")
    forged[40:40 + symbol.height, -symbol.width - 60:-60] = np.asarray(symbol)
    shot = photosim.photograph(Image.fromarray(forged), seed=5, sensor=(2400, 1800), orientation=1, fill=0.7)
    assert id_card_from_photo(shot.jpeg) is None
    plain = io.BytesIO()
    qrcode.make("https://evil.example/?" + text).get_image().convert("RGB").save(plain, "PNG")
    assert id_card_from_photo(plain.getvalue()) is None
