"""CPU time of each parse stage on hostile inputs of growing size: is every rule linear in its input?

Usage: PYTHONPATH=. .venv/bin/python bench/hostile.py [--sizes 50,100,200,400] [--only NAME,…] [--stages …]

Each input (Markdown nesting and emphasis runs, thousands of headings, one long line, blank or repeated lines,
文号 runs, a .docx of empty runs, of text boxes nested deeper, of a chain of styles or of paragraphs with long
numbering labels, an .html of nested <div>s or of one paragraph repeated…) is made at each size in KB and fed to the
stages one by one — read (sucai.readers), clean, analyse (outline and metadata), parsed (hash, sketch, index tokens:
the rest of the ingest's worker), written (查重's reading of a Markdown draft) and check (a 查重 of the text against
an empty library: skeleton, seeds, report) —, each timed in CPU seconds (``time.process_time``) of this process. The
last column is the growth from the smallest to the largest size divided by the growth of the input: about 1 for a
linear stage, far above it for one that is not.
"""

from __future__ import annotations

import argparse
import io
import sys
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

from _common import REPO, scratch_home, table

sys.path.insert(0, str(REPO))

from sucai import clean, ingest, outline, readers  # noqa: E402
from sucai.check import check_text  # noqa: E402
from sucai.check.markdown import written_text  # noqa: E402
from sucai.errors import SucaiError  # noqa: E402
from sucai.metadata import Origin  # noqa: E402


def _repeat(unit: str, size: int) -> str:
    return unit * (size // len(unit.encode()) + 1)


def _numbered(size: int) -> str:
    lines, n = [], 0
    while sum(map(len, lines)) * 3 < size:
        n += 1
        lines += [f"{n}、第{n}部分", f"（{n}）第{n}项", f"{n}.第{n}点", f"（{n}）要求", f"第{n}条 规定内容。"]
    return "关于印发某某办法的通知\n" + "\n".join(lines)


def _docx(size: int) -> bytes:
    runs = "<w:r><w:t></w:t></w:r>" * (size // 22)
    return _docx_of(f"<w:p><w:r><w:t>关于某事的通知</w:t></w:r></w:p><w:p>{runs}<w:r><w:t>正文。</w:t></w:r></w:p>")


def _docx_boxes(size: int) -> bytes:
    """Text boxes within text boxes, one more level for each 10 KB, each level's box holding 10 KB of paragraphs
    (40 levels at 400 KB: near the depth libxml2 parses)."""
    inner = ""
    for level in range(max(1, size // 10240)):
        paragraphs = _repeat(f"<w:p><w:r><w:t>第{level}层文本框的段落。</w:t></w:r></w:p>", 10240)
        box = (f"<w:r><w:pict><v:shape><v:textbox><w:txbxContent>{inner}</w:txbxContent></v:textbox></v:shape></w:pict>"
               "</w:r>") if inner else ""
        inner = f"<w:p><w:r><w:t>第{level}层</w:t></w:r>{box}</w:p>{paragraphs}"
    return _docx_of(inner)


def _docx_styles(size: int) -> bytes:
    """Paragraph styles each based on the one before, the first numbered, and as many paragraphs of the last (half
    the size each)."""
    count = size // 2 // 120
    first = '<w:pPr><w:numPr><w:numId w:val="1"/></w:numPr></w:pPr>'
    styles = "".join(f'<w:style w:type="paragraph" w:styleId="s{i}"><w:name w:val="s{i}"/>'
                     + (f'<w:basedOn w:val="s{i - 1}"/>' if i else first) + "</w:style>" for i in range(count))
    numbering = ('<w:abstractNum w:abstractNumId="0"><w:lvl w:ilvl="0"><w:start w:val="1"/>'
                 '<w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/></w:lvl></w:abstractNum>'
                 '<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>')
    body = f'<w:p><w:pPr><w:pStyle w:val="s{count - 1}"/></w:pPr><w:r><w:t>段落</w:t></w:r></w:p>' * count
    return _docx_of(body, {"styles": f"<w:styles {_W}>{styles}</w:styles>",
                           "numbering": f"<w:numbering {_W}>{numbering}</w:numbering>"})


def _docx_numbered(size: int) -> bytes:
    """Empty paragraphs numbered by a label of 25 numbers of 50 letters (the numbering part's bounds: a template of
    50 characters, a list starting at 32,767), filling the size."""
    numbering = (f'<w:abstractNum w:abstractNumId="0"><w:lvl w:ilvl="0"><w:start w:val="32767"/>'
                 f'<w:numFmt w:val="lowerLetter"/><w:lvlText w:val="{"%1" * 25}"/></w:lvl></w:abstractNum>'
                 '<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>')
    body = _repeat('<w:p><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr></w:pPr></w:p>', size)
    return _docx_of(body, {"numbering": f"<w:numbering {_W}>{numbering}</w:numbering>"})


_W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
_OFFICE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_TYPES = "application/vnd.openxmlformats-officedocument.wordprocessingml"


def _docx_of(body: str, parts: dict[str, str] | None = None) -> bytes:
    """A .docx of ``body`` and of ``parts`` (name → markup: "styles", "numbering") related to it."""
    parts = parts or {}
    document = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                f'<w:document {_W} xmlns:v="urn:schemas-microsoft-com:vml"><w:body>{body}</w:body></w:document>')
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as z:   # stored: a deflated one is refused as a zip bomb
        z.writestr("[Content_Types].xml", '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.'
                   'openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/'
                   'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
                   f'<Override PartName="/word/document.xml" ContentType="{_TYPES}.document.main+xml"/>'
                   + "".join(f'<Override PartName="/word/{name}.xml" ContentType="{_TYPES}.{name}+xml"/>'
                             for name in parts) + "</Types>")
        z.writestr("_rels/.rels", '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
                   'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" '
                   f'Type="{_OFFICE}/officeDocument" Target="word/document.xml"/></Relationships>')
        z.writestr("word/_rels/document.xml.rels", '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://'
                   'schemas.openxmlformats.org/package/2006/relationships">'
                   + "".join(f'<Relationship Id="r{name}" Type="{_OFFICE}/{name}" Target="{name}.xml"/>'
                             for name in parts) + "</Relationships>")
        z.writestr("word/document.xml", document)
        for name, markup in parts.items():
            z.writestr(f"word/{name}.xml", f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{markup}')
    return out.getvalue()


INPUTS: dict[str, tuple[str, Callable[[int], str | bytes]]] = {
    "md_quotes": ("a.md", lambda n: "# 标题\n" + ">" * n + " 正文\n"),
    "md_quote_lines": ("a.md", lambda n: "# 标题\n" + _repeat(">" * 40 + " 正文\n", n)),
    "md_lists": ("a.md", lambda n: "# 标题\n" + "".join("  " * i + "- 项\n" for i in range(int((2 * n) ** 0.5) // 2))),
    "md_list_lines": ("a.md", lambda n: "# 标题\n" + _repeat("".join("  " * i + "- 项\n" for i in range(30)), n)),
    "md_brackets": ("a.md", lambda n: "# 标题\n" + "[" * n + "\n"),
    "md_bracket_pairs": ("a.md", lambda n: "# 标题\n" + "[" * (n // 2) + "]" * (n // 2) + "\n"),
    "md_stars": ("a.md", lambda n: "# 标题\n" + _repeat("*a", n) + "\n"),
    "md_underscores": ("a.md", lambda n: "# 标题\n" + _repeat("_a", n) + "\n"),
    "md_star_runs": ("a.md", lambda n: "# 标题\n" + _repeat("**a ", n) + "\n"),
    "md_backticks": ("a.md", lambda n: "# 标题\n" + "".join("`" * i + "a" for i in range(1, int((2 * n) ** 0.5))) + "\n"),
    "md_headings": ("a.md", lambda n: _repeat("# 标题\n## 小标题\n正文。\n", n)),
    "md_refs": ("a.md", lambda n: "# 标题\n" + "".join(f"[r{i}]: http://x/{i}\n" for i in range(n // 16)) + "[r1]\n"),
    "md_html": ("a.md", lambda n: "# 标题\n" + _repeat("<div>\n正文\n\n", n)),
    "md_links": ("a.md", lambda n: "# 标题\n" + _repeat("[a](", n) + "\n"),
    "md_emph_nest": ("a.md", lambda n: "# 标题\n" + "*" * (n // 2) + "a" + "*" * (n // 2) + "\n"),
    "txt_numbered": ("a.txt", _numbered),
    "txt_titles": ("a.txt", lambda n: _repeat("关于印发某某工作方案的通知\n", n)),
    "txt_toc": ("a.txt", lambda n: "目录\n" + "".join(f"第{i}章 第{i}部分……{i}\n" for i in range(n // 24)) + "正文。\n"),
    "txt_items": ("a.txt", lambda n: "关于某事的通知\n" + _repeat("一是抓好落实。二是压实责任。三是强化督导。", n)),
    "txt_elements": ("a.txt", lambda n: "关于某事的通知\n" + _repeat("抄送：某某局\n某某办公室\n2024年1月1日印发\n", n)),
    "txt_one_line": ("a.txt", lambda n: "关于某事的通知\n" + _repeat("的工作要求落实情况", n)),
    "txt_blank_lines": ("a.txt", lambda n: "关于某事的通知\n" + _repeat("      \n　　　\n", n)),
    "txt_ads": ("a.txt", lambda n: "关于某事的通知\n" + _repeat("【某某网】更多范文请访问 www.example.com 免费下载\n正文。\n", n)),
    "txt_short_lines": ("a.txt", lambda n: "关于某事的通知\n" + _repeat("一\n", n)),
    "txt_docnumbers": ("a.txt", lambda n: "关于某事的通知\n" + _repeat("〔2024〕1号", n)),
    "txt_dates": ("a.txt", lambda n: "关于某事的通知\n" + _repeat("2024年1月1日 ", n)),
    "txt_digits": ("a.txt", lambda n: "关于某事的通知\n" + _repeat("1234567890", n)),
    "docx_runs": ("a.docx", _docx),
    "docx_boxes": ("a.docx", _docx_boxes),
    "docx_styles": ("a.docx", _docx_styles),
    "docx_numbered": ("a.docx", _docx_numbered),
    "html_divs": ("a.html", lambda n: "<html><body>" + "<div>" * (n // 5) + "正文" + "</div>" * (n // 5) + "</body></html>"),
    # links in one block, and each with a word of its own: the block is a link list or not by its text outside them
    # empty elements within 200 nested <div>s: a page's info line looked for in each element's first ones, not in all
    # (read at 400 KB: 8.4 s of CPU when every element's text runs were read past its empty ones, 1.0 s now; 3 runs)
    "html_empties": ("a.html", lambda n: "<html><body>" + "<div>" * 200 + _repeat("<i></i>", n) + "<p>正文。</p>"
                     + "</div>" * 200 + "</body></html>"),
    "html_links": ("a.html", lambda n: "<html><body><h1>关于某事的通知</h1><div>"
                   + _repeat('<p><a href="/a.html">链接</a>正文。</p>', n) + "</div></body></html>"),
    # one paragraph again and again: every copy is read (the tags of `readers.html.tag_text_runs`)
    "html_repeats": ("a.html", lambda n: "<html><body>" + _repeat("<p>各地区各部门要切实加强组织领导，压实工作责任。</p>", n)
                     + "</body></html>"),
}


def run(data: bytes, name: str, stages: list[str], home: Path) -> dict[str, float]:
    """CPU seconds of each stage in ``stages`` on the file ``data`` named ``name``."""
    times: dict[str, float] = {}

    def timed(stage: str, work: Callable):
        start = time.process_time()
        value = work()
        times[stage] = time.process_time() - start
        return value

    try:
        raw = timed("read", lambda: readers.read_bytes(data, name))
    except SucaiError as error:  # refused: a bound, which is what this looks for too
        print(f"  {name}: {error.message}", file=sys.stderr)
        return times
    md = raw.format == "md"
    if "clean" in stages or "analyse" in stages or "parsed" in stages:
        cleaned = timed("clean", lambda: clean.clean(raw.text, markdown=md))
        doc = timed("analyse", lambda: outline.analyse(cleaned, markdown=md, origin=Origin(path=name)))
        if "parsed" in stages:
            timed("parsed", lambda: ingest.Parsed.of(doc))
    if md and "written" in stages:
        timed("written", lambda: written_text(raw.text))
    if "check" in stages:
        from sucai.library import Library
        library = Library.open(home, check_max_chars=10**7)
        text = written_text(raw.text) if md else raw.text
        try:
            timed("check", lambda: check_text(library, text))
        except Exception as error:  # noqa: BLE001 - an empty draft is refused; say so
            print(f"  check: {type(error).__name__}: {error}", file=sys.stderr)
        finally:
            library.close()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="50,100,200,400", help="input sizes in KB")
    parser.add_argument("--only", default="", help="input names, comma-separated (default: all)")
    parser.add_argument("--stages", default="read,clean,analyse,parsed,written,check")
    args = parser.parse_args()
    sizes = [int(s) * 1024 for s in args.sizes.split(",")]
    stages = args.stages.split(",")
    names = args.only.split(",") if args.only else list(INPUTS)
    ingest.warm_up()
    rows = []
    with scratch_home(None) as home:
        for input_name in names:
            file_name, make = INPUTS[input_name]
            per_size = []
            for size in sizes:
                made = make(size)
                data = made if isinstance(made, bytes) else made.encode()
                per_size.append(run(data, file_name, stages, home))
            for stage in per_size[0]:
                seconds = [t.get(stage, 0.0) for t in per_size]
                growth = (seconds[-1] / max(seconds[0], 1e-3)) / (sizes[-1] / sizes[0])
                rows.append([input_name, stage, *(f"{s:.3f}" for s in seconds), f"{growth:.1f}"])
            print(*rows[-len(per_size[0]):], sep="\n", file=sys.stderr, flush=True)
    table(["input", "stage", *(f"{s // 1024} KB s" for s in sizes), "growth/linear"], rows)


if __name__ == "__main__":
    main()
