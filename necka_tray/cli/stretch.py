"""``necka-tray stretch``: the running Necka opens a stretch session; with none running, open one here."""

from __future__ import annotations

import argparse

from necka_tray.cli import remote
from necka_tray.cli.remote import no_arguments as add_arguments  # noqa: F401


def run(args: argparse.Namespace) -> int:
    from necka_tray.cli import session

    args.routine = None
    return session.run(args)
