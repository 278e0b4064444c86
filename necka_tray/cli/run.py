"""``necka-tray [run]``: start the tray icon."""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    pass


def run(args: argparse.Namespace) -> int:
    from necka_tray.core.clock import TimeScale
    from necka_tray.owner.main import run_tray

    return run_tray(TimeScale(args.time_scale), debug=args.debug)
