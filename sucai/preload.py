"""What the parse workers' fork server imports (:mod:`sucai.budget`): the ingest, warmed up
(:func:`sucai.ingest.warm_up`), so that each worker process forked from it starts ready."""

from .ingest import warm_up

warm_up()
