"""The .docx every download starts from (公文 export and 查重 report): ``template.docx`` next to this module.

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

# Styles the downloads name (sucai.export.docx, sucai.check.export; "Footer" is the page-number footers' style).
STYLES = ("Normal", "Title", *(f"Heading {level}" for level in range(1, 10)), "Table Grid", "Footer")
TEMPLATE_NAME = "template.docx"


@cache
def _template() -> bytes:
    return files(__package__).joinpath(TEMPLATE_NAME).read_bytes()


def blank_document() -> DocxDocument:
    """A new, empty python-docx Document made from ``template.docx`` (Letter page and python-docx's
    default look until the caller sets its own). Raises nothing for the shipped template."""
    return docx.Document(io.BytesIO(_template()))
