"""``python -m sucai`` runs the command line."""

from .cli import main

main()
