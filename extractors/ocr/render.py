"""Page images: PDF pages rendered with PDFium, image files read with Pillow."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pypdfium2.raw as raw

from extractors import objects
from pipeline.errors import ExtractionError, one_line

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


MAX_RENDER_DPI = 400  # a finer scan is rendered at a whole fraction of its resolution


def native_dpi(pdf: pdfium.PdfDocument, index: int, min_cover: float = 0.5) -> float | None:
    """Resolution (pixels per inch of the page box) of the image that makes up a page: the
    largest image object covering at least `min_cover` of the page.  None for other pages."""
    page = pdf[index]
    try:
        w, h = page.get_size()
        best: tuple[float, float] | None = None
        for obj in page.get_objects(filter=[raw.FPDF_PAGEOBJ_IMAGE], max_depth=2):
            left, bottom, right, top = obj.get_bounds()
            bw, bh = max(0.0, min(right, w) - max(left, 0.0)), max(0.0, min(top, h) - max(bottom, 0.0))
            if bw * bh < min_cover * w * h:
                continue
            px_w, px_h = obj.get_px_size()
            # an image placed turned by 90° has its pixel rows along the page's height
            sides = sorted((right - left, top - bottom))
            dpi = 72.0 * max(px_w, px_h) / max(sides[1], 1e-6)
            if best is None or bw * bh > best[0]:
                best = (bw * bh, dpi)
        return best[1] if best else None
    finally:
        page.close()


def render_dpi(native: float | None, default: float) -> float:
    """The dpi to render a page at: an image page at its image's own resolution (a very fine
    one at a whole fraction of it), any other page at `default`."""
    if native is None:
        return default
    return native / max(1, int(np.ceil(native / MAX_RENDER_DPI)))


def page_image(pdf: pdfium.PdfDocument, index: int, default_dpi: float) -> tuple[np.ndarray, float]:
    """(RGB image, dpi the file states for it) of a page to OCR.  A page that is one upright
    image and nothing else gives that image's own pixels (so the same scan wrapped at any page
    size gives the same pixels); any other page is rendered (see `render_dpi`)."""
    native = native_dpi(pdf, index)
    if native is not None:
        w, h = pdf.get_page_size(index)
        check_area(*_at_ocr_dpi(w * native / 72.0, h * native / 72.0, native), "page")
    if native is not None and native <= MAX_RENDER_DPI:
        own = _own_pixels(pdf, index)
        if own is not None:
            return own, native
    dpi = render_dpi(native, default_dpi)
    return render_page(pdf, index, dpi), dpi


def _own_pixels(pdf: pdfium.PdfDocument, index: int) -> np.ndarray | None:
    """The decoded pixels of a page's only object, an unturned image covering the page; None
    where the page shows anything else, or where the pixels do not look like the page
    rendered (a mask, an inverting decode): a coarse render is the check."""
    import cv2

    page = pdf[index]
    try:
        objs = list(page.get_objects(max_depth=2))
        if page.get_rotation() % 360 or len(objs) != 1 or objs[0].type != raw.FPDF_PAGEOBJ_IMAGE:
            return None
        a, b, c, d, _e, _f = objs[0].get_matrix().get()
        w, h = page.get_size()
        if b or c or a < 0.95 * w or d < 0.95 * h:
            return None
        bitmap = objs[0].get_bitmap(render=False)
        arr = bitmap.to_numpy()
        if bitmap.format == raw.FPDFBitmap_Gray:
            rgb = cv2.cvtColor(arr, cv2.COLOR_GRAY2RGB)
        elif arr.ndim == 3 and arr.shape[2] in (3, 4):
            rgb = np.ascontiguousarray(arr[..., 2::-1])  # PDFium's BGR(x/A) → RGB
        else:
            return None
        check = page.render(scale=48 / 72).to_numpy()[..., :3][..., ::-1]
        small = cv2.resize(rgb, (check.shape[1], check.shape[0]), interpolation=cv2.INTER_AREA)
        if np.abs(small.astype(np.int16) - check.astype(np.int16)).mean() > 12:
            return None
        return np.ascontiguousarray(rgb)
    except pdfium.PdfiumError:
        return None
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


def load_images(path: Path) -> list[tuple[np.ndarray, float | None]]:
    """Each page of an image file (one, or each frame of a multi-page TIFF) as (RGB uint8
    array, the dpi the file states or None).
    Raises ExtractionError with a one-line reason for unreadable files."""
    from PIL import Image, ImageSequence, UnidentifiedImageError

    Image.MAX_IMAGE_PIXELS = MAX_PIXELS  # Pillow warns above this, fails above twice it: checked here
    pages: list[tuple[np.ndarray, float | None]] = []
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
        raise ExtractionError(f"damaged or truncated image ({one_line(e, 200)})") from None
    if not pages:
        raise ExtractionError("image holds no picture")
    return pages


def _at_ocr_dpi(w: int, h: int, dpi: float | None) -> tuple[float, float]:
    """Size of a picture as OCR will process it: a very fine one reduced (`reduce`), a coarse
    one (under 180 dpi) read from a 200-dpi copy, any other at its own pixels."""
    d = dpi or max(h, w) / 11.69  # the long side counts as an A4 page's
    if d < 180:
        f = 200 / d
    else:
        f = 1 / max(1, int(np.ceil(d / MAX_RENDER_DPI)))
    return w * f, h * f


def _dpi(value) -> float | None:
    try:
        d = float(value[0]) if value else 0.0
    except (TypeError, ValueError, IndexError):
        d = 0.0
    return d if 50 <= d <= 1200 else None


def _rgb(frame, dpi: float | None) -> tuple[np.ndarray, float | None]:
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
    return np.ascontiguousarray(rgb), dpi


def reduce(rgb: np.ndarray, dpi: float | None) -> tuple[np.ndarray, float | None]:
    """A very fine image at a whole fraction of its resolution (see MAX_RENDER_DPI); the long
    side counts as an A4 page's where no resolution is stated."""
    import cv2

    k = int(np.ceil((dpi or max(rgb.shape[:2]) / 11.69) / MAX_RENDER_DPI))
    if k <= 1:
        return rgb, dpi
    out = cv2.resize(rgb, (rgb.shape[1] // k, rgb.shape[0] // k), interpolation=cv2.INTER_AREA)
    return out, dpi / k if dpi else None
