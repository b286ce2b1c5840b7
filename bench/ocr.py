"""Benchmark OCR: pages/s and character accuracy of scans read through sucai's OCR path.

Run from the project root: ``python bench/ocr.py [--pages N] [--scan-pages N]``.

1. Rendered pages: N A4 pages of known official-writing text drawn with an installed
   CJK font at 200 dpi (as the tests do), saved as PNG and read with
   ``sucai.readers.read_bytes`` (Tesseract chi_sim + layout + CJK spacing).
   Baseline in the same process: ``pytesseract.image_to_string`` on the same page
   images (Tesseract alone, no layout steps).
2. The real image-only scan ``../shared/corpus/pdf_docx_fixtures/标点符号用法（GBT 15834-2011）.pdf``:
   its first N pages through ``read_bytes`` (rendered at 300 dpi by PDFium, one Tesseract at a time); the
   accuracy is measured on page 5, whose upper half is transcribed below.
   Baseline in the same process: ``pytesseract.image_to_string`` on the same pages rendered alike
   (Tesseract alone, no layout steps).
3. Phone photos stating 72 dpi of 9- to 11-pixel characters: read with ``read_bytes``, which scales them up to
   300 dpi first; baseline in the same process: Tesseract told their 72 dpi, not scaled (as before read29).

Character accuracy = characters of the reference found, in order, in the OCR text
(difflib matching blocks), over the reference length; both sides NFKC-normalised
(full-width punctuation = half-width) with whitespace removed. Targets: ≥ 0.95 on
rendered pages, ≥ 0.85 on the real scan and on the photos, ≥ 0.2 pages/s on 2 cores.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import unicodedata
from difflib import SequenceMatcher

from _common import REPO, Timer, corpus_dir, table

sys.path.insert(0, str(REPO / "tests"))
os.environ.setdefault("OMP_THREAD_LIMIT", "1")

import pypdfium2  # noqa: E402
import pytesseract  # noqa: E402
from fixtures import image_bytes, photo_bytes, render_page  # noqa: E402
from PIL import Image  # noqa: E402

from sucai.readers import ocr, read_bytes  # noqa: E402

TARGET_ACCURACY_RENDERED, TARGET_ACCURACY_SCAN, TARGET_PAGES_PER_S = 0.95, 0.85, 0.2
TARGET_ACCURACY_PHOTO = 0.85
PARAGRAPHS = [
    "关于进一步加强基层减负工作的通知", "各区县人民政府，市政府各部门：",
    "为深入贯彻落实中央关于整治形式主义为基层减负的部署要求，", "切实把基层干部从繁文缛节中解脱出来，现就有关事项通知如下。",
    "一、严格控制发文数量。各部门要坚持少发文、发短文，", "能合并的合并发文，可发可不发的一律不发。",
    "二、精简会议活动。严格执行会议审批制度，", "提倡开短会、讲短话，能视频召开的不集中召开。",
    "三、规范督查检查考核。统筹安排督查检查事项，", "2024年督查检查考核总数比上年减少百分之三十以上。",
    "四、加强组织领导。各地各部门主要负责同志要亲自部署，", "确保各项措施落到实处，取得实效。",
]
SCAN_PAGE5_REFERENCE = (
    "GB/T15834—2011 3.2标号 标号的作用是标明，主要标示某些成分（主要是词语）的特定性质和作用。"
    "包括引号、括号、破折号、省略号、着重号、连接号、间隔号、书名号、专名号、分隔号。"
    "4标点符号的定义、形式和用法 4.1句号 4.1.1定义 句末点号的一种，主要表示句子的陈述语气。"
    "4.1.2形式 句号的形式是“。”。4.1.3基本用法 4.1.3.1用于句子末尾，表示陈述语气。"
    "使用句号主要根据语段前后有较大停顿、带有陈述语气和语调，并不取决于句子的长短。"
    "示例1：北京是中华人民共和国的首都。示例2：（甲：咱们走着去吧？）乙：好。"
    "4.1.3.2有时也可表示较缓和的祈使语气和感叹语气。"
)


def _normal(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def accuracy(reference: str, recognised: str) -> float:
    ref, got = _normal(reference), _normal(recognised)
    matched = sum(block.size for block in SequenceMatcher(None, ref, got, autojunk=False).get_matching_blocks())
    return matched / len(ref)


def rendered(pages: int) -> list[list]:
    images = [render_page(PARAGRAPHS[i % 3:] + PARAGRAPHS[: i % 3]) for i in range(pages)]
    references = ["".join(PARAGRAPHS[i % 3:] + PARAGRAPHS[: i % 3]) for i in range(pages)]
    with Timer() as ours:
        texts = [read_bytes(image_bytes(image), "page.png").text for image in images]
    with Timer() as baseline:
        plain = [pytesseract.image_to_string(image, lang="chi_sim") for image in images]
    mean = lambda values: sum(values) / len(values)  # noqa: E731
    return [
        ["sucai read_bytes (PNG)", pages, pages / ours.seconds, mean(list(map(accuracy, references, texts))),
         TARGET_ACCURACY_RENDERED],
        ["baseline: image_to_string", pages, pages / baseline.seconds, mean(list(map(accuracy, references, plain))),
         TARGET_ACCURACY_RENDERED],
    ]


def real_scan(pages: int) -> list[list]:
    path = corpus_dir("pdf_docx_fixtures") / "标点符号用法（GBT 15834-2011）.pdf"
    source = pypdfium2.PdfDocument(path)
    part = pypdfium2.PdfDocument.new()
    part.import_pages(source, list(range(min(max(pages, 5), len(source)))))
    page5 = pypdfium2.PdfDocument.new()
    page5.import_pages(source, [4])
    with Timer() as timer:
        raw = read_bytes(_pdf_bytes(part), "scan.pdf")
    page5_accuracy = accuracy(SCAN_PAGE5_REFERENCE, read_bytes(_pdf_bytes(page5), "page5.pdf").text)
    images = [page.render(scale=ocr.DPI / 72, grayscale=True).to_pil() for page in part]
    with Timer() as baseline:
        plain = [pytesseract.image_to_string(image, lang=ocr.LANGUAGE) for image in images]
    return [["real scan GB/T 15834 (PDF)", len(part), len(part) / timer.seconds, page5_accuracy, TARGET_ACCURACY_SCAN,
             raw.ocr_confidence],
            ["baseline: image_to_string", len(part), len(part) / baseline.seconds,
             accuracy(SCAN_PAGE5_REFERENCE, plain[4]), TARGET_ACCURACY_SCAN]]


def photos(sizes: tuple[int, ...] = (9, 10, 11)) -> list[list]:
    """Phone photos of the notice's first lines stating 72 dpi (EXIF), characters of ``sizes`` pixels (tests'
    ``photo_bytes``): read with ``read_bytes`` (scaled up to 300 dpi first, text under 20 pixels high), and, the
    baseline in the same process, as they were before read29: Tesseract told their 72 dpi, no scaling."""
    rows = []
    reference = "".join(PARAGRAPHS[:6])
    for size in sizes:
        data, _ = photo_bytes(PARAGRAPHS[:6], size)
        with Timer() as ours:
            text = read_bytes(data, "photo.jpg").text
        with Image.open(io.BytesIO(data)) as image, Timer() as baseline:
            plain = pytesseract.image_to_string(image.convert("L"), lang=ocr.LANGUAGE, config="--dpi 72")
        rows += [[f"72-dpi photo, {size}-px characters", 1, 1 / ours.seconds, accuracy(reference, text),
                  TARGET_ACCURACY_PHOTO],
                 ["baseline: told 72 dpi, not scaled", 1, 1 / baseline.seconds, accuracy(reference, plain),
                  TARGET_ACCURACY_PHOTO]]
    return rows


def _pdf_bytes(document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=4, help="rendered pages to OCR (default 4)")
    parser.add_argument("--scan-pages", type=int, default=5, help="pages of the real scan to OCR (default 5, at least 5)")
    args = parser.parse_args()
    rows = rendered(args.pages)
    rows += photos()
    rows += real_scan(args.scan_pages)
    table(["what", "pages", "pages/s", "char accuracy", "target accuracy", "mean confidence"],
          [row + [""] * (6 - len(row)) for row in rows],
          title=f"OCR (Tesseract chi_sim, one thread per Tesseract process; target ≥ {TARGET_PAGES_PER_S} pages/s)")


if __name__ == "__main__":
    main()
