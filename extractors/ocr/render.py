"""Page images: PDF pages rendered with PDFium, image files read with Pillow."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pypdfium2.raw as raw

from pipeline.errors import ExtractionError


def render_page(pdf: pdfium.PdfDocument, index: int, dpi: float) -> np.ndarray:
    """RGB uint8 image of a page as displayed (page rotation applied)."""
    page = pdf[index]
    try:
        bitmap = page.render(scale=dpi / 72.0, rev_byteorder=True)
        arr = bitmap.to_numpy()
        return np.ascontiguousarray(arr[..., :3]) if arr.ndim == 3 else arr
    finally:
        page.close()


def image_cover(pdf: pdfium.PdfDocument, index: int) -> float:
    """Share of the page area covered by image objects (0..1, overlaps not subtracted)."""
    page = pdf[index]
    try:
        w, h = page.get_size()
        area = 0.0
        for obj in page.get_objects(filter=[raw.FPDF_PAGEOBJ_IMAGE], max_depth=4):
            left, bottom, right, top = obj.get_bounds()
            area += max(0.0, min(right, w) - max(left, 0.0)) * max(0.0, min(top, h) - max(bottom, 0.0))
        return min(1.0, area / max(w * h, 1.0))
    finally:
        page.close()


def load_image(path: Path) -> tuple[np.ndarray, float]:
    """(RGB uint8 array of the first frame, its dpi: from the file, else guessed from an A4
    page size).  Raises ExtractionError with a one-line reason for unreadable files."""
    from PIL import Image, UnidentifiedImageError

    Image.MAX_IMAGE_PIXELS = 200_000_000
    try:
        with Image.open(path) as im:
            n_frames = getattr(im, "n_frames", 1)
            dpi = im.info.get("dpi", (0, 0))[0] or 0
            im.load()
            if im.mode in ("RGBA", "LA", "P", "PA"):
                bg = Image.new("RGB", im.size, "white")
                bg.paste(im.convert("RGBA"), mask=im.convert("RGBA").getchannel("A"))
                im = bg
            rgb = np.asarray(im.convert("RGB"))
    except UnidentifiedImageError:
        raise ExtractionError("not a readable image (unknown or damaged image data)") from None
    except (OSError, SyntaxError, ValueError) as e:
        raise ExtractionError(f"damaged or truncated image ({e})") from None
    except Image.DecompressionBombError:
        raise ExtractionError("image too large to process") from None
    h, w = rgb.shape[:2]
    if min(h, w) < 200:
        raise ExtractionError(f"image too small to read ({w}x{h} pixels)")
    if not dpi or dpi < 50 or dpi > 1200:
        dpi = max(h, w) / 11.69  # the long side of an A4 page, in inches
    _ = n_frames  # only the first page of a multi-page TIFF is read (see extractors.image)
    return rgb, float(dpi)
