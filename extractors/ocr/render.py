"""Page images: PDF pages rendered with PDFium, image files read with Pillow."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pypdfium2.raw as raw

from extractors.pdf import objects
from pipeline.errors import ExtractionError

MAX_PIXELS = 200_000_000  # an A0 sheet at 300 dpi is 140 megapixels


def check_area(width: float, height: float, what: str = "image") -> None:
    """ExtractionError when an image of width × height pixels, as it will be processed (after
    rotation and resampling to the OCR resolution), is over MAX_PIXELS."""
    area = width * height
    if not area <= MAX_PIXELS:
        raise ExtractionError(
            f"{what} too large to process ({round(width)}x{round(height)} pixels at the OCR resolution, "
            f"{area / 1e6:.0f} megapixels; the limit is {MAX_PIXELS // 1_000_000})"
        )


def render_page(pdf: pdfium.PdfDocument, index: int, dpi: float) -> np.ndarray:
    """RGB uint8 image of a page as displayed (page rotation applied)."""
    page = pdf[index]
    try:
        w, h = page.get_size()
        check_area(w * dpi / 72.0, h * dpi / 72.0, "page")
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

    Image.MAX_IMAGE_PIXELS = MAX_PIXELS  # Pillow warns above this, fails above twice it: checked here
    pages: list[tuple[np.ndarray, float]] = []
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path) as im:
                for frame in ImageSequence.Iterator(im):
                    if len(pages) == MAX_FRAMES:
                        break
                    dpi = _dpi(frame.info.get("dpi"))
                    w, h = frame.size
                    check_area(w, h)  # before decoding it
                    check_area(*_at_ocr_dpi(w, h, dpi))
                    pages.append(_rgb(frame, dpi))
    except UnidentifiedImageError:
        raise ExtractionError("not a readable image (unknown or damaged image data)") from None
    except Image.DecompressionBombError:
        raise ExtractionError(
            f"image too large to process (over {MAX_PIXELS // 1_000_000} megapixels)"
        ) from None
    except (OSError, SyntaxError, ValueError, EOFError) as e:
        if pages:
            return pages  # a damaged later frame: keep the pages read
        raise ExtractionError(f"damaged or truncated image ({_first_line(e)})") from None
    if not pages:
        raise ExtractionError("image holds no picture")
    return pages


def _at_ocr_dpi(w: int, h: int, dpi: float) -> tuple[float, float]:
    """Size of a picture once resampled to the OCR resolution (as `resample` will)."""
    from extractors.ocr.scan import OCR_DPI

    if not dpi:
        dpi = max(h, w) / 11.69  # as _rgb guesses it
    f = OCR_DPI / dpi if abs(dpi - OCR_DPI) > 0.1 * OCR_DPI else 1.0
    return w * f, h * f


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
