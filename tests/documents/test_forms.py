"""The slips that follow the receipt: control slip, supplement request, refusal and apology letter.

Each renders to PDF with its exact Vietnamese title and its data as text, embeds its fonts, and the
control slip's Code 128 reads back as the dossier code.
"""

from __future__ import annotations

import unicodedata
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from desk_app.documents.apology import apology_pdf_bytes, render_apology
from desk_app.documents.control_slip import control_slip_pdf_bytes, render_control_slip
from desk_app.documents.refusal import refusal_pdf_bytes, render_refusal
from desk_app.documents.render import pdf_to_images
from desk_app.documents.supplement import render_supplement_request, supplement_request_pdf_bytes
from desk_app.domain.forms import (ApologyData, ControlSlipData, FormHeader, Hop, MissingPaper, Party,
                                   RefusalData, SupplementRequestData)
from desk_app.scanner.decode import decode_image

DOSSIER = "000.00.06.H56-261127-0001"
MM = 72 / 25.4
LAND = "Cấp đổi Giấy chứng nhận quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất"
COUNTER = "Bộ phận Một cửa - Trung tâm Phục vụ hành chính công tỉnh"
LAND_OFFICE = "Văn phòng Đăng ký đất đai tỉnh Thanh Hóa"
ENV_OFFICE = "Phòng Tài nguyên và Môi trường - Sở Nông nghiệp và Môi trường"


def header(issued_at: datetime = datetime(2026, 11, 27, 10, 5)) -> FormHeader:
    return FormHeader(parent_agency="UBND tỉnh Thanh Hóa",
                      agency_name="Trung tâm Phục vụ hành chính công tỉnh Thanh Hóa",
                      place="Thanh Hóa", issued_at=issued_at)


def control_slip(**changes: object) -> ControlSlipData:
    data = ControlSlipData(
        header=header(),
        dossier_code=DOSSIER,
        owner_name="Nguyễn Thị Hồng Nhung",
        procedure_name=LAND,
        received_at=datetime(2026, 11, 27, 9, 32),
        due_at=datetime(2026, 12, 4, 9, 32),
        hops=(
            Hop(COUNTER, LAND_OFFICE, datetime(2026, 11, 27, 10, 15), "Lê Văn Thành", "Phạm Thị Mai",
                "Đúng hạn"),
            Hop(LAND_OFFICE, ENV_OFFICE, datetime(2026, 12, 1, 14, 30), "Phạm Thị Mai", "Trịnh Quốc Huy",
                "Trước hạn", "Đã trình ký"),
            Hop(ENV_OFFICE, LAND_OFFICE, datetime(2026, 12, 3, 8, 5), "Trịnh Quốc Huy", "Phạm Thị Mai", ""),
        ),
    )
    return replace(data, **changes)  # type: ignore[arg-type]


def supplement(**changes: object) -> SupplementRequestData:
    data = SupplementRequestData(
        header=header(datetime(2026, 11, 30, 14, 20)),
        number="12/2026/TB-BS",
        dossier_code="000.00.06.H56-261130-0012",
        party=Party("Trần Văn Đức", False, "038090012345", "Số 5 phố Lê Lai, phường Hạc Thành, tỉnh Thanh Hóa",
                    "0912345678", ""),
        procedure_name="Đăng ký thành lập hộ kinh doanh",
        received_at=datetime(2026, 11, 30, 14, 5),
        reason="Giấy đề nghị chưa ghi ngành, nghề kinh doanh theo mã ngành kinh tế cấp 4 và còn thiếu "
               "biên bản họp thành viên hộ gia đình.",
        missing=(
            MissingPaper("Giấy đề nghị đăng ký hộ kinh doanh ghi đầy đủ ngành, nghề kinh doanh", "Bản chính", 1),
            MissingPaper("Biên bản họp thành viên hộ gia đình về việc thành lập hộ kinh doanh", "Bản chính", 1),
            MissingPaper("Căn cước của các thành viên hộ gia đình đăng ký hộ kinh doanh", "Bản photo", 2),
        ),
        signer_title="NGƯỜI HƯỚNG DẪN",
        signer_name="Lê Văn Thành",
        contact_name="Lê Văn Thành",
        contact_phone="0237 3900 900",
    )
    return replace(data, **changes)  # type: ignore[arg-type]


def refusal(**changes: object) -> RefusalData:
    data = RefusalData(
        header=header(datetime(2026, 11, 30, 15, 40)),
        number="7/2026/TB-TC",
        dossier_code="000.00.06.H56-261130-0015",
        party=Party("Hoàng Minh Tuấn", False, "038088001234", "Thôn 2, xã Hoằng Hóa, tỉnh Thanh Hóa",
                    "0987654321", "tuan.hm@example.vn"),
        procedure_name="Cấp giấy phép xây dựng nhà ở riêng lẻ",
        reasons=(
            "Thủ tục không thuộc thẩm quyền giải quyết của Trung tâm; Ông/Bà nộp hồ sơ tại UBND xã "
            "nơi có công trình xây dựng.",
            "Thửa đất đề nghị xây dựng nằm trong khu vực đã có quyết định thu hồi đất.",
        ),
        submitter_name="Hoàng Minh Tuấn",
        clerk_name="Lê Văn Thành",
    )
    return replace(data, **changes)  # type: ignore[arg-type]


def apology(**changes: object) -> ApologyData:
    data = ApologyData(
        header=FormHeader("UBND tỉnh Thanh Hóa", LAND_OFFICE, "Thanh Hóa", datetime(2026, 12, 3, 9, 0)),
        number="3/2026/XL-HL",
        dossier_code=DOSSIER,
        party=Party("Nguyễn Thị Hồng Nhung", False, "038190012345", "Số 12 ngõ 34, phường Điện Biên",
                    "0912345678", "nhung@example.vn"),
        procedure_name=LAND,
        received_at=datetime(2026, 11, 27, 9, 32),
        original_due=datetime(2026, 12, 4, 9, 32),
        reason="cần xác minh nguồn gốc đất",
        new_due=datetime(2026, 12, 11, 14, 0),
        place="Bộ phận Một cửa, Trung tâm Phục vụ hành chính công tỉnh Thanh Hóa",
        centre_name="Trung tâm Phục vụ hành chính công tỉnh Thanh Hóa",
        signer_title="Thủ trưởng cơ quan",
        signer_name="Nguyễn Văn Hùng",
    )
    return replace(data, **changes)  # type: ignore[arg-type]


def render_all(folder: Path) -> list[Path]:
    """Every slip with its example data, as PDF files in folder (for the screenshots too)."""
    folder.mkdir(parents=True, exist_ok=True)
    return [
        render_control_slip(control_slip(), folder / "control_slip.pdf"),
        render_supplement_request(supplement(), folder / "supplement_request.pdf"),
        render_refusal(refusal(), folder / "refusal.pdf"),
        render_apology(apology(), folder / "apology.pdf"),
    ]


def page_texts(pdf: bytes) -> list[str]:
    """Each page's text, NFC, with every run of whitespace (line breaks too) made one space."""
    doc = pdfium.PdfDocument(pdf)
    try:
        texts = []
        for index in range(len(doc)):
            page = doc[index]
            textpage = page.get_textpage()
            texts.append(" ".join(unicodedata.normalize("NFC", textpage.get_text_range()).split()))
            textpage.close()
            page.close()
        return texts
    finally:
        doc.close()


def text_of(pdf: bytes) -> str:
    return " ".join(page_texts(pdf))


def assert_fonts_embedded(pdf: bytes) -> None:
    assert b"/FontFile2" in pdf
    assert b"/Helvetica" not in pdf and b"/Times-Roman" not in pdf and b"/Courier" not in pdf


def assert_inside_margins(pdf: bytes, margin_mm: float = 5) -> None:
    doc = pdfium.PdfDocument(pdf)
    try:
        for index in range(len(doc)):
            page = doc[index]
            width, height = page.get_size()
            textpage = page.get_textpage()
            for i in range(textpage.count_chars()):
                left, bottom, right, top = textpage.get_charbox(i)
                if right - left <= 0:
                    continue  # generated spaces and line breaks have no box
                assert margin_mm * MM <= left and right <= width - margin_mm * MM, (index, i)
                assert margin_mm * MM <= bottom and top <= height - margin_mm * MM, (index, i)
    finally:
        doc.close()


def metadata(pdf: bytes) -> tuple[dict[str, str], tuple[int, int], int]:
    doc = pdfium.PdfDocument(pdf)
    try:
        width, height = doc[0].get_size()
        return doc.get_metadata_dict(), (round(width / MM), round(height / MM)), len(doc)
    finally:
        doc.close()


COMMON = ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "UBND TỈNH THANH HÓA",
          "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG TỈNH THANH HÓA"]


# --- control slip -----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def slip_pdf(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    path = tmp_path_factory.mktemp("forms") / "slip.pdf"
    assert render_control_slip(control_slip(), path) == path
    return path.read_bytes()


def test_control_slip_prints_title_dossier_and_every_hop(slip_pdf: bytes) -> None:
    texts = page_texts(slip_pdf)
    assert len(texts) == 1
    text = texts[0].replace("/ ", "/")  # the verdict heading breaks after each slash
    for expected in COMMON + [
        "BỘ PHẬN TIẾP NHẬN VÀ TRẢ KẾT QUẢ",
        "Thanh Hóa, ngày 27 tháng 11 năm 2026",
        "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ",
        "Mã hồ sơ: " + DOSSIER,
        "Kèm theo hồ sơ của: Nguyễn Thị Hồng Nhung",
        "Nội dung yêu cầu giải quyết: " + LAND,
        "Thời gian nhận hồ sơ: 09 giờ 32 phút, ngày 27/11/2026",
        "Thời gian hẹn trả kết quả: 09 giờ 32 phút, ngày 04/12/2026",
        "TÊN CƠ QUAN", "THỜI GIAN GIAO, NHẬN HỒ SƠ", "KẾT QUẢ GIẢI QUYẾT HỒ SƠ",
        "(Trước hạn/Đúng hạn/Quá hạn)", "GHI CHÚ",
        "1. Giao: " + COUNTER, "2. Nhận: " + LAND_OFFICE,
        "1. Giao: " + LAND_OFFICE, "2. Nhận: " + ENV_OFFICE,
        "1. Giao: " + ENV_OFFICE,
        "10 giờ 15 phút, ngày 27/11/2026", "14 giờ 30 phút, ngày 01/12/2026", "08 giờ 05 phút, ngày 03/12/2026",
        "Người giao Lê Văn Thành", "Người nhận Phạm Thị Mai", "Người nhận Trịnh Quốc Huy",
        "Đúng hạn", "Trước hạn", "Đã trình ký",
    ]:
        assert expected in text, expected
    assert "Quá hạn Quá hạn" not in text


def test_control_slip_hops_come_in_order_and_blank_blocks_follow(slip_pdf: bytes) -> None:
    text = page_texts(slip_pdf)[0]
    first = text.index("10 giờ 15 phút")
    second = text.index("14 giờ 30 phút")
    third = text.index("08 giờ 05 phút")
    assert first < second < third
    blank = "…… giờ …… phút, ngày ……/……/……"
    tail = text[third:]
    assert tail.count(blank) >= 1  # at least one empty block for a hop still to come
    assert tail.count("1. Giao:") == tail.count("2. Nhận:") == tail.count(blank)


def test_control_slip_blank_blocks_can_be_chosen() -> None:
    for blanks in (0, 3):
        text = " ".join(page_texts(control_slip_pdf_bytes(control_slip(), blank_hops=blanks)))
        assert text.count("…… giờ …… phút") == blanks
        assert text.count("1. Giao:") == 3 + blanks
    with pytest.raises(ValueError):
        control_slip_pdf_bytes(control_slip(), blank_hops=-1)


@pytest.mark.parametrize("dpi", [150, 200])
def test_control_slip_barcode_reads_back_as_the_dossier_code(slip_pdf: bytes, dpi: int) -> None:
    pages = pdf_to_images(slip_pdf, dpi=dpi)
    found = [c.text for c in decode_image(pages[0]) if c.format == "Code128"]
    assert found == [DOSSIER]


def test_control_slip_is_a4_portrait_with_embedded_fonts(slip_pdf: bytes) -> None:
    meta, size, _ = metadata(slip_pdf)
    assert size == (210, 297)
    assert meta["Title"] == "Phiếu kiểm soát quá trình giải quyết hồ sơ - " + DOSSIER
    assert_fonts_embedded(slip_pdf)
    assert_inside_margins(slip_pdf)


def test_control_slip_with_many_hops_runs_on_with_the_table_heading_repeated() -> None:
    hop = control_slip().hops[0]
    hops = tuple(replace(hop, note="Bước %d" % n) for n in range(1, 10))
    pdf = control_slip_pdf_bytes(control_slip(hops=hops))
    texts = page_texts(pdf)
    assert len(texts) >= 2
    for text in texts:
        assert "THỜI GIAN GIAO, NHẬN HỒ SƠ" in text
    whole = " ".join(texts)
    for n in range(1, 10):
        assert "Bước %d" % n in whole
    assert "Trang 1/%d" % len(texts) in texts[0]
    assert_inside_margins(pdf)
    found = [c.text for c in decode_image(pdf_to_images(pdf, dpi=200)[0]) if c.format == "Code128"]
    assert found == [DOSSIER]


def test_control_slip_hop_not_yet_handed_over_leaves_the_time_blank() -> None:
    hops = control_slip().hops[:2] + (Hop(ENV_OFFICE, LAND_OFFICE, None, "", "", ""),)
    text = text_of(control_slip_pdf_bytes(control_slip(hops=hops), blank_hops=0))
    assert "1. Giao: " + ENV_OFFICE in text
    assert text.count("…… giờ …… phút, ngày ……/……/……") == 1


# --- supplement request (Mẫu 02) --------------------------------------------------------------------

def test_supplement_request_prints_what_is_missing_and_why(tmp_path: Path) -> None:
    data = supplement()
    path = render_supplement_request(data, tmp_path / "s.pdf")
    pdf = path.read_bytes()
    texts = page_texts(pdf)
    assert len(texts) == 1
    text = texts[0]
    for expected in COMMON + [
        "BỘ PHẬN TIẾP NHẬN VÀ TRẢ KẾT QUẢ",
        "Thanh Hóa, ngày 30 tháng 11 năm 2026",
        "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
        "Mã hồ sơ: 000.00.06.H56-261130-0012",
        "Số: 12/2026/TB-BS",
        "Tiếp nhận hồ sơ của Ông/Bà: Trần Văn Đức", "Số CCCD/CMND/Hộ chiếu: 038090012345",
        "Địa chỉ: Số 5 phố Lê Lai", "Số điện thoại: 0912345678",
        "Tên giấy tờ, nội dung cần bổ sung, hoàn thiện", "Hình thức", "Số lượng",
        "Nội dung yêu cầu giải quyết: Đăng ký thành lập hộ kinh doanh",
        "Thời gian nhận hồ sơ: 14 giờ 05 phút, ngày 30/11/2026",
        "Yêu cầu Ông/Bà hoàn thiện hồ sơ gồm những nội dung như sau:",
        "Lý do: " + data.reason,
        "liên hệ với Lê Văn Thành, số điện thoại 0237 3900 900",
        "NGƯỜI HƯỚNG DẪN", "(Ký và ghi rõ họ tên)",
    ]:
        assert expected in text, expected
    for number, item in enumerate(data.missing, start=1):
        assert "%d %s %s %d" % (number, item.name, item.form_label, item.count) in text, item
    assert "Email" not in text  # none given: no empty line
    assert text.index("Yêu cầu Ông/Bà") < text.index(data.missing[0].name) < text.index("Lý do:")
    assert text.rstrip().endswith("Lê Văn Thành")
    meta, size, _ = metadata(pdf)
    assert size == (210, 297)
    assert meta["Title"] == "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ - 12/2026/TB-BS - 000.00.06.H56-261130-0012"
    assert_fonts_embedded(pdf)
    assert_inside_margins(pdf)
    found = [c.text for c in decode_image(pdf_to_images(pdf, dpi=200)[0]) if c.format == "Code128"]
    assert found == [data.dossier_code]


def test_supplement_request_without_phone_or_list_still_reads() -> None:
    text = text_of(supplement_request_pdf_bytes(supplement(contact_phone="", missing=())))
    assert "liên hệ với Lê Văn Thành, số điện thoại …… để được hướng dẫn./." in text  # a blank to fill in
    assert "(Xem lý do dưới đây)" in text


# --- refusal ----------------------------------------------------------------------------------------

def test_refusal_prints_each_reason(tmp_path: Path) -> None:
    data = refusal()
    pdf = render_refusal(data, tmp_path / "r.pdf").read_bytes()
    texts = page_texts(pdf)
    assert len(texts) == 1
    text = texts[0]
    for expected in COMMON + [
        "BỘ PHẬN TIẾP NHẬN VÀ TRẢ KẾT QUẢ",
        "Thanh Hóa, ngày 30 tháng 11 năm 2026",
        "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ",
        "Mã hồ sơ: 000.00.06.H56-261130-0015",
        "Tiếp nhận hồ sơ của: Hoàng Minh Tuấn",
        "Nội dung yêu cầu giải quyết: Cấp giấy phép xây dựng nhà ở riêng lẻ",
        "thông báo không tiếp nhận, giải quyết hồ sơ này với lý do cụ thể như sau:",
        "1. " + data.reasons[0], "2. " + data.reasons[1],
        "Xin thông báo cho Ông/Bà được biết và thực hiện./.",
        "NGƯỜI NỘP HỒ SƠ", "NGƯỜI TIẾP NHẬN HỒ SƠ", "Lê Văn Thành",
    ]:
        assert expected in text, expected
    assert text.count("Hoàng Minh Tuấn") == 2  # the applicant, and the submitter's signature
    assert_fonts_embedded(pdf)
    assert_inside_margins(pdf)
    meta, size, _ = metadata(pdf)
    assert size == (210, 297) and meta["Title"].startswith("Phiếu từ chối tiếp nhận giải quyết hồ sơ")


def test_refusal_before_a_code_was_given_has_no_code_line() -> None:
    text = text_of(refusal_pdf_bytes(refusal(dossier_code="")))
    assert "Mã hồ sơ" not in text
    assert "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ" in text


# --- apology letter ---------------------------------------------------------------------------------

def test_apology_names_the_late_unit_the_reason_and_the_new_appointment(tmp_path: Path) -> None:
    pdf = render_apology(apology(), tmp_path / "a.pdf").read_bytes()
    texts = page_texts(pdf)
    assert len(texts) == 1
    text = texts[0]
    for expected in [c for c in COMMON if "TRUNG TÂM" not in c] + [
        "Thanh Hóa, ngày 03 tháng 12 năm 2026", "Số: 3/2026/XL-HL", LAND_OFFICE.upper(),
        "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ",
        "Kính gửi: Ông/Bà Nguyễn Thị Hồng Nhung",
        "Ngày 27/11/2026, " + LAND_OFFICE + " tiếp nhận giải quyết hồ sơ đề nghị",
        LAND,
        "Mã hồ sơ: " + DOSSIER,
        "Thời gian hẹn trả kết quả giải quyết hồ sơ: 09 giờ 32 phút, ngày 04/12/2026",
        "Tuy nhiên đến nay, " + LAND_OFFICE + " chưa trả kết quả giải quyết hồ sơ của Ông/Bà, lý do: "
        "cần xác minh nguồn gốc đất.",
        "Sự chậm trễ này đã gây phiền hà, tốn kém chi phí đi lại của Ông/Bà.",
        "hẹn lại thời gian trả kết quả vào 14 giờ 00 phút, ngày 11/12/2026, tại Bộ phận Một cửa, "
        "Trung tâm Phục vụ hành chính công tỉnh Thanh Hóa.",
        "Nơi nhận:", "- Trung tâm Phục vụ hành chính công tỉnh Thanh Hóa (để chuyển);",
        "THỦ TRƯỞNG CƠ QUAN", "(Ký, ghi rõ họ tên và đóng dấu)", "Nguyễn Văn Hùng",
    ]:
        assert expected in text, expected
    assert text.index("THỦ TRƯỞNG CƠ QUAN") < text.index("Nguyễn Văn Hùng")
    # the late agency writes, in its head's name, through the centre
    assert "BỘ PHẬN TIẾP NHẬN VÀ TRẢ KẾT QUẢ" not in text and "GIÁM ĐỐC" not in text
    assert_fonts_embedded(pdf)
    assert_inside_margins(pdf)
    meta, size, _ = metadata(pdf)
    assert size == (210, 297)
    assert meta["Title"] == "Phiếu xin lỗi và hẹn lại ngày trả kết quả - 3/2026/XL-HL - " + DOSSIER


def test_apology_reason_ending_with_a_full_stop_gets_only_one() -> None:
    text = text_of(apology_pdf_bytes(apology(reason="Cần xác minh nguồn gốc đất.")))
    assert "lý do: Cần xác minh nguồn gốc đất. " in text
    assert "đất.." not in text


# --- all of them ------------------------------------------------------------------------------------

def test_markup_characters_and_decomposed_accents_print_as_typed() -> None:
    name = unicodedata.normalize("NFD", "Trần Văn Đức & Công ty <TNHH>")
    for pdf in (control_slip_pdf_bytes(control_slip(owner_name=name)),
                supplement_request_pdf_bytes(supplement(party=Party(name))),
                refusal_pdf_bytes(refusal(party=Party(name))),
                apology_pdf_bytes(apology(party=Party(name)))):
        assert "Trần Văn Đức & Công ty <TNHH>" in text_of(pdf)


def test_render_all_writes_pdf_files(tmp_path: Path) -> None:
    paths = render_all(tmp_path / "out")
    assert [p.name for p in paths] == ["control_slip.pdf", "supplement_request.pdf", "refusal.pdf",
                                       "apology.pdf"]
    assert all(p.read_bytes().startswith(b"%PDF") for p in paths)
