"""Builders for reader test inputs, generated in code (no binary files in the repo)."""

from __future__ import annotations

import io
import zipfile

import docx
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

PAGE_WIDTH, PAGE_HEIGHT = 595, 842


def zip_bytes(entries: dict[str, str | bytes]) -> bytes:
    """A zip archive holding each ``name: text`` of ``entries``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _pdf_object(number: int, body: bytes) -> bytes:
    return b"%d 0 obj\n" % number + body + b"\nendobj\n"


def _content_stream(runs: list[tuple[float, float, str]], size: float) -> bytes:
    """Each run is (x, y, text) in points, drawn with its own text matrix (glyphs 1 em wide)."""
    ops = [b"BT", b"/F1 %g Tf" % size]
    for x, y, text in runs:
        ops.append(b"1 0 0 1 %g %g Tm <%s> Tj" % (x, y, text.encode("utf-16-be").hex().upper().encode()))
    ops.append(b"ET")
    return b"\n".join(ops)


def make_cjk_pdf(pages: list[list[tuple[float, float, str]]], size: float = 12) -> bytes:
    """A minimal PDF whose text uses the standard CJK font STSong-Light (Adobe-GB1, UniGB-UCS2-H).

    The font is not embedded, so no font file is needed; pdfminer maps the CIDs
    back to Unicode through its bundled Adobe-GB1 tables. Each page is a list of
    (x, y, text) runs; a gap between two runs on one line is what makes a text
    extractor insert a space ("农业用 水定额").
    """
    page_ids = [4 + 2 * i for i in range(len(pages))]
    objects = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(b"%d 0 R" % p for p in page_ids), len(pages)),
        3: b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H "
           b"/DescendantFonts [<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light "
           b"/CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> /DW 1000 "
           b"/FontDescriptor << /Type /FontDescriptor /FontName /STSong-Light /Flags 6 "
           b"/FontBBox [0 -200 1000 900] /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 "
           b"/StemV 93 >> >>] >>",
    }
    for page_id, runs in zip(page_ids, pages):
        stream = _content_stream(runs, size)
        objects[page_id] = (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Resources << /Font << /F1 3 0 R >> >> "
                            b"/Contents %d 0 R >>" % (PAGE_WIDTH, PAGE_HEIGHT, page_id + 1))
        objects[page_id + 1] = b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream"
    out = bytearray(b"%PDF-1.4\n")
    offsets = {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += _pdf_object(number, objects[number])
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offsets[n] for n in sorted(objects))
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _level_xml(ilvl: int, num_fmt: str, text: str, start: int = 1, suffix: str | None = None) -> str:
    suff = f'<w:suff w:val="{suffix}"/>' if suffix else ""
    return (f'<w:lvl w:ilvl="{ilvl}"><w:start w:val="{start}"/><w:numFmt w:val="{num_fmt}"/>{suff}'
            f'<w:lvlText w:val="{text}"/></w:lvl>')


def add_numbering(document, abstract_id: int, levels: list[tuple], num_id: int, start_override: int | None = None) -> None:
    """Add an abstractNum (``levels``: (numFmt, lvlText[, start[, suff]]) for ilvl 0, 1, …) and a w:num to a python-docx Document.

    ``start_override`` adds <w:lvlOverride w:ilvl="0"><w:startOverride/>.
    """
    numbering = document.part.numbering_part.element
    lvls = "".join(_level_xml(i, *level) for i, level in enumerate(levels))
    numbering.append(parse_xml(f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{abstract_id}">{lvls}</w:abstractNum>'))
    override = (f'<w:lvlOverride w:ilvl="0"><w:startOverride w:val="{start_override}"/></w:lvlOverride>'
                if start_override is not None else "")
    numbering.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="{num_id}"><w:abstractNumId w:val="{abstract_id}"/>'
                               f'{override}</w:num>'))


def number_paragraph(paragraph, num_id: int, ilvl: int = 0) -> None:
    """Give a python-docx Paragraph a direct <w:numPr> (numId, ilvl)."""
    paragraph._p.get_or_add_pPr().append(parse_xml(
        f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num_id}"/></w:numPr>'))


def number_style(style, num_id: int, ilvl: int = 0) -> None:
    """Attach numbering to a paragraph style, so paragraphs get it through the style."""
    style.element.get_or_add_pPr().append(parse_xml(
        f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num_id}"/></w:numPr>'))


def docx_bytes(document) -> bytes:
    """Serialise a python-docx Document."""
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def zip_bomb_docx(base: bytes, payload_mb: int = 30) -> bytes:
    """``base`` (a real .docx) plus one extra entry of ``payload_mb`` MB of zeros, deflated (about 1000:1)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            target.writestr(entry, source.read(entry))
        target.writestr("word/media/padding.bin", bytes(payload_mb * 1024 * 1024))
    return buffer.getvalue()


def new_document():
    """A blank python-docx Document (its template already has a numbering part)."""
    return docx.Document()


CJK_FONTS = ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
             "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")


def cjk_font_path() -> str | None:
    """An installed CJK font (Debian fonts-wqy-microhei or fonts-noto-cjk), None when there is none."""
    from pathlib import Path

    return next((font for font in CJK_FONTS if Path(font).exists()), None)


def render_page(lines: list[str], font_size: int = 40, width: int = 1654, height: int = 2339):
    """A "scanned" A4 page at 200 dpi: ``lines`` drawn in black on white with a CJK font (a Pillow image, mode L).

    Each line starts two characters in, like an indented paragraph; lines are 1.8 font sizes apart.
    """
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(cjk_font_path(), font_size)
    image = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(image)
    for number, line in enumerate(lines):
        draw.text((160 + 2 * font_size, 200 + number * int(1.8 * font_size)), line, font=font, fill=0)
    return image


def photo_bytes(lines: list[str], font_size: int, specks: bool = False, title: bool = False) -> tuple[bytes, list[int]]:
    """A phone photo of ``lines`` as small as a 72-dpi page prints them: ``font_size``-pixel characters, grey on
    off-white, slightly blurred, a JPEG stating 72 dpi (EXIF); and the ink height of each line, drawn alone.
    ``specks``: a dark speck on every row (dust, the sensor's noise); ``title``: the first line twice as high."""
    from PIL import Image, ImageDraw, ImageFilter, ImageFont

    font = ImageFont.truetype(cjk_font_path(), font_size)
    image = Image.new("L", (font_size * 34, int(font_size * (len(lines) * 1.8 + 4))), 235)
    fonts = [ImageFont.truetype(cjk_font_path(), 2 * font_size) if title else font] + [font] * len(lines)
    draw = ImageDraw.Draw(image)
    for row in range(image.height) if specks else ():   # 2 by 2 pixels: a 1-pixel one the blur makes faint
        draw.rectangle(((row * 37) % (image.width - 1), row, (row * 37) % (image.width - 1) + 1, row + 1), fill=30)
    heights = []
    for number, (line, font) in enumerate(zip(lines, fonts)):
        at = (font_size * 2, font_size * (2 + (title and number > 0)) + number * int(1.8 * font_size))
        draw.text(at, line, font=font, fill=30)
        alone = Image.new("L", image.size, 0)
        ImageDraw.Draw(alone).text(at, line, font=font, fill=255)
        top, bottom = alone.getbbox()[1::2]   # the line's ink alone
        heights.append(bottom - top)
    buffer = io.BytesIO()
    image.filter(ImageFilter.GaussianBlur(0.6)).save(buffer, "JPEG", quality=85, dpi=(72, 72))
    return buffer.getvalue(), heights


def image_bytes(image, fmt: str = "PNG") -> bytes:
    """An image saved as PNG, JPEG, TIFF — or PDF: an image-only PDF, i.e. a scan without a text layer."""
    buffer = io.BytesIO()
    image.save(buffer, fmt, **({"resolution": 200} if fmt == "PDF" else {}))
    return buffer.getvalue()
