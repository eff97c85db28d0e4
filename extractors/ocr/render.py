"""Page images: PDF pages rendered with PDFium, image files read with Pillow."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pypdfium2.raw as raw

from extractors.pdf import objects
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
        return min(1.0, objects.image_area(page.raw, w, h) / max(w * h, 1.0))
    finally:
        page.close()


MAX_FRAMES = 200


def path_objects(pdf: pdfium.PdfDocument, index: int, cap: int = 1000) -> int:
    """Number of vector path objects on a page (counting stops at `cap`)."""
    page = pdf[index]
    try:
        return objects.count(page.raw, raw.FPDF_PAGEOBJ_PATH, cap)
    finally:
        page.close()


def load_images(path: Path) -> list[tuple[np.ndarray, float]]:
    """Each page of an image file (one, or each frame of a multi-page TIFF) as (RGB uint8
    array, dpi).  The dpi comes from the file, else is guessed from an A4 page size.
    Raises ExtractionError with a one-line reason for unreadable files."""
    from PIL import Image, ImageSequence, UnidentifiedImageError

    Image.MAX_IMAGE_PIXELS = 200_000_000
    pages: list[tuple[np.ndarray, float]] = []
    try:
        with Image.open(path) as im:
            for frame in ImageSequence.Iterator(im):
                if len(pages) == MAX_FRAMES:
                    break
                dpi = _dpi(frame.info.get("dpi"))
                pages.append(_rgb(frame, dpi))
    except UnidentifiedImageError:
        raise ExtractionError("not a readable image (unknown or damaged image data)") from None
    except Image.DecompressionBombError:
        raise ExtractionError("image too large to process (over 200 megapixels)") from None
    except (OSError, SyntaxError, ValueError, EOFError) as e:
        if pages:
            return pages  # a damaged later frame: keep the pages read
        raise ExtractionError(f"damaged or truncated image ({_first_line(e)})") from None
    if not pages:
        raise ExtractionError("image holds no picture")
    return pages


def _dpi(value) -> float:
    try:
        d = float(value[0]) if value else 0.0
    except (TypeError, ValueError, IndexError):
        d = 0.0
    return d if 50 <= d <= 1200 else 0.0


def _rgb(frame, dpi: float) -> tuple[np.ndarray, float]:
    from PIL import Image

    if frame.mode in ("RGBA", "LA", "PA") or (frame.mode == "P" and "transparency" in frame.info):
        rgba = frame.convert("RGBA")
        bg = Image.new("RGB", rgba.size, "white")
        bg.paste(rgba, mask=rgba.getchannel("A"))
        rgb = np.asarray(bg)
    else:
        rgb = np.asarray(frame.convert("RGB"))
    h, w = rgb.shape[:2]
    if min(h, w) < 200:
        raise ExtractionError(f"image too small to read ({w}x{h} pixels)")
    if not dpi:
        dpi = max(h, w) / 11.69  # the long side of an A4 page, in inches
    return np.ascontiguousarray(rgb), dpi


def resample(rgb: np.ndarray, dpi: float, target: float) -> tuple[np.ndarray, float]:
    """The image at `target` dpi (unchanged when within 10%)."""
    import cv2

    if abs(dpi - target) <= 0.1 * target:
        return rgb, dpi
    f = target / dpi
    interp = cv2.INTER_AREA if f < 1 else cv2.INTER_CUBIC
    out = cv2.resize(
        rgb, (max(1, round(rgb.shape[1] * f)), max(1, round(rgb.shape[0] * f))), interpolation=interp
    )
    return out, target


def _first_line(e: Exception) -> str:
    s = str(e).strip()
    return s.splitlines()[0][:200] if s else type(e).__name__
