"""The .docx every download starts from (公文 export and 查重 report): ``template.docx`` next to this module,
on A4 paper (GB/T 9704-2012 §5.2.1; python-docx's template is on US Letter, which a Chinese office's printer
stops for or shrinks to A4).

It is python-docx's default template less what no download uses, made by
``scripts/make_docx_template.py``: the latent-style table, every style not in
:data:`STYLES` (nor based on, followed by or linked from one that is), the
``stylesWithEffects`` copy of the styles (Word 2010's, not read by later Word,
WPS or LibreOffice) and the numbering definitions of the list styles (labels stay
in the text, never Word automatic numbering). python-docx's own template holds two
~438 KB style parts that every download parsed and compressed again.
"""

from __future__ import annotations

import io
from functools import cache
from importlib.resources import files

import docx
from docx.document import Document as DocxDocument
from docx.shared import Mm

# Styles the downloads name (sucai.export.docx, sucai.check.export; "Footer" is the page-number footers' style).
STYLES = ("Normal", "Title", *(f"Heading {level}" for level in range(1, 10)), "Table Grid", "Footer")
TEMPLATE_NAME = "template.docx"
PAGE_WIDTH_MM, PAGE_HEIGHT_MM = 210, 297   # A4


@cache
def _template() -> bytes:
    return files(__package__).joinpath(TEMPLATE_NAME).read_bytes()


def blank_document() -> DocxDocument:
    """A new, empty python-docx Document made from ``template.docx``: an A4 page with python-docx's margins (those of
    Word's own blank document in China: 25.4 mm above and below, 31.8 mm at the sides) and its default look until
    the caller sets its own. Raises nothing for the shipped template."""
    document = docx.Document(io.BytesIO(_template()))
    section = document.sections[0]
    section.page_width, section.page_height = Mm(PAGE_WIDTH_MM), Mm(PAGE_HEIGHT_MM)
    return document
