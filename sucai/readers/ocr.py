"""OCR: page images (scanned PDFs, .png/.jpg/.tif files) → text, with Tesseract (Simplified Chinese).

Tesseract 5 with the ``chi_sim`` model (Debian ``tesseract-ocr`` +
``tesseract-ocr-chi-sim``) is driven through pytesseract: one ``image_to_data``
call per page gives words with their boxes and confidences. Words are grouped
into lines (Tesseract's block / paragraph / line numbers), and the lines go
through the same layout steps as a PDF text layer (``layout``: page furniture,
paragraphs, spaces next to CJK characters removed); ASCII punctuation that
Tesseract reads between Han characters (, : ; ? ! ( )) is given its full-width
form. The confidence of a document is the mean of Tesseract's word
confidences (0–100) weighted by the characters of each word.

Tesseract is told each page's resolution (``--dpi``), as it reads it from an image file of its own: an image's
stated one (a scanner writes it in the PNG, TIFF or JPEG), else :data:`ASSUMED_DPI`; a PDF page's is the one it
was rendered at. Left to estimate it, Tesseract misreads the strokes of Han characters as diacritics on a full
page of text: pages of 30 lines (40-pixel characters, A4 at 200 dpi) came out half to two thirds right, the lines
cut in pieces and out of order, while told 200 dpi it reads 95–98 % of them; on the pages of 2 to 30 lines of
14- to 72-pixel characters where the estimate does not fail, 200 dpi reads as well, ±0.01 (one page of two short
lines in the tests aside, whose heading it reads in two pieces). An image stating less than 300 dpi whose lines of
text are under 20 pixels high (a phone photo or a screenshot at 72 dpi) is scaled up to 300 dpi first
(:func:`_upscale`).

PDF pages are rendered at 300 dpi in grey with PDFium (pypdfium2, which
pdfplumber already uses); pages go to Tesseract as uncompressed PGM files, one page at a time, each page
rendered when the one before is read (one page image held at once). Tesseract runs single-threaded
(``OMP_THREAD_LIMIT=1``), and one Tesseract process at a time in a whole ingest (:func:`sucai.budget.exclusive`):
each holds 100 MB (its chi_sim model mostly), and two at once set the peak memory of an ingest of the corpus.
(A long scan then takes its Tesseract time as wall time: the other workers parse only the few files after it
that results stored in order allow.) Each Tesseract process
is bound by the file's address-space limit and by its deadline (also while it waits for its turn), less
``_STOP_SECONDS``: Tesseract is stopped by its own timeout and the file ends with the reader's "timeout" before the
worker's time runs out (the worker, stopped, would take its Tesseract down with it, see :mod:`sucai.budget`).
(Measured on the corpus's scan: at 200 dpi Tesseract takes 86 MB instead of 103 and 15 % less CPU, but reads
a fifth of the text differently — the text stays as read at 300 dpi.)
"""

from __future__ import annotations

import io
import logging
import os
import re
import shutil
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from statistics import median

import pypdfium2
import pytesseract
from PIL import Image, ImageSequence, UnidentifiedImageError

from sucai.budget import exclusive, reading_page
from sucai.errors import ReadError
from sucai.readers.layout import mark_edges, page_lines_to_text
from sucai.readers.raw import Limits, RawDocument, finish

log = logging.getLogger(__name__)
LANGUAGE = "chi_sim"
DPI = 300
ASSUMED_DPI = 200   # the resolution of an image that states none (a screenshot, a photo, a PNG made by a program)
MIN_TEXT_PX = 20    # lines of text less high than this (pixels, the median) are scaled up before Tesseract reads them
_INK_ROW = 255 / 200   # a row of text has ink on 1 in 200 of its pixels at least (its mean, ink 255)
_MOST_PIXELS = 2 * 2480 * 3508   # a page scaled up is at most two A4 pages at 300 dpi (~17 million pixels)
_CREDIBLE_DPI = 70  # Tesseract's kMinCredibleResolution: a stated resolution below it is no resolution
_STOP_SECONDS = 2  # Tesseract's timeout ends this long before the file's deadline (pytesseract waits 1 s to kill it)
_INSTALL = "请安装 Tesseract 及其简体中文模型（Debian/Ubuntu：apt-get install tesseract-ocr tesseract-ocr-chi-sim）"
_LINE_KEY = ("page_num", "block_num", "par_num", "line_num")
# The file format pytesseract hands a page to Tesseract in: uncompressed PGM/PPM (the same pixels; its default,
# PNG, spent a tenth of a second per 300-dpi page compressing what Tesseract then decompresses).
_HANDED_AS = "PPM"
_HAN = "\u3400-\u4dbf\u4e00-\u9fff"
_FULL_WIDTH = {",": "，", ":": "：", ";": "；", "?": "？", "!": "！", "(": "（", ")": "）"}
_ASCII_PUNCTUATION_BY_HAN = re.compile(f"(?<=[{_HAN}])[,:;?!()]|[,:;?!()](?=[{_HAN}])")


@dataclass
class OcrResult:
    """The raw lines of each OCR'd page (see ``layout.measure``) and the confidences of its words."""

    pages: list[list[dict]] = field(default_factory=list)
    confidence_sum: float = 0.0
    chars: int = 0

    @property
    def confidence(self) -> float | None:
        """Mean word confidence (0–100) weighted by characters, None when nothing was recognised."""
        return round(self.confidence_sum / self.chars, 1) if self.chars else None


def missing() -> str | None:
    """Why OCR cannot run here (a Chinese sentence saying what to install), or None when it can."""
    if shutil.which(pytesseract.pytesseract.tesseract_cmd) is None:
        return f"未安装 Tesseract 文字识别程序，{_INSTALL}"
    try:
        languages = pytesseract.get_languages()
    except (pytesseract.TesseractError, OSError) as exc:
        log.warning("tesseract --list-langs 运行失败：%s", exc)
        return f"Tesseract 无法运行，{_INSTALL}"
    return None if LANGUAGE in languages else f"Tesseract 缺少简体中文模型 chi_sim，{_INSTALL}"


def _require(what: str) -> None:
    reason = missing()
    if reason:
        raise ReadError(f"{what}需要文字识别（OCR）：{reason}", code="ocr_unavailable")


def _remaining(limits: Limits) -> float:
    """Seconds Tesseract may still take: until ``_STOP_SECONDS`` before the deadline (0 = no deadline). Raises
    ReadError "timeout" when that instant has passed."""
    if limits.deadline is None:
        return 0
    left = limits.deadline - _STOP_SECONDS - time.monotonic()
    if left <= 0:
        raise ReadError("文字识别（OCR）超出每个文件的时间上限，已停止", code="timeout")
    return left


def _page_lines(data: dict, height: float) -> tuple[list[dict], float, int]:
    """Tesseract's words → raw lines of one page, the confidence sum and the characters counted."""
    lines: dict[tuple, dict] = {}
    confidence, chars = 0.0, 0
    for i, word in enumerate(data["text"]):
        word = word.strip()
        conf = float(data["conf"][i])
        if not word or conf < 0:
            continue
        confidence, chars = confidence + conf * len(word), chars + len(word)
        left, top = data["left"][i], data["top"][i]
        right, bottom = left + data["width"][i], top + data["height"][i]
        key = tuple(data[k][i] for k in _LINE_KEY)
        line = lines.setdefault(key, {"words": [], "x0": left, "x1": right, "top": top, "bottom": bottom})
        line["words"].append(word)
        line.update(x0=min(line["x0"], left), x1=max(line["x1"], right), top=min(line["top"], top),
                    bottom=max(line["bottom"], bottom))
    raw = [{"text": " ".join(line.pop("words")), **line} for line in lines.values()]
    return mark_edges(raw, height), confidence, chars


def _resolution(image: Image.Image) -> int:
    """The resolution Tesseract is told ``image`` has, in dots per inch: the one it states (Pillow's ``info["dpi"]``,
    kept by ``convert``), else :data:`ASSUMED_DPI`."""
    stated = image.info.get("dpi", (0, 0))[0]
    return round(stated) if stated >= _CREDIBLE_DPI else ASSUMED_DPI


def _recognise(image: Image.Image, limits: Limits) -> tuple[list[dict], float, int]:
    """One page image → its raw lines, confidence sum and characters counted (see ``_page_lines``), read by
    Tesseract when no other Tesseract of the ingest runs (:func:`sucai.budget.exclusive`); a page of small text is
    scaled up first (:func:`_upscale`).

    Raises ReadError "timeout" when the deadline of ``limits`` passes first, "corrupt" when Tesseract fails.
    """
    resolution = _resolution(image)
    scale = _upscale(image, resolution)
    if scale > 1:
        image = image.resize((round(image.width * scale), round(image.height * scale)), Image.Resampling.LANCZOS)
        resolution = round(resolution * scale)
    return _tesseract(image, resolution, limits)


def _upscale(image: Image.Image, resolution: int) -> float:
    """How much to scale up a page image (mode L) stating ``resolution`` before Tesseract reads it (1: not at all).
    Tesseract reads text under about 20 pixels high badly (its documentation, "Improving the quality of the
    output": accuracy drops below 10 pt at 300 dpi); a phone photo or a screenshot stating 72 dpi (EXIF) with
    characters of 9 to 11 pixels was read 55 to 93 % right, 83 to 98 % once scaled to 300 dpi (read29's synthetic
    photos). So a page stating less than :data:`DPI` whose lines of text are under :data:`MIN_TEXT_PX` high
    (:func:`_text_height`) is scaled to :data:`DPI` — to :data:`_MOST_PIXELS` at most, and never by less than a
    fifth. Linear in the pixels (Pillow's C loops), looked at only on such a page."""
    if resolution >= DPI:
        return 1
    height = _text_height(image)
    if height is None or height >= MIN_TEXT_PX:
        return 1
    scale = min(DPI / resolution, (_MOST_PIXELS / (image.width * image.height)) ** 0.5)
    return scale if scale >= 1.2 else 1


def _text_height(image: Image.Image) -> float | None:
    """The height of ``image``'s lines of text in pixels: the median run of rows with ink — pixels darker than the
    page by Otsu's threshold (N. Otsu, "A threshold selection method from gray-level histograms", 1979) — on 1 in
    200 of their pixels at least; None when no row has. A page whose lines touch (skewed, shaded) reads as tall."""
    threshold = _otsu(image.histogram()[:256])
    ink = image.point([255 if value < threshold else 0 for value in range(256)])
    rows = ink.resize((1, image.height), Image.Resampling.BOX).get_flattened_data()   # each row's mean
    runs, length = [], 0
    for value in [*rows, 0]:
        if value >= _INK_ROW:
            length += 1
        elif length:
            runs.append(length)
            length = 0
    return median(runs) if runs else None


def _otsu(histogram: list[int]) -> int:
    """The grey level that best parts a page's histogram in two (ink and paper): Otsu's, the level maximising the
    variance between the two classes."""
    total = sum(histogram)
    weighted = sum(level * count for level, count in enumerate(histogram))
    best, best_variance, below, below_weighted = 0, -1.0, 0, 0
    for level, count in enumerate(histogram):
        below, below_weighted = below + count, below_weighted + level * count
        above = total - below
        if below == 0 or above == 0:
            continue
        difference = below_weighted / below - (weighted - below_weighted) / above
        variance = below * above * difference * difference
        if variance > best_variance:
            best, best_variance = level + 1, variance
    return best


def _tesseract(image: Image.Image, resolution: int, limits: Limits) -> tuple[list[dict], float, int]:
    """``image`` read by Tesseract, told it is of ``resolution`` dpi (see :func:`_recognise`)."""
    image.format = _HANDED_AS
    try:
        with exclusive(_remaining(limits)):
            data = pytesseract.image_to_data(image, lang=LANGUAGE, output_type=pytesseract.Output.DICT,
                                             config=f"--dpi {resolution}", timeout=_remaining(limits))
    except (RuntimeError, TimeoutError) as exc:  # pytesseract's timeout, or the deadline passed waiting for a turn
        raise ReadError("文字识别（OCR）超出每个文件的时间上限，已停止", code="timeout") from exc
    except pytesseract.TesseractError as exc:
        raise ReadError("文字识别（OCR）失败：Tesseract 无法识别这一页图片", code="corrupt") from exc
    return _page_lines(data, image.height)


def ocr_images(images: Iterable[Image.Image], limits: Limits, pages: int) -> OcrResult:
    """Recognise page images (taken one at a time from ``images``, ``pages`` of them), one after the other, in page
    order, each page told to the batch's progress as it starts (:func:`sucai.budget.reading_page`).

    Raises ReadError "timeout" when the deadline of ``limits`` passes first (its reason names the page and the
    setting to raise, :func:`_timeout_reason`), "corrupt" when Tesseract fails on a page; the pages after it are
    then not read.
    """
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    result = OcrResult()
    for page, image in enumerate(images, 1):
        reading_page(page, pages)
        try:
            lines, confidence, chars = _recognise(image, limits)
        except ReadError as exc:
            if exc.code != "timeout":
                raise
            raise ReadError(_timeout_reason(page, pages, limits.again), code="timeout") from exc
        result.pages.append(lines)
        result.confidence_sum += confidence
        result.chars += chars
    return result


def _timeout_reason(page: int, pages: int, again: str) -> str:
    """Why a scan stopped at ``page`` of ``pages``: the time limit, the setting that raises it, and what to do then,
    ``again`` (:attr:`~sucai.readers.raw.Limits.again`: a file an ingest skipped for it is read again at the next
    once the setting changed, :func:`sucai.ingest.attempt`; a 查重 is run again)."""
    return (f"文字识别（OCR）读到第 {page} 页（共 {pages} 页）时超出每个文件的时间上限，已停止；"
            f"可调大设置 parse_timeout_seconds（sucai.toml，或环境变量 SUCAI_PARSE_TIMEOUT_SECONDS）后{again}")


def fullwidth_punctuation(text: str) -> str:
    """ASCII , : ; ? ! ( ) next to a Han character → their full-width forms (Tesseract reads them half-width)."""
    return _ASCII_PUNCTUATION_BY_HAN.sub(lambda m: _FULL_WIDTH[m.group()], text)


def finish_ocr(result: OcrResult, fmt: str, what: str, meta: dict[str, str] | None = None) -> RawDocument:
    """The RawDocument of an OCR'd file (``ocr_confidence`` set). Raises ReadError "empty" (no text found)."""
    text = fullwidth_punctuation(page_lines_to_text(result.pages))
    if not text.strip():
        raise ReadError(f"{what}经文字识别（OCR）也没有识别出文字", code="empty")
    return finish(text, fmt, None, meta=meta, ocr_confidence=result.confidence)


def _image_kind(data: bytes) -> str:
    kinds = ((b"\x89PNG", "PNG 图片"), (b"\xff\xd8", "JPEG 图片"), (b"II*", "TIFF 图片"), (b"MM\x00*", "TIFF 图片"))
    return next((kind for magic, kind in kinds if data.startswith(magic)), "图片文件")


def read_image(data: bytes, limits: Limits = Limits()) -> RawDocument:
    """OCR an image file (.png, .jpg, .tif — every frame of a multi-page TIFF is a page).

    Raises ReadError "ocr_unavailable" (Tesseract or chi_sim missing, with what
    to install), "corrupt" (not a readable image), "too_large" (more pixels than
    Pillow's decompression-bomb limit, or more frames than ``limits.max_pages``),
    "timeout", "empty".
    """
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            frames = getattr(image, "n_frames", 1)
            if frames > limits.max_pages:
                raise ReadError(f"图片共 {frames} 页，超过每个文件 {limits.max_pages} 页的上限，请拆分后重试",
                                code="too_large")
            _require("图片")
            result = ocr_images((frame.convert("L") for frame in ImageSequence.Iterator(image)), limits, frames)
    except Image.DecompressionBombError as exc:
        raise ReadError("图片像素过多，无法安全打开，请缩小后重试", code="too_large") from exc
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise ReadError(f"{_image_kind(data)}已损坏，无法打开", code="corrupt") from exc
    return finish_ocr(result, "image", "图片")


def _rendered(document: pypdfium2.PdfDocument, pages: int) -> Iterable[Image.Image]:
    """The first ``pages`` pages of ``document`` at ``DPI`` in grey, rendered one by one (PDFium in this thread)."""
    for index in range(pages):
        page = document[index]
        bitmap = page.render(scale=DPI / 72, grayscale=True)
        image = bitmap.to_pil().copy()
        image.info["dpi"] = (DPI, DPI)
        bitmap.close()
        page.close()
        yield image


def ocr_pdf(data: bytes, pages: int, limits: Limits, meta: dict[str, str]) -> RawDocument:
    """OCR every page of a PDF that has no text layer (``pages`` pages), rendered at 300 dpi in grey.

    Raises ReadError "ocr_unavailable", "corrupt" (PDFium cannot render it),
    "timeout", "empty".
    """
    _require("这份 PDF 没有文字层（是扫描件），")
    try:
        document = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as exc:
        raise ReadError("PDF 文件已损坏，无法渲染页面进行文字识别", code="corrupt") from exc
    try:
        pages = min(pages, len(document))
        result = ocr_images(_rendered(document, pages), limits, pages)
    finally:
        document.close()
    return finish_ocr(result, "pdf", "这份 PDF 没有文字层（是扫描件），", meta)
