"""sucai 素材库 — a self-hostable library and search engine for Chinese official-writing materials."""

import logging

__version__ = "0.1.0"

logging.getLogger(__name__).addHandler(logging.NullHandler())
