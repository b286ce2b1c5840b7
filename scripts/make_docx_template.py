#!/usr/bin/env python3
"""Make ``sucai/export/template.docx``, the .docx every download starts from (see :mod:`sucai.export.template`).

Starts from python-docx's default template (``docx.Document()``) and removes what no
download uses: the latent-style table, the styles outside
:data:`sucai.export.template.STYLES` and the ones those are based on, followed by or
linked to, the ``stylesWithEffects`` part and the numbering part. Everything else
(document defaults, theme, settings, font table, page settings) is kept as it was.

Usage:  python scripts/make_docx_template.py   (run again after adding a style to STYLES)
"""

from __future__ import annotations

import sys
from pathlib import Path

import docx
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.ns import qn
from docx.styles import BabelFish

ROOT = Path(__file__).resolve().parents[1]
DROPPED_PARTS = (RT.NUMBERING, "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects")
STYLE_REFERENCES = ("w:basedOn", "w:next", "w:link")


def kept_style_ids(styles_element, names: tuple[str, ...]) -> set[str]:
    """Ids of the styles named ``names``, the defaults (w:default="1") and every style they refer to."""
    by_id = {s.get(qn("w:styleId")): s for s in styles_element.findall(qn("w:style"))}
    internal = {BabelFish.ui2internal(name) for name in names}   # "Heading 1" is "heading 1" in styles.xml
    wanted = [i for i, s in by_id.items() if s.get(qn("w:default")) == "1" or s.name_val in internal]
    kept: set[str] = set()
    while wanted:
        style_id = wanted.pop()
        if style_id in kept:
            continue
        kept.add(style_id)
        for tag in STYLE_REFERENCES:
            wanted += [ref.get(qn("w:val")) for ref in by_id[style_id].findall(qn(tag))]
    return kept


def main() -> None:
    sys.path.insert(0, str(ROOT))
    from sucai.export.template import STYLES, TEMPLATE_NAME

    document = docx.Document()
    styles = document.styles.element
    styles.remove(styles.find(qn("w:latentStyles")))
    kept = kept_style_ids(styles, STYLES)
    for style in styles.findall(qn("w:style")):
        if style.get(qn("w:styleId")) not in kept:
            styles.remove(style)
    part = document.part
    for rel_id, rel in list(part.rels.items()):
        if rel.reltype in DROPPED_PARTS:
            part.drop_rel(rel_id)
    out = ROOT / "sucai" / "export" / TEMPLATE_NAME
    document.save(out)
    print(f"{out.relative_to(ROOT)}: {out.stat().st_size:,} bytes, styles {sorted(kept)}")


if __name__ == "__main__":
    main()
