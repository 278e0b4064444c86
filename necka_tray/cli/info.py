"""``necka-tray info care|relief``: show "When to see a professional" or "Relief now"."""

from __future__ import annotations

import argparse
from necka_tray.texts.i18n import _


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from necka_tray.texts.care import PAGES
    parser.add_argument("page", choices=PAGES,
                        help=_("care: when to see a professional; relief: heat, cold and gentle movement"))


def run(args: argparse.Namespace) -> int:
    from necka_tray.cli import remote

    def here() -> int:
        from necka_tray.windows import info_window

        return info_window.main(args.page)

    return remote.window("open", here, window="info", page=args.page)
