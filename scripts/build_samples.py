#!/usr/bin/env python3
"""Build the bundled demo library ``sucai/samples/library/`` from ``sucai/samples/src/``.

The sources are readable UTF-8 text written for this project (fictional units, no
third-party text). This script saves each one the way such files turn up in real
collections — other encodings, BOM + CRLF, markdown, a GBK web page, a Word file
whose heading numbers come from automatic numbering, a PDF with a text layer — plus
one exact duplicate and one damaged file, so the demo shows what sucai cleans up.

The output is deterministic: running the script twice gives the same bytes
(fixed docx core properties and zip timestamps, no PDF dates or IDs).

Usage:  python scripts/build_samples.py [--check]
``--check`` rebuilds in memory and fails if any shipped file differs.

Markers in the sources: ``<U+200B>`` stands for a zero-width space (kept visible
in the source so a reviewer can see it).
"""

from __future__ import annotations

import argparse
import html
import io
import re
import sys
import zipfile
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "sucai" / "samples" / "src"
OUT = ROOT / "sucai" / "samples" / "library"

FIXED_TIME = datetime(2024, 3, 1, 9, 0, 0)
ZIP_TIME = (2024, 3, 1, 9, 0, 0)


def source(name: str) -> str:
    text = (SRC / name).read_text(encoding="utf-8")
    return text.replace("<U+200B>", "\u200b")


# ---------------------------------------------------------------- plain text


def encode_text(text: str, encoding: str, *, bom: bool = False, crlf: bool = False) -> bytes:
    if crlf:
        text = text.replace("\n", "\r\n")
    if encoding == "utf-16-le":
        return b"\xff\xfe" + text.encode("utf-16-le")  # BOM written explicitly
    data = text.encode(encoding)  # strict: fails loudly on an unencodable char
    return (b"\xef\xbb\xbf" + data) if bom else data


# ---------------------------------------------------------------- html (GBK)

HTML_PAGE = """<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="gb2312">
<title>{title}_讲话稿_青松素材网</title>
<meta name="keywords" content="讲话稿,作风建设,基层减负,青松素材网">
<link rel="stylesheet" href="/static/css/main.css">
<script>
var _hmt = _hmt || [];
(function () {{ var s = document.createElement("script"); s.src = "https://example.org/stat.js"; document.head.appendChild(s); }})();
</script>
</head>
<body>
<div class="topbar">欢迎来到青松素材网！<a href="/login">登录</a> | <a href="/vip">开通会员</a></div>
<nav class="menu">
<ul>
<li><a href="/">首页</a></li>
<li><a href="/list/jianghua/">讲话稿</a></li>
<li><a href="/list/zongjie/">工作总结</a></li>
<li><a href="/list/xinde/">心得体会</a></li>
<li><a href="/list/duizhao/">对照检查</a></li>
<li><a href="/vip">会员专区</a></li>
</ul>
</nav>
<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="/list/jianghua/">讲话稿</a> &gt; 正文</div>
<div class="main">
<article>
<h1>{title}</h1>
<div class="info">发布时间：2024-02-20　栏目：讲话稿　浏览：1024次</div>
{paragraphs}
</article>
<aside class="related">
<h3>相关推荐</h3>
<ul>
<li><a href="/a/1001.html">在全市机关作风建设大会上的讲话</a></li>
<li><a href="/a/1002.html">基层减负工作情况汇报</a></li>
<li><a href="/a/1003.html">作风建设年活动实施方案</a></li>
</ul>
</aside>
</div>
<footer>
<p>本站部分资料来源于网络，仅供学习参考。</p>
<p>Copyright &copy; 2024 青松素材网 版权所有　客服微信：qs_sucai01　ICP备00000000号</p>
</footer>
<script>document.write('<div class="float-ad">开通会员 全站资料免费下载</div>');</script>
</body>
</html>
"""


def build_html(text: str) -> bytes:
    title, *lines = [ln for ln in text.split("\n") if ln.strip()]
    paragraphs = "\n".join(f"<p>{html.escape(ln, quote=False)}</p>" for ln in lines)
    page = HTML_PAGE.format(title=html.escape(title, quote=False), paragraphs=paragraphs)
    # Declared gb2312 as most such sites do; bytes are GBK (a superset).
    return page.encode("gbk")


# ---------------------------------------------------------------- docx with automatic numbering

CN_DIGITS = "一二三四五六七八九十"
LABELS = [  # (level, pattern) — level 0 一、 / 1 （一） / 2 1.
    (0, re.compile(r"^([一二三四五六七八九十]+)、(.*)$")),
    (1, re.compile(r"^（([一二三四五六七八九十]+)）(.*)$")),
    (2, re.compile(r"^(\d+)\.\s*(.*)$")),
]
LEVEL_FORMATS = [  # numFmt, lvlText
    ("chineseCounting", "%1、"),
    ("chineseCounting", "（%2）"),
    ("decimal", "%3."),
]


def _cn_number(label: str) -> int:
    if label.isdigit():
        return int(label)
    if label == "十":
        return 10
    if label.startswith("十"):
        return 10 + CN_DIGITS.index(label[1]) + 1
    return CN_DIGITS.index(label) + 1


def _add_numbering(document) -> int:
    """Add a multilevel 一、/（一）/1. list to numbering.xml; return its numId."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls, qn

    numbering = document.part.numbering_part.element
    abstract_ids = [int(el.get(qn("w:abstractNumId"))) for el in numbering.findall(qn("w:abstractNum"))]
    num_ids = [int(el.get(qn("w:numId"))) for el in numbering.findall(qn("w:num"))]
    abstract_id = max(abstract_ids, default=-1) + 1
    num_id = max(num_ids, default=0) + 1

    levels = "".join(
        f'<w:lvl w:ilvl="{i}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>'
        f'<w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/><w:suff w:val="nothing"/>'
        f'<w:pPr><w:ind w:left="0" w:firstLine="640"/></w:pPr></w:lvl>'
        for i, (fmt, text) in enumerate(LEVEL_FORMATS)
    )
    abstract = parse_xml(
        f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{abstract_id}">'
        f'<w:nsid w:val="5C3A1E01"/><w:multiLevelType w:val="multilevel"/>{levels}</w:abstractNum>'
    )
    num = parse_xml(f'<w:num {nsdecls("w")} w:numId="{num_id}"><w:abstractNumId w:val="{abstract_id}"/></w:num>')
    # Schema order: every w:abstractNum precedes every w:num.
    first_num = numbering.find(qn("w:num"))
    if first_num is not None:
        first_num.addprevious(abstract)
    else:
        numbering.append(abstract)
    numbering.append(num)
    return num_id


def _set_numbering(paragraph, num_id: int, level: int) -> None:
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    ppr = paragraph._p.get_or_add_pPr()
    num_pr = parse_xml(f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{level}"/><w:numId w:val="{num_id}"/></w:numPr>')
    # numPr goes right after pStyle (CT_PPr sequence order).
    if ppr.pStyle is not None:
        ppr.pStyle.addnext(num_pr)
    else:
        ppr.insert(0, num_pr)


def _set_east_asian_font(style, name: str) -> None:
    from docx.oxml.ns import qn

    rpr = style.element.get_or_add_rPr()
    fonts = rpr.get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), name)


def build_docx(text: str) -> bytes:
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    document = docx.Document()
    _set_east_asian_font(document.styles["Normal"], "仿宋_GB2312")
    for name in ("Heading 1", "Heading 2", "Title"):
        _set_east_asian_font(document.styles[name], "黑体")
    num_id = _add_numbering(document)

    title, *lines = [ln for ln in text.split("\n") if ln.strip()]
    heading = document.add_paragraph(title, style="Title")
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER

    counters = [0, 0, 0]
    for line in lines:
        for level, pattern in LABELS:
            match = pattern.match(line)
            if match:
                break
        else:
            document.add_paragraph(line)
            continue
        # The source's label must be what Word's numbering will display.
        counters[level] += 1
        counters[level + 1 :] = [0] * (len(counters) - level - 1)
        if _cn_number(match.group(1)) != counters[level]:
            raise SystemExit(f"07 source: label {line[:8]!r} out of sequence (expected {counters[level]})")
        body = match.group(2)
        pure_heading = "。" not in body
        style = {0: "Heading 1", 1: "Heading 2"}.get(level) if pure_heading else None
        paragraph = document.add_paragraph(body, style=style)  # label NOT in the runs
        _set_numbering(paragraph, num_id, level)

    props = document.core_properties
    props.author = "某县农业农村局办公室"
    props.last_modified_by = "某县农业农村局办公室"
    props.title = title
    props.comments = ""
    props.created = FIXED_TIME
    props.modified = FIXED_TIME
    props.last_printed = FIXED_TIME
    props.revision = 1

    raw = io.BytesIO()
    document.save(raw)
    return normalize_zip(raw.getvalue())


def normalize_zip(data: bytes) -> bytes:
    """Rewrite a zip with fixed entry timestamps so the bytes do not depend on when it was built."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            dst.writestr(entry, src.read(info.filename))
    return out.getvalue()


# ---------------------------------------------------------------- pdf with a text layer

# The standard Adobe CJK font STSong-Light, not embedded; UniGB-UCS2-H makes each
# 2-byte code the character's UCS-2 value, and any reader maps it back to Unicode
# through Adobe-GB1. Every glyph advances one em (DW 1000), which keeps the layout
# arithmetic trivial.
PDF_PAGE_W, PDF_PAGE_H = 595, 842  # A4 in points
PDF_SIZE, PDF_LEADING = 14, 26
PDF_CHARS_PER_LINE = 28  # GB/T 9704: 28 characters a line
PDF_LINES_PER_PAGE = 24
PDF_LEFT = (PDF_PAGE_W - PDF_CHARS_PER_LINE * PDF_SIZE) / 2
PDF_TOP = 760


def _pdf_hex(text: str) -> str:
    return "<" + text.encode("utf-16-be").hex().upper() + ">"


NO_LINE_START = "，。、；：？！）》”’"  # punctuation that may not begin a line (hangs at the end instead)


def _wrap(paragraph: str, first: int, width: int) -> list[str]:
    lines, rest, size = [], paragraph, first
    while rest:
        cut = size
        while cut < len(rest) and rest[cut] in NO_LINE_START:
            cut += 1
        lines.append(rest[:cut])
        rest, size = rest[cut:], width
    return lines


def _pdf_lines(text: str) -> list[tuple[str, float, int]]:
    """(text, x, size) for each printed line: title centred, paragraphs indented two characters."""
    title, *paragraphs = [ln for ln in text.split("\n") if ln.strip()]
    title_size = 18
    lines = [(title, (PDF_PAGE_W - len(title) * title_size) / 2, title_size), ("", 0, PDF_SIZE)]
    for paragraph in paragraphs:
        for i, line in enumerate(_wrap(paragraph, PDF_CHARS_PER_LINE - 2, PDF_CHARS_PER_LINE)):
            lines.append((line, PDF_LEFT + (2 * PDF_SIZE if i == 0 else 0), PDF_SIZE))
    return lines


def build_pdf(text: str) -> bytes:
    lines = _pdf_lines(text)
    pages = [lines[i : i + PDF_LINES_PER_PAGE] for i in range(0, len(lines), PDF_LINES_PER_PAGE)]

    objects: list[bytes] = []  # object n is objects[n - 1]
    font_ref = 3
    page_refs = []
    first_page_obj = 6
    for number, page in enumerate(pages, start=1):
        ops = ["BT"]
        y = PDF_TOP
        for line, x, size in page:
            if line:
                ops.append(f"/F1 {size} Tf 1 0 0 1 {x:.2f} {y:.2f} Tm {_pdf_hex(line)} Tj")
            y -= PDF_LEADING
        folio = f"— {number} —"  # GB/T 9704 page number
        ops.append(f"/F1 12 Tf 1 0 0 1 {(PDF_PAGE_W - len(folio) * 12) / 2:.2f} 60 Tm {_pdf_hex(folio)} Tj")
        ops.append("ET")
        stream = "\n".join(ops).encode("ascii")
        page_refs.append(first_page_obj + 2 * (number - 1))
        objects_page = (
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PDF_PAGE_W} {PDF_PAGE_H}] "
            f"/Resources << /Font << /F1 {font_ref} 0 R >> >> /Contents {page_refs[-1] + 1} 0 R >>"
        ).encode("ascii")
        content = b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream"
        objects.extend([objects_page, content])

    kids = " ".join(f"{ref} 0 R" for ref in page_refs)
    head = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode("ascii"),
        b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H "
        b"/DescendantFonts [4 0 R] >>",
        b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light "
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> "
        b"/FontDescriptor 5 0 R /DW 1000 >>",
        b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880] "
        b"/ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>",
    ]
    objects = head + objects

    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % n + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


# ---------------------------------------------------------------- the library


def build() -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    files["01_对照检查材料_某市财政局第三党支部.txt"] = encode_text(source("01_对照检查材料.txt"), "utf-8")
    files["02_民主生活会发言提纲.txt"] = encode_text(source("02_发言提纲.txt"), "utf-8", bom=True, crlf=True)
    files["03_基层减负心得体会.txt"] = encode_text(source("03_心得体会.txt"), "gbk")
    files["04_述职述廉报告.txt"] = encode_text(source("04_述职报告.txt"), "utf-16-le", crlf=True)
    files["05_乡村振兴工作总结.md"] = encode_text(source("05_工作总结.txt"), "utf-8")
    files["06_作风建设讲话.html"] = build_html(source("06_讲话稿.txt"))
    files["07_以案促改实施方案.docx"] = build_docx(source("07_实施方案.txt"))
    files["08_村级集体经济调研报告.pdf"] = build_pdf(source("08_调研报告.txt"))
    notice = source("09_通知.txt")
    files["09_春季农业生产通知.txt"] = encode_text(notice, "utf-8")
    # The same notice saved again under another name, in GBK with CRLF: an exact duplicate.
    files["09_春季农业生产通知_转存.txt"] = encode_text(notice, "gbk", crlf=True)
    files["10_政府工作报告.txt"] = encode_text(source("10_政府工作报告.txt"), "utf-8")
    # A download cut short: the first bytes of a real .docx, no zip central directory.
    files["损坏的文件.docx"] = files["07_以案促改实施方案.docx"][:700]
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the shipped files are out of date")
    args = parser.parse_args(argv)

    files = build()
    if args.check:
        stale = sorted(
            {n for n, data in files.items() if not (OUT / n).is_file() or (OUT / n).read_bytes() != data}
            | {p.name for p in OUT.iterdir() if p.name not in files}
        )
        for name in stale:
            print(f"out of date: {name}", file=sys.stderr)
        return 1 if stale else 0

    OUT.mkdir(parents=True, exist_ok=True)
    for path in OUT.iterdir():
        if path.name not in files:
            path.unlink()
    for name, data in files.items():
        (OUT / name).write_bytes(data)
    total = sum(len(d) for d in files.values())
    print(f"wrote {len(files)} files ({total / 1024:.1f} KB) to {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
