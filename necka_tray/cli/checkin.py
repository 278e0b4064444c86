"""``necka-tray checkin [RATING]``: note how your neck feels (0 no pain .. 10 worst pain).

With a rating it is stored at once; without one the small check-in window opens.
"""

from __future__ import annotations

import argparse

from necka_tray.cli import remote
from necka_tray.texts.i18n import _


def rating(text: str) -> int:
    """A rating in ASCII digits (not ``١``, fullwidth digits, ``1_0`` or ``+5``) from RATING_MIN to RATING_MAX."""
    from necka_tray.core.durations import quoted, whole_number
    from necka_tray.core.events import RATING_MAX, RATING_MIN

    value = whole_number(text)
    if value is None or not RATING_MIN <= value <= RATING_MAX:
        raise argparse.ArgumentTypeError(_("{value} is not a rating: use a whole number from {least} (no pain) to "
                                           "{most} (worst pain)").format(value=quoted(text), least=RATING_MIN,
                                                                         most=RATING_MAX))
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("rating", nargs="?", type=rating, metavar="RATING",
                        help=_("0 (no pain) to 10 (worst pain); leave out to open the check-in window"))


def run(args: argparse.Namespace) -> int:
    from necka_tray.windows import checkin

    if args.rating is None:
        return remote.window("open", lambda: checkin.main([]), window="checkin")
    if not checkin.record(args.rating, "cli"):
        return remote.EXIT_FAILED
    print(_("Noted: neck {rating} of {most}.").format(rating=args.rating, most=10))
    return 0
