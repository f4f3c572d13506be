"""The kinds of `hatangso import KIND FILE`.

Each app registers its own kinds when it is ready (like the indicator providers), so the command,
which sits above the apps, only looks a kind up. A kind's `run` imports the file and returns the
lines to print; it imports its service only when run, so registering costs the command line's start
nothing.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import get_language


@dataclass(frozen=True)
class Option:
    """A command-line option of one or more kinds: `add_argument(flag, **arguments)`."""

    flag: str
    arguments: dict[str, Any] = field(default_factory=dict)


# Options several kinds read, declared once.
SYNTHETIC = Option(
    "--synthetic", {"action": "store_true", "help": "đánh dấu là dữ liệu mẫu / mark as synthetic"}
)
SOURCE = Option("--source", {"default": "", "help": "ghi nguồn / source note"})
ON = Option(
    "--on",
    {
        "help": "boundaries, population: đơn vị có hiệu lực ngày / units in force on "
        "(YYYY-MM-DD; default today)"
    },
)


@dataclass(frozen=True)
class ImportKind:
    name: str
    # run(path=, actor=, options=) → the lines to print; `options` holds every option's value.
    run: Callable[..., Iterable[str]]
    help: str
    options: tuple[Option, ...] = ()
    # What the command shows while it runs, for the slow kinds.
    status: str = ""


IMPORT_KINDS: dict[str, ImportKind] = {}


def register_import(kind: ImportKind) -> ImportKind:
    IMPORT_KINDS[kind.name] = kind
    return kind


def kind_label(name: str) -> str:
    """An import's kind as a page names it: its description in the reader's language (Vietnamese,
    or English when chosen); the name itself for a kind no import registered (a computed layer)."""
    kind = IMPORT_KINDS.get(name)
    if kind is None:
        return name
    vietnamese, _, english = kind.help.partition(" / ")
    return english if english and get_language() == "en" else vietnamese


def import_options() -> list[Option]:
    """Every registered kind's options, each flag once (the first declaration wins)."""
    options: dict[str, Option] = {}
    for kind in IMPORT_KINDS.values():
        for option in kind.options:
            options.setdefault(option.flag, option)
    return list(options.values())
