"""The receipt PDF (Mẫu 01): two copies, the Vietnamese text as printed, and codes that read back."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from desk_app.documents.receipt import receipt_pdf_bytes, render_receipt
from desk_app.documents.render import pdf_to_images
from desk_app.domain.receipt import ReceiptData, ReceiptLine
from desk_app.scanner.decode import DecodedCode, decode_image

DOSSIER = "000.00.06.H56-261127-0001"
KEY = "AbCdEfGhIjKlMnOpQrSt_-"
URL = "https://dvc.thanhhoa.gov.vn/h/%s?k=%s" % (DOSSIER, KEY)
TITLE = "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ"
LONG_NAME = ("Giấy chứng sinh do cơ sở y tế nơi trẻ sinh ra cấp; trường hợp trẻ sinh ra ngoài cơ sở y tế "
             "thì văn bản xác nhận của người làm chứng thay giấy chứng sinh")
MM = 72 / 25.4


def make_data(components: int = 3, **changes: object) -> ReceiptData:
    kinds = [
        ReceiptLine("Tờ khai đăng ký khai sinh", "Bản chính", 1),
        ReceiptLine(LONG_NAME, "Bản chính", 1),
        ReceiptLine("Giấy chứng nhận kết hôn của cha, mẹ trẻ", "Bản chứng thực", 1),
        ReceiptLine("Căn cước của người đi đăng ký", "Bản photo", 2),
    ]
    lines = tuple(replace(kinds[i % 4], name="%s (%d)" % (kinds[i % 4].name, i + 1)) if components > 4
                  else kinds[i] for i in range(components))
    data = ReceiptData(
        parent_agency="UBND tỉnh Thanh Hóa",
        agency_name="Trung tâm Phục vụ hành chính công tỉnh Thanh Hóa",
        place="Thanh Hóa",
        dossier_code=DOSSIER,
        owner_name="Nguyễn Thị Hồng Nhung",
        id_number="038190012345",
        address="Số 12 ngõ 34, phường Điện Biên, tỉnh Thanh Hóa",
        phone="0912345678",
        email="nhung.nguyen@example.vn",
        procedure_name="Đăng ký khai sinh",
        components=lines,
        sets=1,
        legal_time="05 ngày làm việc",
        received_at=datetime(2026, 11, 27, 9, 32),
        due_at=datetime(2026, 12, 4, 9, 32),
        collect_at="Bộ phận Một cửa, Trung tâm Phục vụ hành chính công tỉnh Thanh Hóa",
        fee="Miễn phí",
        register_book="Quyển số 01/2026",
        register_number=361,
        submitter_name="Nguyễn Thị Hồng Nhung",
        clerk_name="Lê Văn Thành",
        capability_url=URL,
        check_progress_hint="Quét mã QR bằng Zalo hoặc camera điện thoại để tra cứu tiến độ giải quyết hồ sơ",
    )
    return replace(data, **changes)  # type: ignore[arg-type]


def page_texts(pdf: bytes) -> list[str]:
    """Each page's text, NFC, with every run of whitespace (line breaks too) made one space."""
    doc = pdfium.PdfDocument(pdf)
    try:
        texts = []
        for index in range(len(doc)):
            page = doc[index]
            textpage = page.get_textpage()
            raw = textpage.get_text_range()
            texts.append(" ".join(unicodedata.normalize("NFC", raw).split()))
            textpage.close()
            page.close()
        return texts
    finally:
        doc.close()


def codes(image: object) -> dict[str, list[DecodedCode]]:
    found: dict[str, list[DecodedCode]] = {}
    for code in decode_image(image):  # type: ignore[arg-type]
        found.setdefault(code.format, []).append(code)
    return found


def side_mm(code: DecodedCode, dpi: float) -> float:
    (x0, y0), (x1, y1) = code.corners[0], code.corners[1]
    return ((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5 / dpi * 25.4


@pytest.fixture(scope="module")
def a4_pdf(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    path = tmp_path_factory.mktemp("receipt") / "receipt.pdf"
    returned = render_receipt(make_data(), path)
    assert returned == path
    return path.read_bytes()


def test_capability_key_is_a_22_character_url_safe_key() -> None:
    assert re.fullmatch(r"[A-Za-z0-9_-]{22}", KEY)


def test_two_pages_one_per_copy_each_marked(a4_pdf: bytes) -> None:
    first, second = page_texts(a4_pdf)
    assert "Liên 1: Lưu" in first and "Liên 2" not in first
    assert "Liên 2: Giao người nộp" in second and "Liên 1" not in second


@pytest.mark.parametrize("page", [0, 1])
def test_each_copy_prints_the_form_in_vietnamese(a4_pdf: bytes, page: int) -> None:
    text = page_texts(a4_pdf)[page]
    for expected in [
        TITLE,
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "UBND TỈNH THANH HÓA",
        "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG TỈNH THANH HÓA",
        "BỘ PHẬN TIẾP NHẬN VÀ TRẢ KẾT QUẢ",
        "Thanh Hóa, ngày 27 tháng 11 năm 2026",
        "Mã hồ sơ: " + DOSSIER,
        "Bộ phận tiếp nhận và trả kết quả: Trung tâm Phục vụ hành chính công tỉnh Thanh Hóa",
        "Tiếp nhận hồ sơ của: Nguyễn Thị Hồng Nhung",
        "Số CCCD/CMND/Hộ chiếu: 038190012345",
        "Địa chỉ: Số 12 ngõ 34, phường Điện Biên, tỉnh Thanh Hóa",
        "Số điện thoại: 0912345678",
        "Email: nhung.nguyen@example.vn",
        "Nội dung yêu cầu giải quyết: Đăng ký khai sinh",
        "1. Thành phần hồ sơ nộp gồm:",
        "TT Tên giấy tờ Hình thức Số lượng",
        "1 Tờ khai đăng ký khai sinh Bản chính 1",
        LONG_NAME,
        "Giấy chứng nhận kết hôn của cha, mẹ trẻ Bản chứng thực 1",
        "2. Số lượng hồ sơ: 1 (bộ)",
        "3. Thời gian giải quyết hồ sơ theo quy định: 05 ngày làm việc",
        "4. Thời gian nhận hồ sơ: 09 giờ 32 phút, ngày 27/11/2026",
        "5. Thời gian trả kết quả giải quyết hồ sơ: 09 giờ 32 phút, ngày 04/12/2026",
        "6. Đăng ký nhận kết quả tại: Bộ phận Một cửa, Trung tâm Phục vụ hành chính công tỉnh Thanh Hóa",
        "Phí, lệ phí (nếu có): Miễn phí",
        "Vào Sổ theo dõi hồ sơ, Quyển số: 01/2026, Số thứ tự: 361",
        "Ghi chú:", "được lập thành 02 liên",
        "NGƯỜI NỘP HỒ SƠ",
        "NGƯỜI TIẾP NHẬN HỒ SƠ",
        "(Ký và ghi rõ họ tên)",
        "Lê Văn Thành",
        "Quét mã QR bằng Zalo hoặc camera điện thoại để tra cứu tiến độ giải quyết hồ sơ",
    ]:
        assert expected in text, expected
    assert "Quyển số: Quyển số" not in text
    assert text.count("Nguyễn Thị Hồng Nhung") == 2  # the owner, and the submitter's signature


@pytest.mark.parametrize("components", [3, 12])
def test_table_headings_and_form_labels_stay_on_one_line(components: int) -> None:
    doc = pdfium.PdfDocument(receipt_pdf_bytes(make_data(components=components)))
    try:
        for index in range(len(doc)):
            raw = unicodedata.normalize("NFC", doc[index].get_textpage().get_text_range())
            for words in ("TT Tên giấy tờ Hình thức Số lượng", "Bản chứng thực",
                          "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                          "BỘ PHẬN TIẾP NHẬN VÀ TRẢ KẾT QUẢ", TITLE, "Mã hồ sơ: " + DOSSIER):
                assert words in raw, words  # a wrapped line would put a line break inside
    finally:
        doc.close()


def test_fields_come_in_the_order_of_the_form(a4_pdf: bytes) -> None:
    text = page_texts(a4_pdf)[0]
    order = [TITLE, "Mã hồ sơ:", "Bộ phận tiếp nhận và trả kết quả:", "Tiếp nhận hồ sơ của:",
             "Số CCCD/CMND/Hộ chiếu:", "Địa chỉ:", "Số điện thoại:", "Email:",
             "Nội dung yêu cầu giải quyết:", "1. Thành phần hồ sơ nộp gồm:", "2. Số lượng hồ sơ:",
             "3. Thời gian giải quyết", "4. Thời gian nhận hồ sơ:", "5. Thời gian trả kết quả",
             "6. Đăng ký nhận kết quả tại:", "Phí, lệ phí (nếu có):", "Vào Sổ theo dõi hồ sơ", "NGƯỜI NỘP HỒ SƠ",
             "NGƯỜI TIẾP NHẬN HỒ SƠ", "Lê Văn Thành", "Ghi chú:"]
    positions = [text.index(label) for label in order]
    assert positions == sorted(positions)


@pytest.mark.parametrize("dpi", [150, 200])
def test_qr_and_barcode_read_back_from_both_pages(a4_pdf: bytes, dpi: int) -> None:
    pages = pdf_to_images(a4_pdf, dpi=dpi)
    assert len(pages) == 2
    for image in pages:
        found = codes(image)
        qr = [c for c in found.get("QRCode", []) if c.text == URL]
        bars = [c for c in found.get("Code128", []) if c.text == DOSSIER]
        assert len(qr) == 1 and len(bars) == 1, found
        assert 24 <= side_mm(qr[0], dpi) <= 34  # "about 30 mm"
        width, height = image.size
        assert qr[0].corners[0][0] > width / 2  # the QR box sits on the right


def test_fonts_are_embedded_and_nothing_uses_a_standard_font(a4_pdf: bytes) -> None:
    assert b"/FontFile2" in a4_pdf
    assert b"/Helvetica" not in a4_pdf and b"/Times-Roman" not in a4_pdf


def test_metadata_title(a4_pdf: bytes) -> None:
    doc = pdfium.PdfDocument(a4_pdf)
    try:
        meta = doc.get_metadata_dict()
        width, height = doc[0].get_size()
    finally:
        doc.close()
    assert meta["Title"] == "Giấy tiếp nhận hồ sơ và hẹn trả kết quả - " + DOSSIER
    assert (round(width / MM), round(height / MM)) == (210, 297)


def test_twelve_components_still_fit_one_page_per_copy() -> None:
    pdf = receipt_pdf_bytes(make_data(components=12))
    texts = page_texts(pdf)
    assert len(texts) == 2
    for text in texts:
        for number in range(1, 13):
            assert "(%d)" % number in text
        assert "Vào Sổ theo dõi hồ sơ, Quyển số: 01/2026, Số thứ tự: 361" in text
        assert "Lê Văn Thành" in text
    for image in pdf_to_images(pdf, dpi=200):
        found = codes(image)
        assert [c.text for c in found.get("QRCode", [])] == [URL]
        assert [c.text for c in found.get("Code128", [])] == [DOSSIER]


def test_text_stays_inside_the_page_margins() -> None:
    pdf = receipt_pdf_bytes(make_data(components=12))
    doc = pdfium.PdfDocument(pdf)
    try:
        for index in range(len(doc)):
            page = doc[index]
            width, height = page.get_size()
            textpage = page.get_textpage()
            for i in range(textpage.count_chars()):
                left, bottom, right, top = textpage.get_charbox(i)
                assert 5 * MM <= left and right <= width - 5 * MM, (index, i)
                assert 5 * MM <= bottom and top <= height - 5 * MM, (index, i)
    finally:
        doc.close()


def test_a5_scales_down_and_its_qr_still_reads() -> None:
    pdf = receipt_pdf_bytes(make_data(), paper="A5")
    doc = pdfium.PdfDocument(pdf)
    try:
        width, height = doc[0].get_size()
    finally:
        doc.close()
    assert (round(width / MM), round(height / MM)) == (148, 210)
    texts = page_texts(pdf)
    assert len(texts) == 2
    assert "Liên 1: Lưu" in texts[0] and "Liên 2: Giao người nộp" in texts[1]
    assert all(TITLE in t and "Nguyễn Thị Hồng Nhung" in t for t in texts)
    for dpi in (150, 200):
        for image in pdf_to_images(pdf, dpi=dpi):
            assert URL in [c.text for c in codes(image).get("QRCode", [])]


def test_a5_with_twelve_components_keeps_two_pages() -> None:
    pdf = receipt_pdf_bytes(make_data(components=12), paper="a5")
    assert len(page_texts(pdf)) == 2
    for image in pdf_to_images(pdf, dpi=200):
        assert URL in [c.text for c in codes(image).get("QRCode", [])]


def test_markup_characters_and_decomposed_accents_print_as_typed() -> None:
    decomposed = unicodedata.normalize("NFD", "Trần Văn Đức & Công ty <TNHH>")
    pdf = receipt_pdf_bytes(make_data(owner_name=decomposed))
    doc = pdfium.PdfDocument(pdf)
    try:
        page = doc[0]
        raw = page.get_textpage().get_text_range()
    finally:
        doc.close()
    # Printed precomposed (a combining mark drawn on its own would sit beside its letter).
    assert "Tiếp nhận hồ sơ của: Trần Văn Đức & Công ty <TNHH>" in " ".join(raw.split())


def test_unknown_paper_is_refused() -> None:
    with pytest.raises(ValueError):
        receipt_pdf_bytes(make_data(), paper="Letter")


def test_render_receipt_accepts_a_string_path(tmp_path: Path) -> None:
    target = render_receipt(make_data(), str(tmp_path / "r.pdf"), paper="A5")
    assert target == tmp_path / "r.pdf" and target.read_bytes().startswith(b"%PDF")
