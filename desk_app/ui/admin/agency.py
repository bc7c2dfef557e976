"""Thông tin cơ quan: the name, code and address printed on every form, and the central server's address."""

from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QHBoxLayout, QLineEdit, QPushButton, QVBoxLayout

from ...domain.i18n import tr
from ...services import admin, setup
from .page import Page, group, hint

FIELDS = ("code", "name", "parent_name", "place", "address", "public_base_url")


def _labels() -> dict[str, str]:
    return {"code": tr("Mã định danh cơ quan"), "name": tr("Tên cơ quan"), "parent_name": tr("Cơ quan chủ quản"),
            "place": tr("Địa danh (ghi trên giấy tờ)"), "address": tr("Địa chỉ"),
            "public_base_url": tr("Địa chỉ máy chủ trung tâm")}


class AgencyPage(Page):
    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        self.fields = {key: QLineEdit() for key in FIELDS}
        self.fields["code"].setPlaceholderText("000.00.06.H56")
        self.fields["public_base_url"].setPlaceholderText("https://dichvucong.thanhhoa.gov.vn")
        form = QFormLayout()
        labels = _labels()
        for key, w in self.fields.items():
            w.setMinimumWidth(520)
            form.addRow(labels[key], w)
        save = QPushButton(tr("Lưu thông tin cơ quan"))
        save.setObjectName("primary")
        save.clicked.connect(self.save)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(save)
        box = group(tr("Thông tin cơ quan"), form,
                    hint(tr("In trên giấy tiếp nhận, phiếu kiểm soát, phiếu xin lỗi và các báo cáo. "
                            "Mã hồ sơ mới dùng mã định danh cơ quan này.")), buttons)
        box.setMaximumWidth(900)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(box)
        layout.addStretch(1)

    def reload(self) -> None:
        ctx = self.ctx
        self.load(lambda: setup.agency(ctx), self._show)

    def _show(self, agency) -> None:
        if agency is None:
            return
        for key, w in self.fields.items():
            w.setText(getattr(agency, key))

    def value(self) -> setup.AgencyInput:
        return setup.AgencyInput(**{key: w.text() for key, w in self.fields.items()})

    def save(self) -> None:
        ctx, user, agency = self.ctx, self.user, self.value()
        self.apply(lambda: admin.update_agency(ctx, user, agency), tr("Đã lưu thông tin cơ quan."))
