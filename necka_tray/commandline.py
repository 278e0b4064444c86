"""Command lines shared by the CLI and the helper windows, so a window never imports ``cli/`` or ``tray/``.

``one_line_errors``: a bad argument is one line naming it (no usage dump),
exit 2. ``positive_float``: the argument type of a time scale.
``self_command``: the command line that runs Necka itself (frozen or not),
for a process that starts another helper. Standard library only.
"""

from __future__ import annotations

import argparse
import math
import sys


def one_line_errors(parser: argparse.ArgumentParser) -> None:
    """A bad argument is one line naming the command and the problem (no usage dump), exit 2."""
    def error(message: str):
        parser.exit(2, f"{parser.prog}: error: {message} (see {parser.prog} --help)\n")

    parser.error = error  # type: ignore[method-assign]


def positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not (value > 0 and math.isfinite(value)):
        raise argparse.ArgumentTypeError(f"must be a positive number, not {text!r}")
    return value


def self_command(*args: str) -> list[str]:
    """The command line that runs this program with ``args`` (frozen or not)."""
    if getattr(sys, "frozen", False):
        return [sys.executable, *args]
    return [sys.executable, "-m", "necka_tray", *args]
