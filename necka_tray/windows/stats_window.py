"""The statistics window (tkinter), run as its own process like the session window.

It reads the history once (``reports.load`` for the longest choice) and
shows the last 7 or 30 days: today's line and the streak, the Pillow chart
and a table with one row per day, newest first. Nothing in it ticks: it
shows the moment it was opened; closing and reopening refreshes it.
"""

from __future__ import annotations

import argparse
import sys
import tkinter as tk
from dataclasses import replace
from tkinter import ttk

from PIL import ImageTk

from necka_tray.core.stats import format_duration
from necka_tray.i18n import N_, _, decimal, ngettext, short_date
from necka_tray.store.reports import Report
from necka_tray.windows import chart, theme

TITLE = N_("Necka — Statistics")
CHOICES = (7, 30)
CHART_SIZE = (780, 340)
COLUMNS = (("day", N_("Day"), 120), ("stretches", N_("Stretches"), 110), ("posture", N_("Posture"), 90),
           ("sitting", N_("Sitting"), 110), ("longest", N_("Longest"), 100), ("breaks", N_("Breaks"), 90),
           ("neck", N_("Neck"), 80))


class StatsWindow:
    def __init__(self, root: tk.Tk, report: Report | None, days: int, problem: str = "") -> None:
        self.root, self.report = root, report
        self.px, self.fonts = theme.pixel_scale(root), theme.make_fonts(root)
        self.choices = tuple(sorted({*CHOICES, days}))
        self._image: ImageTk.PhotoImage | None = None
        root.title(_(TITLE))
        root.configure(bg=theme.BG)
        root.bind("<Escape>", lambda e: root.destroy())
        self._build(problem)
        if report is not None:
            self.show(days)
        else:  # the problem is said in the window; there is nothing to switch between
            self.chart.pack_forget()
            for b in self.toggles.values():
                b.config(state="disabled", cursor="")

    def _build(self, problem: str) -> None:
        f, px = self.fonts, self.px
        body = tk.Frame(self.root, bg=theme.BG, padx=round(20 * px), pady=round(14 * px))
        body.pack(fill="both", expand=True)
        head = tk.Frame(body, bg=theme.BG)
        head.pack(fill="x")
        tk.Label(head, text=_("Your neck-care history"), font=f["title"], fg=theme.TEXT, bg=theme.BG).pack(side="left")
        self.toggles: dict[int, tk.Button] = {}
        for n in reversed(self.choices):
            b = theme.button(head, ngettext("{count} day", "{count} days", n).format(count=n), lambda n=n: self.show(n), f["button"], px)
            b.pack(side="right", padx=(round(6 * px), 0))
            self.toggles[n] = b
        self.today_label = tk.Label(body, text=problem, font=f["body"], fg=theme.TEXT, bg=theme.BG, anchor="w",
                                    justify="left", wraplength=round(760 * px))
        self.today_label.pack(fill="x", pady=(round(8 * px), 0))
        self.streak_label = tk.Label(body, text="", font=f["small_bold"], fg=theme.ACCENT, bg=theme.BG, anchor="w")
        self.streak_label.pack(fill="x", pady=(round(2 * px), round(8 * px)))
        self.chart = tk.Label(body, bg=theme.BG, bd=1, relief="solid", highlightthickness=0)
        self.chart.pack()
        self.table = self._make_table(body)
        foot = tk.Frame(body, bg=theme.BG)
        foot.pack(fill="x", pady=(round(10 * px), 0))
        close = theme.button(foot, _("Close (Esc)"), self.root.destroy, f["button"], px, primary=True)
        close.pack(side="right")
        # Wraps beside the button in any language (the window's width stays the chart's).
        tk.Label(foot, text=_("Stretches: sessions done / breaks due.  Posture: checks shown.  Breaks: natural "
                              "breaks.\nLongest: longest unbroken sitting.  Neck: mean check-in, 0 = no pain, "
                              "10 = worst pain."),
                 font=f["small"], fg=theme.MUTED, bg=theme.BG, justify="left", anchor="w",
                 wraplength=round(CHART_SIZE[0] * px) - close.winfo_reqwidth() - round(12 * px)).pack(
            side="left", fill="x", expand=True)
        # Take the keyboard focus once on screen, so Esc and Tab work without a click first.
        self.root.bind("<Map>", lambda e: e.widget is self.root and (self.root.focus_force(), close.focus_set()))

    def _make_table(self, parent: tk.Misc) -> ttk.Treeview:
        px = self.px
        style = ttk.Style(self.root)
        style.theme_use("clam")
        row = round(self.fonts["small"].metrics("linespace") * 1.5)
        style.configure("Stats.Treeview", background=theme.WHITE, fieldbackground=theme.WHITE,
                        foreground=theme.TEXT, rowheight=row, font=self.fonts["small"], bordercolor=theme.BORDER)
        style.configure("Stats.Treeview.Heading", background=theme.TROUGH, foreground=theme.TEXT,
                        font=self.fonts["small_bold"], relief="flat")
        style.map("Stats.Treeview", background=[("selected", theme.TROUGH)], foreground=[("selected", theme.TEXT)])
        # The frame is the table's focus ring: amber while the table has the keyboard focus.
        frame = tk.Frame(parent, bg=theme.BORDER, padx=max(2, round(2 * px)), pady=max(2, round(2 * px)))
        frame.pack(fill="both", expand=True, pady=(round(10 * px), 0))
        table = ttk.Treeview(frame, columns=[c[0] for c in COLUMNS], show="headings", height=7,
                             style="Stats.Treeview", selectmode="browse")

        def focus_in(_event) -> None:
            frame.config(bg=theme.FOCUS)
            rows = table.get_children()
            if rows and not table.focus():
                table.focus(rows[0])
                table.selection_set(rows[0])

        table.bind("<FocusIn>", focus_in)
        table.bind("<FocusOut>", lambda e: frame.config(bg=theme.BORDER))
        for key, heading, width in COLUMNS:
            table.heading(key, text=_(heading))
            # At least as wide as the heading in the user's language.
            width = max(round(width * px), self.fonts["small_bold"].measure(_(heading)) + round(16 * px))
            table.column(key, width=width, anchor="w" if key == "day" else "e", stretch=key == "day")
        scroll = ttk.Scrollbar(frame, orient="vertical", command=table.yview)
        table.configure(yscrollcommand=scroll.set)
        table.pack(side="left", fill="both", expand=True)
        scroll.pack(side="right", fill="y")
        return table

    def show(self, n: int) -> None:
        """Show the last ``n`` days (the report holds at least that many)."""
        assert self.report is not None
        days = self.report.days[-n:]
        view = replace(self.report, days=days)
        self.today_label.config(text=view.today_line)
        self.streak_label.config(text=view.streak_line)
        image = chart.render(days, today=view.today, size=CHART_SIZE, scale=self.px)
        self._image = ImageTk.PhotoImage(image, master=self.root)
        self.chart.config(image=self._image)
        self.table.delete(*self.table.get_children())
        for d in reversed(days):
            self.table.insert("", "end", values=(
                _("Today") if d.day == view.today else short_date(d.day),
                f"{d.stretch_done} / {d.stretch_due}", d.posture_checks, format_duration(d.sitting_s),
                format_duration(d.longest_sitting_s), d.natural_breaks,
                "—" if d.checkin_mean is None else decimal(d.checkin_mean)))
        for choice, b in self.toggles.items():
            on = choice == n
            b.config(bg=theme.ACCENT if on else theme.WHITE, fg=theme.WHITE if on else theme.TEXT,
                     activebackground=theme.ACCENT_ACTIVE if on else theme.TROUGH,
                     activeforeground=theme.WHITE if on else theme.TEXT, relief="flat")


def _load(days: int) -> tuple[Report | None, str]:
    from necka_tray.store import config
    from necka_tray.core.clock import SystemClock
    from necka_tray.store.paths import AppPaths
    from necka_tray.store.reports import load, local_zone

    paths = AppPaths.for_user()
    min_sessions = config.load(paths.config_file).settings["stats.streak_min_sessions"]
    try:
        return load(paths.history_db, max(days, *CHOICES), SystemClock().now(), local_zone(), min_sessions), ""
    except Exception as exc:  # a broken or newer history file: say so in the window
        message = _("Cannot read the history {path}: {error}").format(path=paths.history_db, error=exc)
        print(f"necka-tray: {message}", file=sys.stderr)
        return None, message


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="necka-tray stats --window", description=_("Show Necka's statistics."))
    parser.add_argument("--days", type=int, default=7)
    args = parser.parse_args(argv)
    report, problem = _load(args.days)
    root = tk.Tk(className="Necka")
    StatsWindow(root, report, args.days, problem)
    root.update_idletasks()
    w, h = root.winfo_reqwidth(), root.winfo_reqheight()
    root.geometry(f"+{max(0, (root.winfo_screenwidth() - w) // 2)}+{max(0, (root.winfo_screenheight() - h) // 4)}")
    root.lift()
    root.mainloop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
