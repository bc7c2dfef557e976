"""The application's font (Noto Sans, shipped, so every diacritic renders) and its stylesheet."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

FONTS = Path(__file__).resolve().parents[2] / "resources" / "fonts"

BLUE = "#0d4a8f"        # government blue: headers, primary buttons
BLUE_LIGHT = "#e8f0fa"
RED = "#c62828"         # errors
GREEN = "#1b7f3b"
ORANGE = "#b85c00"

STYLESHEET = """
QMainWindow, QDialog { background: #f3f5f8; }
QWidget { color: #1f2933; }
QLabel#appTitle { font-size: 15pt; font-weight: bold; color: %(blue)s; }
QLabel#subtitle { color: #52606d; }
QLabel#emptyState { font-size: 13pt; color: #3e4c59; background: white; border: 1px solid #d3dae3; padding: 24px; }
QLabel#fieldError { color: %(red)s; font-size: 9pt; }
QLabel#formError { color: %(red)s; font-weight: bold; }
QLabel#procedureInfo { background: %(blue_light)s; border: 1px solid #c3d4ea; border-radius: 4px;
                       padding: 6px 8px; }
QLabel#banner { margin: 0 8px; background: #e7f4ea; border: 1px solid #9fd0ad; border-radius: 4px; padding: 8px 10px;
                color: #0f5323; font-weight: bold; }
QLabel#bannerWarning { margin: 0 8px; background: #fff4e5; border: 1px solid #f0c27a; border-radius: 4px;
                       padding: 8px 10px; color: #7a3e00; font-weight: bold; }
QGroupBox { background: white; border: 1px solid #d3dae3; border-radius: 6px; margin-top: 14px;
            padding: 10px 8px 8px 8px; font-weight: bold; }
QGroupBox::title { subcontrol-origin: margin; left: 10px; padding: 0 4px; color: %(blue)s; }
QGroupBox QLabel, QGroupBox QCheckBox, QGroupBox QRadioButton { font-weight: normal; }
/* QSpinBox keeps Fusion's own look: a styled border would lose its arrows */
QLineEdit, QPlainTextEdit, QComboBox, QListView, QTableView, QTreeWidget, QListWidget {
    background: white; border: 1px solid #b8c2cc; border-radius: 3px; padding: 3px 5px;
    selection-background-color: %(blue)s; selection-color: white; }
QLineEdit:focus, QPlainTextEdit:focus, QComboBox:focus, QListView:focus,
QTableView:focus { border: 1px solid %(blue)s; }
QLineEdit[invalid="true"], QPlainTextEdit[invalid="true"], QComboBox[invalid="true"] {
    border: 1px solid %(red)s; background: #fff6f6; }
QPushButton { background: white; border: 1px solid #9aa5b1; border-radius: 4px; padding: 5px 14px; }
QPushButton:hover { background: %(blue_light)s; }
QPushButton:focus { border: 1px solid %(blue)s; }
QPushButton#primary { background: %(blue)s; color: white; border: 1px solid %(blue)s; font-weight: bold; }
QPushButton#primary:hover { background: #0a3d77; }
QPushButton#danger { color: %(red)s; border-color: %(red)s; }
QPushButton:disabled, QPushButton#danger:disabled, QPushButton#primary:disabled {
    color: #5f6b7a; background: #eef1f5; border-color: #d3dae3; font-weight: normal; }
QTabWidget::pane { border: 1px solid #d3dae3; background: #f3f5f8; top: -1px; }
QTabBar::tab { background: #e4e9ef; border: 1px solid #d3dae3; padding: 7px 18px; margin-right: 2px;
               border-top-left-radius: 4px; border-top-right-radius: 4px; }
QTabBar::tab:selected { background: #f3f5f8; color: %(blue)s; font-weight: bold; border-bottom-color: #f3f5f8; }
QHeaderView::section { background: #e8edf3; border: none; border-right: 1px solid #d3dae3;
                       border-bottom: 1px solid #c5ced8; padding: 5px 6px; font-weight: bold; }
QTableView { gridline-color: #e4e9ef; alternate-background-color: #f7f9fb; }
QStatusBar { background: %(blue)s; color: white; }
QStatusBar QLabel { color: white; padding: 0 10px; }
QMenuBar { background: white; border-bottom: 1px solid #d3dae3; }
QFrame#header { background: %(blue)s; }
QFrame#header QLabel { color: white; }
QFrame#lockPanel, QFrame#loginPanel { background: white; border: 1px solid #d3dae3; border-radius: 8px; }
""" % {"blue": BLUE, "blue_light": BLUE_LIGHT, "red": RED}


def load_fonts() -> str | None:
    """Register the shipped Noto Sans; return its family name, or None if the files are missing."""
    family = None
    for name in ("NotoSans-Regular.ttf", "NotoSans-Bold.ttf"):
        path = FONTS / name
        if path.exists():
            font_id = QFontDatabase.addApplicationFont(str(path))
            families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
            family = family or (families[0] if families else None)
    return family


def apply_style(app: QApplication) -> None:
    """Font and stylesheet for the whole application."""
    family = load_fonts()
    font = QFont(family) if family else QFont()
    font.setPointSizeF(10.5)
    app.setFont(font)
    app.setStyle("Fusion")
    app.setStyleSheet(STYLESHEET)
