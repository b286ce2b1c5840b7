"""The web app: server-rendered pages in Simplified Chinese and the JSON API under ``/api/``.

``create_app(home)`` builds the FastAPI application over one library; ``sucai
serve`` runs it on uvicorn. Views are thin: every operation is a function of the
library layer (:mod:`sucai.library`, :mod:`sucai.search`, :mod:`sucai.access`,
:mod:`sucai.export`, :mod:`sucai.suggest`, :mod:`sucai.similar`).
"""

from .app import create_app

__all__ = ["create_app"]
