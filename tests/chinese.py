"""The one check that a user reads Chinese: :func:`english_words` (used by the CLI and web tests)."""

from __future__ import annotations

import re
from dataclasses import fields

import click

from sucai.accounts import ROLES
from sucai.cli import app
from sucai.config import Settings
from sucai.export import FORMATS
from sucai.search import MODES, SCOPES, SORTS

# Words that may appear: names a user types (commands, options, choice values, settings) and names of
# formats, standards and syntax that have no Chinese form.
_PROPER = {"sucai", "JSON", "CSV", "API", "Word", "Markdown", "PDF", "zip", "SVIP", "GB", "T", "OR", "YYYY", "MM", "DD",
           "Ctrl", "C", "HTTP", "none", "true", "false", "SHA", "SQLite", "PostgreSQL"}
_REMOVED = re.compile(r"https?://\S+|\S*/\S*|\S+\.(?:docx|md|txt|pdf|html?|zip|toml|sqlite3)\b"
                      r"|--?[A-Za-z][\w-]*|\$?SUCAI_[A-Z_]+|\b(?=[0-9a-f]*\d)[0-9a-f]{6,}\b")  # …, hex ids
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_]*")


def subcommands(command: click.Command) -> dict[str, click.Command]:
    """The subcommands of ``command`` by name (none for a command that is no group), each loaded as ``sucai`` loads
    it when used (the commands of ``sucai`` itself are imported by name: :data:`sucai.cli.common.COMMANDS`)."""
    if not isinstance(command, click.Group):
        return {}
    context = click.Context(command)
    return {name: command.get_command(context, name) for name in command.list_commands(context)}


def _typed_names() -> set[str]:
    """Command and subcommand names, option names and the values of every choice, taken from the app."""
    names = set()

    def visit(command: click.Command) -> None:
        for param in command.params:
            names.update(part for opt in param.opts + param.secondary_opts for part in opt.lstrip("-").split("-"))
            names.update(getattr(param.type, "choices", ()))
        for name, sub in subcommands(command).items():
            names.update(name.split("-"))
            visit(sub)

    visit(app)
    settings = {f.name for f in fields(Settings)}
    return names | settings | set(MODES) | set(SCOPES) | set(SORTS) | set(FORMATS) | set(ROLES)


ALLOWED = _typed_names() | _PROPER


def english_words(text: str, typed: tuple[str, ...] = ()) -> list[str]:
    """ASCII-letter words in ``text`` other than commands, options, choice values, settings, file
    names, paths, URLs, the few proper names above and what the user ``typed`` (echoed back in an
    error) — what a Chinese user should never have to read."""
    echoed = {w for arg in typed for w in _WORD.findall(arg)}
    return [w for w in _WORD.findall(_REMOVED.sub(" ", text)) if w not in ALLOWED | echoed]
