"""The statistics window (tkinter), run as its own process like the session window.

It reads the history once (``reports.load`` for the longest choice) and
shows the last 7 or 30 days: today's line and the streak, the Pillow chart
and a table with one row per day, newest first. Nothing in it ticks: it
shows the moment it was opened; closing and reopening refreshes it. Its look
(theme, text size) and placement come from ``base``, as for every window.
"""

from __future__ import annotations

import math
import sys
import tkinter as tk
from datetime import date
from dataclasses import dataclass, replace
from tkinter import ttk

from PIL import ImageTk

from necka_tray.core import care as care_rule
from necka_tray.core.stats import format_duration
from necka_tray.texts.i18n import N_, _, decimal, ngettext, short_date
from necka_tray.store.reports import Report
from necka_tray.windows import base, chart

TITLE = N_("Necka — Statistics")
CHOICES = (7, 30)
CHART_SIZE = (780, 340)
#: The fewest table rows, and the lowest chart (1/96 inch), to shrink to on a small monitor.
MIN_ROWS, MIN_CHART_HEIGHT = 2, 180
#: Width around the table's columns (1/96 inch): the window's padding, the focus ring, the scroll bar.
TABLE_SURROUND = 72
COLUMNS = (("day", N_("Day"), 120), ("stretches", N_("Stretches"), 110), ("posture", N_("Posture"), 90),
           ("sitting", N_("Sitting"), 110), ("longest", N_("Longest"), 100), ("breaks", N_("Breaks"), 90),
           ("neck", N_("Neck"), 80))
LEGEND = N_("Stretches: sessions done / breaks due.  Posture: checks shown.  Breaks: natural "
            "breaks.\nLongest: longest unbroken sitting.  Neck: mean check-in, 0 = no pain, 10 = worst pain.")


class StatsWindow(base.Window):
    def __init__(self, root: tk.Tk, report: Report | None, days: int, problem: str = "",
                 look: base.Look | None = None, care: CareLines | None = None) -> None:
        super().__init__(root, _(TITLE), look)
        self.report = report
        self.care = care or CareLines()
        self.choices = tuple(sorted({*CHOICES, days}))
        self.chart_size = CHART_SIZE  # shrinks (height) when the window would not fit the screen
        self.days_shown = days
        self._image: ImageTk.PhotoImage | None = None
        root.bind("<Escape>", lambda e: root.destroy())
        self._build(problem)
        if report is not None:
            self.show_days(days)
        else:  # the problem is said in the window; there is nothing to switch between
            self.chart.pack_forget()
            for b in self.toggles.values():
                b.config(state="disabled", cursor="")
        self._fit_table()

    def _build(self, problem: str) -> None:
        px, p = self.px, self.pal
        body = tk.Frame(self.root, bg=p.bg, padx=round(20 * px), pady=round(14 * px))
        body.pack(fill="both", expand=True)
        head = tk.Frame(body, bg=p.bg)
        head.pack(fill="x")
        self.label(head, _("Your neck-care history"), "title").pack(side="left")
        self.toggles: dict[int, tk.Button] = {}
        for n in reversed(self.choices):
            b = self.button(head, ngettext("{count} day", "{count} days", n).format(count=n), lambda n=n: self.show_days(n))
            b.pack(side="right", padx=(round(6 * px), 0))
            self.toggles[n] = b
        self.today_label = self.label(body, problem, anchor="w", justify="left", wraplength=self.wrap(760))
        self.today_label.pack(fill="x", pady=(round(8 * px), 0))
        self.streak_label = self.label(body, "", "small_bold", fg=p.accent, anchor="w")
        self.streak_label.pack(fill="x", pady=(round(2 * px), round(8 * px)))
        self._build_care(body)
        self.chart = tk.Label(body, bg=p.bg, bd=1, relief="solid", highlightthickness=0)
        self.chart.pack()
        self._make_table(body)
        foot = tk.Frame(body, bg=p.bg)
        foot.pack(fill="x", pady=(round(10 * px), 0))
        close = self.button(foot, _("Close (Esc)"), self.root.destroy, primary=True)
        close.pack(side="right")
        # Wraps beside the button in any language: the window stays as wide as the chart.
        legend_width = round(CHART_SIZE[0] * px) - close.winfo_reqwidth() - round(12 * px)
        self.label(foot, _(LEGEND), "small", fg=p.muted, justify="left", anchor="w",
                   wraplength=max(legend_width, round(200 * px))).pack(side="left", fill="x", expand=True)
        # Take the keyboard focus once on screen, so Esc and Tab work without a click first.
        self.root.bind("<Map>", lambda e: e.widget is self.root and (self.root.focus_force(), close.focus_set()))

    def _build_care(self, body: tk.Misc) -> None:
        """Last week's look back (with 7 days shown) and the suggestion to see a professional, with its page."""
        px, p = self.px, self.pal
        self.week_label = self.label(body, self.care.week_back or "", "small", anchor="w", justify="left",
                                     wraplength=self.wrap(760))
        if self.care.suggestion:
            box = tk.Frame(body, bg=p.surface, highlightthickness=1, highlightbackground=p.border,
                           padx=round(12 * px), pady=round(8 * px))
            box.pack(fill="x", pady=(0, round(8 * px)))
            self.label(box, self.care.suggestion, anchor="w", justify="left",
                       wraplength=self.wrap(560)).pack(side="left", fill="x", expand=True)
            self.care_btn = self.button(box, _(care_rule.CARE_PAGE_BUTTON), lambda: base.open_page("care"))
            self.care_btn.pack(side="right", padx=(round(10 * px), 0))

    def _fit_table(self) -> None:
        """Fewer table rows (it scrolls), then a lower chart, until the window fits the monitor's
        height: large text, long languages, small screens; then, if it is still too wide or tall,
        smaller text."""
        room = self.room()[1]
        self.root.update_idletasks()
        rows = int(self.table.cget("height"))
        while self.root.winfo_reqheight() > room and rows > MIN_ROWS:
            rows -= 1
            self.table.config(height=rows)
            self.root.update_idletasks()
        excess = self.root.winfo_reqheight() - room
        if excess > 0 and self.report is not None:
            height = max(MIN_CHART_HEIGHT, CHART_SIZE[1] - math.ceil(excess / self.px))
            self.chart_size = (CHART_SIZE[0], height)
            self.show_days(self.days_shown)
            self.root.update_idletasks()
        self.fit_text(self._size_table)

    def _make_table(self, parent: tk.Misc) -> None:
        px, p = self.px, self.pal
        style = ttk.Style(self.root)
        style.theme_use("clam")
        style.configure("Stats.Treeview", background=p.surface, fieldbackground=p.surface,
                        foreground=p.text, font=self.fonts["small"], bordercolor=p.border)
        style.configure("Stats.Treeview.Heading", background=p.trough, foreground=p.text,
                        font=self.fonts["small_bold"], relief="flat")
        style.map("Stats.Treeview", background=[("selected", p.trough)], foreground=[("selected", p.text)])
        # The frame is the table's focus ring: the focus colour while the table has the keyboard focus.
        ring = max(2, round(p.focus_width * px))
        frame = tk.Frame(parent, bg=p.border, padx=ring, pady=ring)
        frame.pack(fill="both", expand=True, pady=(round(10 * px), 0))
        table = ttk.Treeview(frame, columns=[c[0] for c in COLUMNS], show="headings", height=7,
                             style="Stats.Treeview", selectmode="browse")

        def focus_in(_event) -> None:
            frame.config(bg=p.focus)
            rows = table.get_children()
            if rows and not table.focus():
                table.focus(rows[0])
                table.selection_set(rows[0])

        table.bind("<FocusIn>", focus_in)
        table.bind("<FocusOut>", lambda e: frame.config(bg=p.border))
        for key, heading, _width in COLUMNS:
            table.heading(key, text=_(heading))
        self.table = table
        self._size_table()
        scroll = ttk.Scrollbar(frame, orient="vertical", command=table.yview)
        table.configure(yscrollcommand=scroll.set)
        table.pack(side="left", fill="both", expand=True)
        scroll.pack(side="right", fill="y")

    def _size_table(self) -> None:
        """Rows as high as the text needs; each column at least as wide as its heading and its widest
        likely value in the user's language, grown with the text size as long as the table still fits
        the monitor (else just wide enough)."""
        px, table = self.px, self.table
        ttk.Style(self.root).configure("Stats.Treeview", rowheight=round(self.fonts["small"].metrics("linespace") * 1.5))
        needed, scaled = [], []
        for key, heading, width in COLUMNS:
            sample = {"day": short_date(date(2026, 12, 30)), "sitting": format_duration(12 * 3600 + 50 * 60),
                      "longest": format_duration(3 * 3600 + 50 * 60)}.get(key, "10 / 10")
            fit = max(round(width * px), self.fonts["small_bold"].measure(_(heading)) + round(16 * px),
                      self.fonts["small"].measure(sample) + round(16 * px))
            needed.append(fit)
            scaled.append(max(fit, round(width * px * self.look.text_scale * self.text_kept)))
        room = self.room()[0] - round(TABLE_SURROUND * px)
        for (key, _heading, _width), width in zip(COLUMNS, scaled if sum(scaled) <= room else needed):
            table.column(key, width=width, anchor="w" if key == "day" else "e", stretch=key == "day")

    def show_days(self, n: int) -> None:
        """Show the last ``n`` days (the report holds at least that many)."""
        assert self.report is not None
        p = self.pal
        days = self.report.days[-n:]
        view = replace(self.report, days=days)
        self.today_label.config(text=view.today_line)
        self.streak_label.config(text=view.streak_line)
        if self.care.week_back and n == care_rule.WEEK:  # the look back goes with the week's view
            self.week_label.config(text=self.care.week_back)
            if not self.week_label.winfo_manager():
                self.week_label.pack(fill="x", pady=(0, round(8 * self.px)), after=self.streak_label)
        elif self.week_label.winfo_manager():
            self.week_label.pack_forget()
        self.days_shown = n
        image = chart.render(days, today=view.today, size=self.chart_size, scale=self.px,
                             inks=chart.inks_for(self.pal.high_contrast))
        self._image = ImageTk.PhotoImage(image, master=self.root)
        self.chart.config(image=self._image)
        self.table.delete(*self.table.get_children())
        years = bool(days) and days[0].day.year != days[-1].day.year  # as in `necka-tray stats`: no date twice
        for d in reversed(days):
            self.table.insert("", "end", values=(
                _("Today") if d.day == view.today else f"{short_date(d.day)} {d.day.year}" if years else short_date(d.day),
                f"{d.stretch_done} / {d.stretch_due}", d.posture_checks, format_duration(d.sitting_s),
                format_duration(d.longest_sitting_s), d.natural_breaks,
                "—" if d.checkin_mean is None else decimal(d.checkin_mean)))
        for choice, b in self.toggles.items():
            on = choice == n
            b.config(bg=p.accent if on else p.surface, fg=p.on_accent if on else p.text,
                     activebackground=p.accent_active if on else p.trough,
                     activeforeground=p.on_accent if on else p.text, relief="flat")


@dataclass(frozen=True)
class CareLines:
    """The care lines (``core.care``) the window shows, already in words (None: none)."""

    suggestion: str | None = None
    week_back: str | None = None


def _care_lines(settings) -> CareLines:
    from necka_tray.core.clock import SystemClock
    from necka_tray.store import care_reads
    from necka_tray.store.paths import AppPaths
    from necka_tray.store.reports import local_zone

    path, now, tz = AppPaths.for_user().history_db, SystemClock().now(), local_zone()
    try:
        found = care_reads.suggestion(path, now, tz) if settings["care.suggest_professional"] else None
        back = care_reads.week_back_from(path, now, tz) if settings["care.weekly_summary"] else None
    except Exception as exc:  # the statistics say what is wrong with the file
        print("necka-tray: " + _("cannot read the check-ins: {error}").format(error=exc), file=sys.stderr)
        return CareLines()
    return CareLines(care_rule.suggestion_line(found) if found else None,
                     care_rule.week_back_line(back) if back is not None and back.worth_saying else None)


def _load(days: int, settings) -> tuple[Report | None, str]:
    from necka_tray.core.clock import SystemClock
    from necka_tray.store.paths import AppPaths
    from necka_tray.store.reports import load, local_zone

    paths = AppPaths.for_user()
    min_sessions = settings["stats.streak_min_sessions"]
    try:
        return load(paths.history_db, max(days, *CHOICES), SystemClock().now(), local_zone(), min_sessions), ""
    except Exception as exc:  # a broken or newer history file: say so in the window
        message = _("Cannot read the history {path}: {problem}").format(path=paths.history_db, problem=exc)
        print(f"necka-tray: {message}", file=sys.stderr)
        return None, message


def main(argv: list[str] | None = None) -> int:
    parser = base.parser("necka-tray stats --window", _("Show Necka's statistics."))
    parser.add_argument("--days", type=int, default=7)
    args = parser.parse_args(argv)
    settings = base.user_settings()
    report, problem = _load(args.days, settings)
    root = base.new_root()
    care = _care_lines(settings) if report is not None else CareLines()
    window = StatsWindow(root, report, args.days, problem, base.Look.from_settings(settings), care)
    window.show(height_share=4)
    root.mainloop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
