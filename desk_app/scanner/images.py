"""Image files as a viewer shows them: EXIF orientation applied, transparency on white paper."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, ImageOps


def load_image(path: str | Path) -> Image.Image:
    """The image upright, as displayed: EXIF orientation applied to the pixels."""
    with Image.open(path) as image:
        image.load()
        upright = ImageOps.exif_transpose(image)
    return upright if upright is not None else image


def load_image_bgr(path: str | Path) -> np.ndarray:
    image = load_image(path)
    if image.mode in ("RGBA", "LA", "P"):
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(background, rgba)
    return np.ascontiguousarray(np.asarray(image.convert("RGB"))[:, :, ::-1])
