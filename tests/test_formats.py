"""Issue 9: .doc/.wps/.rtf/.odt through LibreOffice, scans and images through Tesseract OCR.

The office files are made from a .docx fixture by LibreOffice inside the test; the
scans are pages drawn with an installed CJK font. Tests that need LibreOffice or
Tesseract skip with the package to install when it is absent.
"""

from __future__ import annotations

import contextlib
import difflib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import psutil
import pypdfium2
import pytest
import pytesseract
from click.testing import CliRunner
from filelock import FileLock

from fixtures import (add_numbering, cjk_font_path, docx_bytes, image_bytes, new_document, number_paragraph, photo_bytes,
                      render_page, zip_bytes)
from sucai import budget
from sucai.cli import app
from sucai.errors import ReadError
from sucai.library import Library
from sucai.readers import Limits, ocr, office, read, read_bytes
from sucai.search import SearchRequest

needs_libreoffice = pytest.mark.skipif(shutil.which("soffice") is None,
                                       reason="needs LibreOffice (Debian: libreoffice-writer-nogui)")
needs_tesseract = pytest.mark.skipif(
    shutil.which("tesseract") is None or "chi_sim" not in (pytesseract.get_languages() if shutil.which("tesseract") else []),
    reason="needs Tesseract with Simplified Chinese (Debian: tesseract-ocr tesseract-ocr-chi-sim)")
needs_font = pytest.mark.skipif(cjk_font_path() is None, reason="needs a CJK font (Debian: fonts-wqy-microhei)")

SCAN_LINES = ["关于开展基层减负专项督查的通知", "各区县人民政府，市政府各部门：", "为深入贯彻落实中央关于整治形式主义为基层减负的部署，",
              "市政府决定于2024年4月开展专项督查。现将有关事项通知如下。", "重点督查文件会议精简、督查检查考核规范等情况。"]


def precise(library: Library, q: str) -> list[int]:
    return sorted(h.id for h in library.search(SearchRequest(q=q, mode="precise", limit=100), member=True).hits)


def fixture_docx() -> bytes:
    """A notice with automatic numbering (一、/（一）) and a table, as Word writes it."""
    document = new_document()
    add_numbering(document, 80, [("chineseCounting", "%1、"), ("chineseCounting", "（%2）")], 81)
    document.add_paragraph("关于做好年度考核工作的通知")
    document.add_paragraph("各单位：现就做好年度考核工作通知如下。")
    for text, level in (("考核范围", 0), ("考核对象", 1), ("考核程序", 0)):
        number_paragraph(document.add_paragraph(text), 81, level)
        document.add_paragraph("按照干部管理权限，分级分类组织实施。")
    table = document.add_table(rows=2, cols=2)
    table.style = "Table Grid"
    for r, row in enumerate((("等次", "比例"), ("优秀", "百分之二十"))):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    document.add_paragraph("特此通知。")
    return docx_bytes(document)


def libreoffice_convert(source: Path, target: str, outdir: Path) -> Path:
    """Make ``source`` into another format with LibreOffice (``target`` as for --convert-to, e.g. "wps:MS Word 97")."""
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(["soffice", f"-env:UserInstallation={Path(profile).as_uri()}", "--headless", "--convert-to",
                        target, "--outdir", str(outdir), str(source)], check=True, capture_output=True, timeout=180)
    return outdir / f"{source.stem}.{target.split(':')[0]}"


@pytest.fixture(scope="module")
def office_files(tmp_path_factory) -> dict[str, Path]:
    """The fixture .docx and its .doc, .wps (WPS 文字 writes the Word 97 format), .rtf and .odt copies."""
    if shutil.which("soffice") is None:
        pytest.skip("needs LibreOffice (Debian: libreoffice-writer-nogui)")
    folder = tmp_path_factory.mktemp("office")
    source = folder / "考核通知.docx"
    source.write_bytes(fixture_docx())
    files = {"docx": source}
    for target in ("doc", "wps:MS Word 97", "rtf", "odt"):
        files[target.split(":")[0]] = libreoffice_convert(source, target, folder / "made")
    return files


@needs_libreoffice
def test_doc_wps_rtf_odt_read_as_the_docx_they_were_made_from(office_files):
    expected = read(office_files["docx"]).text
    assert "一、考核范围" in expected and "（一）考核对象" in expected and "等次\t比例" in expected
    for fmt in ("doc", "wps", "odt", "rtf"):
        data = office_files[fmt].read_bytes()
        assert office.office_kind(data, office_files[fmt].name) == fmt
        raw = read_bytes(data, office_files[fmt].name)
        assert raw.format == fmt
        if fmt == "rtf":  # LibreOffice's RTF export writes list labels in the ANSI code page: "一?" for "一、"
            unlabelled = re.compile(r"^(一|二|（一）)、?")
            assert [unlabelled.sub("", line) for line in expected.split("\n")] == [
                re.sub(r"^(一\?|二\?|\(一\))", "", line) for line in raw.text.split("\n")]
        else:
            assert raw.text == expected, fmt


def linking_odt(address: str) -> bytes:
    """An .odt whose text is a title line and an image linked at ``address``, not held in the file."""
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content office:version="1.2"'
        ' xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:xlink="http://www.w3.org/1999/xlink"'
        ' xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"'
        ' xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0"><office:body><office:text>'
        '<text:p>关于做好防汛工作的通知</text:p><text:p><draw:frame draw:name="图" svg:width="2cm" svg:height="2cm">'
        f'<draw:image xlink:href="{address}" xlink:type="simple" xlink:show="embed" xlink:actuate="onLoad"/>'
        '</draw:frame></text:p></office:text></office:body></office:document-content>')
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest manifest:version="1.2"'
                ' xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
                '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.text"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>')
    return zip_bytes({"mimetype": "application/vnd.oasis.opendocument.text", "META-INF/manifest.xml": manifest,
                      "content.xml": content})


@needs_libreoffice
def test_a_converted_document_follows_no_link_out_of_it():
    """Attack 23: an .odt sent to 查重 — by a visitor — with an image linked at an address had the server's
    LibreOffice fetch it (a GET, after an OPTIONS: any host the server reaches, 10.0.0.5 or 169.254.169.254). A
    conversion's profile follows no link of a document to what lies outside it; the text is read as before."""
    asked = []

    class Listener(BaseHTTPRequestHandler):
        def handle_one_request(self):
            asked.append(self.rfile.readline().decode(errors="replace").strip())
            self.close_connection = True

    server = ThreadingHTTPServer(("127.0.0.1", 0), Listener)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        address = f"http://127.0.0.1:{server.server_address[1]}/图.png"
        assert read_bytes(linking_odt(address), "链接.odt").text.strip() == "关于做好防汛工作的通知"
    finally:
        server.shutdown()
        server.server_close()
    assert asked == []


@needs_libreoffice
def test_a_batch_of_office_files_is_converted_by_one_libreoffice(office_files, home, tmp_path, monkeypatch):
    starts = []
    real_popen = subprocess.Popen

    def counting_popen(command, *args, **kwargs):
        if any("soffice" in str(part) or "libreoffice" in str(part) for part in command):
            starts.append(command)
        return real_popen(command, *args, **kwargs)

    monkeypatch.setattr(office.subprocess, "Popen", counting_popen)
    folder = tmp_path / "in"
    folder.mkdir()
    for fmt in ("doc", "wps", "rtf", "odt"):
        shutil.copy(office_files[fmt], folder / f"考核通知.{fmt}")  # one name for all: outputs must not collide
    shutil.copy(office_files["docx"], folder / "考核通知.docx")
    library = Library.open(home)
    summary = library.ingest([folder])
    assert len(starts) == 2   # one makes its new profile and asks to be started again (exit 81), one converts all
    statuses = {Path(o.path).suffix: o.status for o in summary.outcomes}
    # the same text, so one document (the RTF's list labels differ, see above)
    assert statuses == {".doc": "ingested", ".docx": "duplicate", ".odt": "duplicate", ".rtf": "ingested",
                        ".wps": "duplicate"}
    doc, rtf = library.catalogue.documents()
    assert rtf.format == "rtf" and "等次\t比例" in rtf.text
    assert (doc.title, doc.format) == ("关于做好年度考核工作的通知", "doc")
    # width does not matter to search; the RTF is a near-duplicate: one result, its other version beside it
    assert precise(library, "（一）考核对象") == [doc.id]
    assert {v.id for v in library.clusters.versions(doc.id)} == {doc.id, rtf.id}


def test_a_hanging_conversion_times_out_and_the_batch_goes_on(tmp_path, monkeypatch):
    """A stand-in for soffice (same arguments) that hangs on one file: that file times out, the rest convert."""
    script = tmp_path / "soffice"
    script.write_text("#!/bin/sh\n"
                      'out=""; prev=""\n'
                      'for a in "$@"; do\n'
                      '  if [ "$prev" = "--outdir" ]; then out="$a"; fi; prev="$a"\n'
                      '  case "$a" in *.doc) name=$(basename "$a" .doc)\n'
                      '    if [ -n "$(readlink "$a" | grep /hang.doc)" ]; then sleep 60; fi\n'
                      '    echo converted > "$out/$name.docx";; esac\n'
                      "done\n")
    script.chmod(0o755)
    monkeypatch.setattr(office, "_soffice", lambda: str(script))
    # LibreOffice's start-up allowance (_STARTUP_SECONDS) stays: without it the stand-in had 2 s to start its shell
    # and convert a.doc — on a loaded machine a failure of a.doc, not hang.doc's; hang.doc's 2 s start at a.doc's output
    sources = []
    for name in ("a.doc", "hang.doc", "c.doc"):
        sources.append(tmp_path / name)
        sources[-1].write_bytes(b"x")
    results = office.convert_batch(sources, tmp_path / "work", timeout=2)
    assert isinstance(results[sources[1]], ReadError) and results[sources[1]].code == "timeout"
    assert "LibreOffice 转换超过 2 秒仍未完成" in results[sources[1]].message
    assert [results[s].read_text() for s in (sources[0], sources[2])] == ["converted\n", "converted\n"]


def large_rtf(folder: Path) -> Path:
    """An RTF LibreOffice reads for a second or more."""
    source = folder / "大文件.rtf"
    source.write_text("{\\rtf1 " + " ".join(f"\\par 第{n}段 落实基层减负" for n in range(300_000)) + "}")
    return source


def converting(parent: int, seconds: float = 1) -> list[psutil.Process]:
    """The LibreOffice (``soffice.bin``) that process ``parent`` started and that has run for ``seconds``."""
    with contextlib.suppress(psutil.Error):   # (the first LibreOffice of a new profile makes it and ends)
        return [p for p in psutil.Process(parent).children(recursive=True) if p.name() == "soffice.bin"
                and p.create_time() < time.time() - seconds and p.status() != psutil.STATUS_ZOMBIE]
    return []


def left_behind(process: psutil.Process) -> tuple[set[str], set[str]]:
    """What a LibreOffice would leave in /tmp if killed now: the sockets it listens on, read from the kernel (its
    single-instance pipe), and its temporary folders there (``lu{pid}…``, named by its process id)."""
    with contextlib.suppress(psutil.Error):
        sockets = {c.laddr for c in process.net_connections(kind="unix") if c.laddr}
        return sockets, {str(p) for p in Path("/tmp").glob(f"lu{process.pid}*")}
    return set(), set()


@needs_libreoffice
def test_a_conversion_stopped_on_its_time_limit_leaves_nothing_behind(tmp_path):
    """Ops 23: LibreOffice killed on a file's time limit left its socket (``/tmp/OSL_PIPE_…``) and its temporary
    folder (``/tmp/lu….tmp``) behind — a batch of 1,000 files as many of each as it had conversions stopped."""
    source = large_rtf(tmp_path)
    results, sockets, temporary, seen = {}, set(), set(), set()
    thread = threading.Thread(target=lambda: results.update(office.convert_batch([source], tmp_path / "work", 2)))
    thread.start()
    while thread.is_alive():
        for process in converting(os.getpid(), 0):
            found = left_behind(process)
            sockets |= found[0]
            temporary |= found[1]
            seen.add(process.pid)
        time.sleep(0.1)
    assert results[source].code == "timeout"
    assert [s for s in sockets if "OSL_PIPE" in s], "LibreOffice was not seen listening"
    assert [s for s in sockets if Path(s).exists()] == []
    assert temporary == set() and [p for pid in seen for p in Path("/tmp").glob(f"lu{pid}*")] == []
    assert list((tmp_path / "work").glob("batch-*/tmp/lu*")) != []   # in its conversion folder, removed with it


@needs_libreoffice
def test_libreoffice_ends_when_the_process_that_started_it_is_killed(tmp_path, monkeypatch):
    """ops22: an ingest killed (SIGKILL) during a conversion left LibreOffice (a session of its own) converting its
    chunk on, orphaned — a hung one for ever. The process converting is killed while LibreOffice reads a large RTF;
    LibreOffice (``soffice.bin``, not only its launcher) ends at once. Ops 23: the socket it leaves in /tmp goes with
    the process's conversion folder, at the next conversion — this test's own, in a temporary folder of its own (a
    parallel test's conversion, sweeping the shared one, removed it first: CI)."""
    source = large_rtf(tmp_path)
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    script = ("import sys; from pathlib import Path; from sucai.readers import office\n"
              "with office.conversion_folder() as folder:\n"
              "    print(folder, flush=True); office.convert_batch([Path(sys.argv[1])], folder, 600)")
    parent = subprocess.Popen([sys.executable, "-c", script, str(source)], stdout=subprocess.PIPE, text=True,
                              env={**os.environ, "PYTHONPATH": str(Path(office.__file__).parents[2]), "TMPDIR": str(temporary)})
    folder = Path(parent.stdout.readline().strip())
    assert folder.parent == temporary
    deadline, running, sockets = time.monotonic() + 60, [], set()
    while not (running and sockets) and time.monotonic() < deadline and parent.poll() is None:   # reading it for 1 s
        time.sleep(0.2)
        running = converting(parent.pid)
        sockets = {s for p in running for s in left_behind(p)[0] if "OSL_PIPE" in s}
    try:
        assert running and sockets and not list(folder.glob("batch-*/out/*.docx")), "LibreOffice did not start"
        parent.kill()
        parent.wait()
        _, alive = psutil.wait_procs(running, timeout=5)
        assert not alive
        assert folder.exists() and all(Path(s).exists() for s in sockets)   # what the killed ones left
        with office.conversion_folder():
            assert not folder.exists() and not any(Path(s).exists() for s in sockets)
    finally:
        parent.kill()
        for process in running:
            with contextlib.suppress(psutil.Error):
                process.kill()


def test_without_libreoffice_the_skip_reason_says_what_to_install(home, tmp_path, monkeypatch):
    monkeypatch.setattr(office.shutil, "which", lambda name: None)
    path = tmp_path / "旧文件.doc"
    path.write_bytes(b"{\\rtf1\\ansi hello}")  # RTF content under a .doc name: read by content
    [outcome] = Library.open(home).ingest([path]).outcomes
    assert outcome.status == "skipped"
    assert outcome.reason == "未安装 LibreOffice，无法转换该文件；请安装 LibreOffice（Debian/Ubuntu：apt-get install libreoffice-writer-nogui）"


@pytest.mark.parametrize(("entries", "name", "what"), [
    ({"mimetype": "application/vnd.oasis.opendocument.spreadsheet", "content.xml": "<x/>"}, "表.odt",
     "ODF 电子表格（.ods）"),
    ({"[Content_Types].xml": "<x/>", "xl/workbook.xml": "<x/>"}, "表.docx", "Excel 电子表格（.xlsx）"),
    ({"[Content_Types].xml": "<x/>", "ppt/presentation.xml": "<x/>"}, "汇报.docx", "PowerPoint 演示文稿（.pptx）"),
])
def test_spreadsheets_and_presentations_in_office_containers_are_refused_by_name(entries, name, what):
    with pytest.raises(ReadError) as caught:
        read_bytes(zip_bytes(entries), name)
    assert caught.value.code == "unsupported_format"
    assert caught.value.message == f"不支持的文件：实际是 {what}，目前只能导入文字文档"


# --- OCR -------------------------------------------------------------------------------------------------------

@needs_tesseract
@needs_font
@pytest.mark.parametrize(("name", "fmt"), [("扫描件.pdf", "PDF"), ("照片.png", "PNG"), ("扫描.tif", "TIFF"),
                                           ("拍照.jpg", "JPEG")])
def test_scans_and_images_are_ocrd_and_found_by_precise_search(home, tmp_path, name, fmt):
    path = tmp_path / name
    path.write_bytes(image_bytes(render_page(SCAN_LINES), fmt))
    if fmt == "PDF":  # a scan: pages, but no text layer
        document = pypdfium2.PdfDocument(path.read_bytes())
        assert len(document) == 1 and document[0].get_textpage().get_text_range() == ""
        document.close()
    library = Library.open(home)
    [outcome] = library.ingest([path]).outcomes
    assert outcome.status == "ingested", outcome.reason
    doc = library.get(outcome.doc_id)
    assert doc.format == ("pdf" if fmt == "PDF" else "image")
    assert 60 <= doc.ocr_confidence <= 100
    assert precise(library, "基层减负专项督查") == [doc.id]
    assert precise(library, "市政府决定于2024年4月开展专项督查") == [doc.id]
    shown = CliRunner().invoke(app, ["show", str(doc.id)])
    assert f"文字识别（OCR），平均置信度 {doc.ocr_confidence:.0f}%" in shown.stdout
    assert json.loads(CliRunner().invoke(app, ["show", str(doc.id), "--json"]).stdout)["ocr_confidence"] == doc.ocr_confidence


def _full_page_lines() -> list[str]:
    """A full A4 page of prose (``render_page``'s layout, 40-pixel characters: 30 lines of 28): the body of the
    bundled sample 对照检查材料, its title line left out."""
    sample = Path(__file__).parents[1] / "sucai/samples/library/01_对照检查材料_某市财政局第三党支部.txt"
    body = "".join(line.strip() for line in sample.read_text(encoding="utf-8").splitlines()[1:])
    return [body[i:i + 28] for i in range(0, 30 * 28, 28)]


@needs_tesseract
@needs_font
def test_a_full_page_image_that_states_no_resolution_is_read_in_order():
    """A user's first day (user23): a scanned page saved as a PNG without a resolution came out in pieces, its lines
    cut and out of order («国务院关\\n2018年\\n局\\n之»; 0.63 of this page right by matching blocks) —
    Tesseract, left to estimate the resolution, took the strokes of Han characters for diacritics. Told 200 dpi, it
    reads the page as drawn."""
    lines = _full_page_lines()
    raw = read_bytes(image_bytes(render_page(lines)), "扫描件.png")
    read_as = re.sub(r"\s", "", raw.text)
    assert difflib.SequenceMatcher(None, "".join(lines), read_as, autojunk=False).ratio() > 0.9
    assert read_as.startswith(lines[0][:12])


@needs_font
@pytest.mark.parametrize(("fmt", "saved_with", "told"), [
    ("PNG", {}, ocr.ASSUMED_DPI), ("PNG", {"dpi": (150, 150)}, 150), ("TIFF", {"dpi": (300, 300)}, 300),
    ("JPEG", {"dpi": (72, 72)}, 72), ("PNG", {"dpi": (40, 40)}, ocr.ASSUMED_DPI), ("PDF", {"resolution": 100}, ocr.DPI),
])
def test_tesseract_is_told_the_resolution_of_each_page(monkeypatch, fmt, saved_with, told):
    """The resolution a file states is the one Tesseract gets (the page image went to it as a PPM, which states
    none), below Tesseract's credible 70 dpi or none at all ``ASSUMED_DPI``; a scanned PDF's page the 300 dpi it is
    rendered at, whatever its image's own."""
    config = []
    monkeypatch.setattr(ocr, "_require", lambda what: None)
    monkeypatch.setattr(ocr.pytesseract, "image_to_data", lambda image, **options: (
        config.append(options["config"]), {key: [] for key in ("text", "conf", *ocr._LINE_KEY)})[1])
    buffer = io.BytesIO()
    render_page(["通知"], width=400, height=300).save(buffer, fmt, **saved_with)
    with pytest.raises(ReadError):   # nothing recognised: "empty"
        read_bytes(buffer.getvalue(), f"扫描.{fmt.lower()}")
    assert config == [f"--dpi {told}"]


@needs_font
@pytest.mark.parametrize(("font_size", "specks", "title"), [
    (9, False, False), (12, False, False), (16, False, False), (30, False, False), (30, True, False), (12, False, True)])
def test_the_text_height_of_a_page_is_its_lines_ink_height(font_size, specks, title):
    """The height ``ocr`` measures a page's text by (the median run of rows with ink) is the ink height of its lines
    as drawn, less the few rows that only a bracket's or a digit's tip reaches (a fifth at most: 9 of 11 pixels for
    9-pixel characters, 28 of 30 for 30); a speck of dust on a row of a page 1,020 pixels wide makes it no row of
    text, and its title twice as high does not make its text so (the median line)."""
    from PIL import Image

    data, heights = photo_bytes(SCAN_LINES, font_size, specks, title)
    with Image.open(io.BytesIO(data)) as image:
        measured = ocr._text_height(image.convert("L"))
    drawn = sorted(heights)[len(heights) // 2]
    assert 0.8 * drawn <= measured <= drawn


@needs_font
@pytest.mark.parametrize(("font_size", "scaled"), [(10, True), (30, False)])
def test_a_page_of_small_text_is_scaled_up_to_300_dpi_before_tesseract_reads_it(monkeypatch, font_size, scaled):
    """read29: a phone photo stating 72 dpi with 10-pixel characters went to Tesseract as it was; Tesseract reads text
    under about 20 pixels high badly. It is scaled by 300/72 and Tesseract told 300 dpi; 30-pixel text is not."""
    told = []
    monkeypatch.setattr(ocr, "_require", lambda what: None)
    monkeypatch.setattr(ocr.pytesseract, "image_to_data", lambda image, **options: (
        told.append((image.size, options["config"])), {key: [] for key in ("text", "conf", *ocr._LINE_KEY)})[1])
    data, _ = photo_bytes(SCAN_LINES, font_size)
    with pytest.raises(ReadError):   # nothing recognised: "empty"
        read_bytes(data, "拍照.jpg")
    width, height = font_size * 34, int(font_size * (len(SCAN_LINES) * 1.8 + 4))
    assert told == ([((round(width * 300 / 72), round(height * 300 / 72)), "--dpi 300")] if scaled
                    else [((width, height), "--dpi 72")])


@needs_tesseract
@needs_font
def test_a_phone_photo_of_small_text_is_read():
    """read29: the photo of 10-pixel characters was read 0.78 right (matching blocks), Tesseract given it as it
    was; scaled up to 300 dpi first, 0.92 (more than 0.88 asserted)."""
    data, _ = photo_bytes(SCAN_LINES, 10)
    read_as = re.sub(r"\s", "", read_bytes(data, "拍照.jpg").text)
    expected = "".join(SCAN_LINES)
    matched = sum(b.size for b in difflib.SequenceMatcher(None, expected, read_as, autojunk=False).get_matching_blocks())
    assert matched / len(expected) > 0.88


PAGE_HEADINGS = ["一、严格控制发文数量", "二、精简会议活动", "三、规范督查检查考核", "四、加强组织领导"]


def _multi_page(pages: list, fmt: str) -> bytes:
    buffer = io.BytesIO()
    pages[0].save(buffer, fmt, save_all=True, append_images=pages[1:], **({"resolution": 200} if fmt == "PDF" else {}))
    return buffer.getvalue()


@needs_tesseract
@needs_font
@pytest.mark.parametrize(("name", "fmt"), [("扫描件.pdf", "PDF"), ("扫描.tif", "TIFF")])
def test_pages_of_a_scan_are_ocrd_one_at_a_time_in_page_order_each_holding_the_batchs_turn(
        monkeypatch, tmp_path, name, fmt):
    """Issue 16: one Tesseract process at a time in a whole ingest (two at once, 100 MB each, set its peak
    memory): the pages of a scan go to Tesseract one after the other, in page order, each while it holds the
    lock the parse workers of a batch share (``budget.exclusive``)."""
    scan = _multi_page([render_page([heading, SCAN_LINES[number]]) for number, heading in enumerate(PAGE_HEADINGS)],
                       fmt)
    turn = FileLock(str(tmp_path / "turn.lock"))
    monkeypatch.setattr(budget, "_turn", turn)
    recognise, lock, inside, most, held = pytesseract.image_to_data, threading.Lock(), [0], [0], []

    def counted(image, **options):
        with lock:
            inside[0] += 1
            most[0] = max(most[0], inside[0])
        held.append(turn.is_locked)
        try:
            return recognise(image, **options)
        finally:
            with lock:
                inside[0] -= 1

    monkeypatch.setattr(pytesseract, "image_to_data", counted)
    raw = read_bytes(scan, name)
    assert most[0] == 1 and held == [True] * len(PAGE_HEADINGS)
    assert not turn.is_locked
    # each page found by its heading's last words: told its 200 dpi, Tesseract reads the third, a page of two lines,
    # 「三、规 … 三、 督查检查考核 … 范专」 (see test_tesseract_is_told_the_resolution_of_each_page)
    found = [raw.text.find(heading[-4:]) for heading in PAGE_HEADINGS]
    assert -1 not in found and found == sorted(found), found


@needs_tesseract
@needs_font
@pytest.mark.parametrize(("name", "fmt"), [("扫描件.pdf", "PDF"), ("扫描.tif", "TIFF")])
def test_the_ingest_tells_the_scan_it_waits_for_and_the_page_its_ocr_reads(home, tmp_path, monkeypatch, name, fmt):
    """The OCR of a many-page scan showed the previous file's name and a bar that did not move for minutes (review
    14): while the batch waits for a file, its progress names it, with the page its worker's OCR reads (n of 4).
    The batch looks every 20 ms here, not every second: a machine that reads the four pages within a second (this
    one took 0.5 s a page) showed no page between two looks."""
    monkeypatch.setattr(budget, "_IDLE_SECONDS", 0.02)
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "0 前一个.txt").write_text("关于开展安全生产检查的通知\n各单位：请于本月底前完成自查。\n",
                                               encoding="utf-8")
    scan = tmp_path / "in" / name
    scan.write_bytes(_multi_page([render_page([heading, SCAN_LINES[n]]) for n, heading in enumerate(PAGE_HEADINGS)],
                                 fmt))
    events = []
    [_, outcome] = Library.open(home).ingest([tmp_path / "in"], progress=events.append, workers=1).outcomes
    assert outcome.status == "ingested", outcome.reason
    waiting = [event for event in events if event.reading == str(scan)]
    pages = list(dict.fromkeys(event.page for event in waiting if event.page))
    assert pages and pages == sorted(pages) and {total for _, total in pages} == {len(PAGE_HEADINGS)}, pages
    assert all(event.done == 1 and event.path is None for event in waiting)   # the text file is done, the scan not


@needs_tesseract
@needs_font
def test_a_scan_past_its_deadline_stops_with_timeout():
    scan = _multi_page([render_page([heading]) for heading in PAGE_HEADINGS], "PDF")
    with pytest.raises(ReadError) as caught:
        read_bytes(scan, "扫描件.pdf", Limits(deadline=time.monotonic() - 1))
    assert caught.value.code == "timeout"
    assert caught.value.message == (
        "文字识别（OCR）读到第 1 页（共 4 页）时超出每个文件的时间上限，已停止；"
        "可调大设置 parse_timeout_seconds（sucai.toml，或环境变量 SUCAI_PARSE_TIMEOUT_SECONDS）后再次入库，这个文件会重新读取")


@needs_tesseract
@needs_font
def test_a_scan_whose_deadline_passes_after_its_first_page_says_which_page_it_stopped_at(monkeypatch):
    """F4: a 25-page scan over its time limit said only that it was; now the reason names the page it stopped at,
    the pages, and the setting to raise. Page 1 is read by Tesseract, the deadline has passed at page 2."""
    read_pages = []

    def first_page_in_time(image, limits, real=ocr._recognise):
        read_pages.append(image)
        return real(image, limits if len(read_pages) == 1 else Limits(deadline=time.monotonic() - 1))

    monkeypatch.setattr(ocr, "_recognise", first_page_in_time)
    scan = _multi_page([render_page([heading]) for heading in PAGE_HEADINGS[:3]], "PDF")
    with pytest.raises(ReadError) as caught:
        read_bytes(scan, "扫描件.pdf", Limits(deadline=time.monotonic() + 120))
    assert (caught.value.code, len(read_pages)) == ("timeout", 2)
    assert caught.value.message.startswith("文字识别（OCR）读到第 2 页（共 3 页）时超出每个文件的时间上限，已停止；")
    assert "parse_timeout_seconds" in caught.value.message


@needs_tesseract
@needs_font
def test_a_scan_whose_deadline_passes_while_another_worker_runs_tesseract_stops_with_timeout(monkeypatch, tmp_path):
    monkeypatch.setattr(budget, "_turn", FileLock(str(tmp_path / "turn.lock")))
    other = FileLock(str(tmp_path / "turn.lock"))
    held = threading.Event()
    release = threading.Event()

    def another_worker():  # flock locks of two open files exclude each other, also in one process
        with other:
            held.set()
            release.wait(30)

    thread = threading.Thread(target=another_worker)
    thread.start()
    try:
        held.wait(30)
        with pytest.raises(ReadError) as caught:
            read_bytes(image_bytes(render_page([PAGE_HEADINGS[0]])), "扫描.png", Limits(deadline=time.monotonic() + 1))
    finally:
        release.set()
        thread.join()
    assert caught.value.code == "timeout"


def test_without_tesseract_the_skip_reason_says_what_to_install(home, tmp_path, monkeypatch):
    monkeypatch.setattr(pytesseract.pytesseract, "tesseract_cmd", "no-such-tesseract")
    with pytest.raises(ReadError) as caught:
        read_bytes(image_bytes(render_page(["通知"]) if cjk_font_path() else _blank()), "a.png")
    assert caught.value.code == "ocr_unavailable"
    assert caught.value.message == ("图片需要文字识别（OCR）：未安装 Tesseract 文字识别程序，请安装 Tesseract 及其简体中文模型"
                                    "（Debian/Ubuntu：apt-get install tesseract-ocr tesseract-ocr-chi-sim）")


def _blank():
    from PIL import Image

    return Image.new("L", (200, 100), 255)


@pytest.mark.corpus
@needs_tesseract
def test_corpus_image_only_scan_is_ocrd(corpus_dir):
    """Two pages of the real GB/T 15834-2011 scan (no text layer), cut out with PDFium and read by OCR."""
    source = pypdfium2.PdfDocument(corpus_dir / "pdf_docx_fixtures" / "标点符号用法（GBT 15834-2011）.pdf")
    assert all(not source[i].get_textpage().get_text_range().strip() for i in range(len(source)))
    part = pypdfium2.PdfDocument.new()
    part.import_pages(source, [4, 5])
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        part.save(handle)
        handle.flush()
        raw = read(Path(handle.name))
    assert raw.format == "pdf" and raw.ocr_confidence > 70
    for phrase in ("标号的作用", "句号", "问号的形式", "疑问语气"):
        assert phrase in raw.text, phrase
    assert os.linesep not in raw.text.replace("\n", "")


NOTICE_WITH_NUMBER = ("国务院关于印发国家职业教育改革实施方案的通知\n国发〔2019〕4号\n各省、自治区、直辖市人民政府，国务院各部委、各直属机构：\n"
                      "现将《国家职业教育改革实施方案》印发给你们，请认真贯彻执行。\n国务院\n2019年1月24日\n")


@needs_libreoffice
def test_a_pdf_of_our_own_export_keeps_its_doc_number(tmp_path):
    """F24: the exported .docx puts the 发文字号 above the title (GB/T 9704 版头); LibreOffice's PDF of it
    writes "国发〔2019〕4 号". Read back, the line above the title is still read as the 发文字号."""
    from sucai.export import export_document
    from sucai.ingest import parse_file

    source = tmp_path / "通知.txt"
    source.write_text(NOTICE_WITH_NUMBER, encoding="utf-8")
    original = parse_file(source)
    assert original.doc_number == "国发〔2019〕4号"
    name, data = export_document(original, "docx")
    exported = tmp_path / "export" / name
    exported.parent.mkdir()
    exported.write_bytes(data)
    pdf = libreoffice_convert(exported, "pdf", tmp_path / "pdf")
    doc = parse_file(pdf)
    assert doc.title == "国务院关于印发国家职业教育改革实施方案的通知"
    assert doc.doc_number == "国发〔2019〕4号"
