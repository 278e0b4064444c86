"""``necka-tray stats``: today and the last days, as a table, JSON, CSV or a chart.

Reads the history file directly (the tray need not run). CSV columns, one row
per day, oldest first::

    date                  YYYY-MM-DD
    stretch_done          stretch sessions completed
    stretch_stopped       stretch sessions stopped early
    stretch_due           stretch breaks due (stretch reminders that fired, snoozes not counted twice)
    stretch_acted_on      ... of which a session or natural break followed within 15 minutes
    stretch_snoozed       ... snoozed
    stretch_skipped       ... skipped
    stretch_ignored       ... none of these
    posture_checks        posture-check reminders shown
    shoulder_rolls        shoulder-roll reminders shown
    natural_breaks        times away long enough to count as a break
    sitting_minutes       active sitting time (empty: not measured that day)
    longest_sitting_minutes  longest unbroken sitting stretch (empty: not measured)
    checkins              how many neck check-ins
    checkin_mean          their mean, 0 (no pain) to 10 (worst pain); empty without check-ins
    checkin_ratings       the ratings in time order, separated by spaces
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import sys
import unicodedata

from necka_tray.cli import remote
from necka_tray.texts.i18n import N_, _, decimal, ngettext, short_date

from necka_tray.core.actions import MAX_DAYS  # noqa: E402  (one limit for the CLI and the window)
CSV_COLUMNS = (
    "date", "stretch_done", "stretch_stopped", "stretch_due", "stretch_acted_on", "stretch_snoozed",
    "stretch_skipped", "stretch_ignored", "posture_checks", "shoulder_rolls", "natural_breaks",
    "sitting_minutes", "longest_sitting_minutes", "checkins", "checkin_mean", "checkin_ratings",
)


def days(text: str) -> int:
    """1 to MAX_DAYS in ASCII digits; a whole number beyond that (``0``, ``-1``, 40 nines) is out of range."""
    from necka_tray.core.durations import looks_whole, quoted, whole_number

    value = whole_number(text)
    if value is None and not looks_whole(text):
        raise argparse.ArgumentTypeError(_("{value} is not a whole number of days (example: 30)").format(value=quoted(text)))
    if value is None or not 1 <= value <= MAX_DAYS:
        raise argparse.ArgumentTypeError(_("{value} is out of range: use 1 to {most} days").format(
            value=quoted(text), most=MAX_DAYS))
    return value


def png_path(text: str) -> str:
    if not text.lower().endswith(".png"):
        raise argparse.ArgumentTypeError(_("{value} must be a file name ending in .png").format(value=repr(text)))
    return text


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--days", type=days, default=7, metavar="N", help=_("how many days, today included (default 7)"))
    form = parser.add_mutually_exclusive_group()
    form.add_argument("--json", action="store_true", help=_("print one JSON object (for scripts)"))
    form.add_argument("--csv", action="store_true", help=_("print one CSV row per day (columns: see README)"))
    form.add_argument("--window", action="store_true", help=_("open the statistics window"))
    parser.add_argument("--chart", type=png_path, metavar="FILE.png", help=_("also write the chart to FILE.png"))


def run(args: argparse.Namespace) -> int:
    if args.window:
        def here() -> int:
            from necka_tray.windows import stats_window

            return stats_window.main(["--days", str(args.days)])

        return remote.window("open", here, window="statistics", days=args.days)
    from necka_tray.store import config
    from necka_tray.core.clock import SystemClock
    from necka_tray.store.reports import load, local_zone

    paths = remote.paths()
    settings = config.load(paths.config_file).settings
    min_sessions = settings["stats.streak_min_sessions"]
    try:
        report = load(paths.history_db, args.days, SystemClock().now(), local_zone(), min_sessions)
    except Exception as exc:  # sqlite3.DatabaseError, HistoryError, OSError: the file, not us
        return remote.fail(_("cannot read the history {path}: {error}").format(path=paths.history_db, error=exc))
    if args.chart:
        try:
            write_chart(report, args.chart, high_contrast=settings["session.theme"] == "high-contrast")
        except OSError as exc:
            return remote.fail(_("cannot write the chart {path}: {error}").format(path=args.chart, error=exc.strerror or exc))
    lines = {} if args.csv else care_lines(paths.history_db, settings, args.days, report.generated)
    if args.json:
        text = json.dumps({**report.to_json(), "care": lines}, indent=2, ensure_ascii=False) + "\n"
    else:
        text = to_csv(report) if args.csv else to_table(report, lines) + "\n"
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:  # `necka-tray stats | head`: the reader has all it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    if args.chart:
        print(_("Chart written to {path}").format(path=args.chart), file=sys.stderr)
    return 0


def care_lines(path, settings, days: int, now) -> dict:
    """The care lines (``store/care_reads.py``); a history that cannot be read for them leaves them out."""
    from necka_tray.store import care_reads

    try:
        return care_reads.stats_lines(path, now, days, settings["care.suggest_professional"],
                                      settings["care.weekly_summary"])
    except Exception as exc:  # the statistics were read; the care lines are a bonus
        print("necka-tray: " + _("cannot read the check-ins: {error}").format(error=exc), file=sys.stderr)
        return {"suggest_professional": None, "week_back": None}


def write_chart(report, path: str, high_contrast: bool = False) -> None:
    """The chart as a PNG, in the user's look (``session.theme``)."""
    from pathlib import Path

    from necka_tray.store.fsutil import atomic_write
    from necka_tray.windows import chart

    atomic_write(Path(path), chart.png_bytes(chart.render(report.days, today=report.today,
                                                               inks=chart.inks_for(high_contrast))))  # 0600: it shows pain check-ins


# -- output --------------------------------------------------------------------------------------


def to_csv(report) -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    for d in report.days:
        mean = d.checkin_mean
        w.writerow([
            d.day.isoformat(), d.stretch_done, d.stretch_stopped, d.stretch_due, d.stretch_acted_on,
            d.stretch_snoozed, d.stretch_skipped, d.stretch_ignored, d.posture_checks, d.shoulder_rolls,
            d.natural_breaks, _minutes(d.sitting_s), _minutes(d.longest_sitting_s), len(d.checkins),
            "" if mean is None else f"{mean:.1f}", " ".join(map(str, d.checkins)),
        ])
    return out.getvalue()


def _minutes(seconds: float | None) -> str:
    return "" if seconds is None else f"{seconds / 60:.0f}"


_HEADER = (N_("Day"), N_("Stretches"), N_("Posture"), N_("Sitting"), N_("Longest"), N_("Breaks"), N_("Neck"))


def to_table(report, care: dict | None = None) -> str:
    from necka_tray.core.stats import format_duration, totals

    first, last = report.days[0].day, report.days[-1].day
    if first == last:
        span = f"{_day(last)} {last.year}"
    elif first.year == last.year:
        span = f"{_day(first)} – {_day(last)} {last.year}"
    else:  # a range over a new year: each end with its own year
        span = f"{_day(first)} {first.year} – {_day(last)} {last.year}"
    rows = []
    years = first.year != last.year  # then "Mon 1 Dec" would name two days: each row says its year
    for d in report.days:
        rows.append((
            _("Today") if d.day == report.today else f"{_day(d.day)} {d.day.year}" if years else _day(d.day),
            f"{d.stretch_done}/{d.stretch_due}", str(d.posture_checks),
            format_duration(d.sitting_s), format_duration(d.longest_sitting_s),
            str(d.natural_breaks), "—" if d.checkin_mean is None else decimal(d.checkin_mean),
        ))
    t = totals(report.days)
    mean = t["checkin_mean"]
    total = (ngettext("{count} day", "{count} days", len(report.days)).format(count=len(report.days)), f"{t['stretch_done']}/{t['stretch_due']}", str(t["posture_checks"]),
             format_duration(t["sitting_s"]), format_duration(t["longest_sitting_s"]), str(t["natural_breaks"]),
             "—" if mean is None else decimal(mean))
    header = tuple(map(_, _HEADER))
    widths = [max(width(r[i]) for r in (header, *rows, total)) for i in range(len(header))]

    def line(cells) -> str:
        first_cell = cells[0] + " " * (widths[0] - width(cells[0]))
        return "  ".join([first_cell, *(" " * (w - width(c)) + c for c, w in zip(cells[1:], widths[1:]))]).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([
        _("Necka statistics, {span}").format(span=span),
        "",
        report.today_line,
        report.streak_line,
        "",
        line(header),
        rule,
        *(line(r) for r in rows),
        rule,
        line(total),
        "",
        _("Stretches: sessions done / breaks due.  Breaks: natural breaks.  "
          "Neck: mean check-in, 0 = no pain, 10 = worst pain."),
        *_care_text(care or {}),
    ])


def _care_text(care: dict) -> list[str]:
    """The care lines under the table: last week's look back, the suggestion and where to read more."""
    out = []
    if care.get("week_back"):
        out += ["", care["week_back"]["line"]]
    if care.get("suggest_professional"):
        out += ["", care["suggest_professional"]["line"],
                _("When to see a professional: necka-tray info care")]
    return out


def _day(d) -> str:
    return short_date(d)


def width(text: str) -> int:
    """Terminal columns of ``text``: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
