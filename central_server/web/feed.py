"""The centres' current announcements as an Atom feed (RFC 4287), built with ElementTree so
every text is escaped."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import datetime

from desk_app.domain.i18n import tr

from ..settings import VIETNAM

ATOM = "http://www.w3.org/2005/Atom"
UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
# characters XML 1.0 cannot carry at all, even escaped
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _stamp(t: datetime) -> str:
    """An Atom date: Vietnam wall time with its offset."""
    return t.replace(microsecond=0, tzinfo=VIETNAM).isoformat()


def _text(value) -> str:
    return _NOT_XML.sub("", str(value or ""))


def atom(notices, centre_names: dict[str, str], base_url: str, now: datetime) -> bytes:
    ET.register_namespace("", ATOM)
    root = ET.Element("{%s}feed" % ATOM)
    root.set("{http://www.w3.org/XML/1998/namespace}lang", "vi")
    ET.SubElement(root, "{%s}id" % ATOM).text = _text(base_url + "/thong-bao.atom")
    ET.SubElement(root, "{%s}title" % ATOM).text = tr("Thông báo của Bộ phận Một cửa")
    updated = max((n.updated_at or n.valid_from for n in notices), default=now)
    ET.SubElement(root, "{%s}updated" % ATOM).text = _stamp(updated)
    ET.SubElement(root, "{%s}link" % ATOM, rel="self", href=_text(base_url + "/thong-bao.atom"))
    ET.SubElement(root, "{%s}link" % ATOM, rel="alternate", type="text/html", href=_text(base_url + "/"))
    author = ET.SubElement(root, "{%s}author" % ATOM)
    ET.SubElement(author, "{%s}name" % ATOM).text = tr("Bộ phận Một cửa")
    for n in notices:
        entry = ET.SubElement(root, "{%s}entry" % ATOM)
        ET.SubElement(entry, "{%s}id" % ATOM).text = ("urn:uuid:" + n.id.lower() if UUID.match(n.id or "")
                                                      else _text(base_url + "/thong-bao/" + (n.id or "")))
        ET.SubElement(entry, "{%s}title" % ATOM).text = _text(n.title)
        ET.SubElement(entry, "{%s}updated" % ATOM).text = _stamp(n.updated_at or n.valid_from)
        ET.SubElement(entry, "{%s}published" % ATOM).text = _stamp(n.valid_from)
        ET.SubElement(entry, "{%s}link" % ATOM, rel="alternate", type="text/html", href=_text(base_url + "/"))
        if centre_names.get(n.agency_code):
            a = ET.SubElement(entry, "{%s}author" % ATOM)
            ET.SubElement(a, "{%s}name" % ATOM).text = _text(centre_names[n.agency_code])
        ET.SubElement(entry, "{%s}content" % ATOM, type="text").text = _text(n.body)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
