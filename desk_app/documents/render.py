"""PDF pages to images with pdfium, for the print preview and for tests that read the codes back."""

from __future__ import annotations

from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image


def pdf_to_images(path_or_bytes: str | Path | bytes, dpi: float = 150) -> list[Image.Image]:
    """Every page of the PDF as an RGB image at dpi."""
    source = bytes(path_or_bytes) if isinstance(path_or_bytes, (bytes, bytearray)) else str(path_or_bytes)
    pdf = pdfium.PdfDocument(source)
    try:
        images = []
        for index in range(len(pdf)):
            page = pdf[index]
            try:
                bitmap = page.render(scale=dpi / 72.0)
                images.append(bitmap.to_pil().convert("RGB"))
            finally:
                page.close()
        return images
    finally:
        pdf.close()
