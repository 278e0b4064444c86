"""The history chart, drawn with Pillow: is the habit working?

Three panels on one time axis, one column per day: stretch sessions done
over the breaks due, sitting time with the longest unbroken stretch inside
it, and the neck check-in trend (0 no pain .. 10 worst pain). Pure drawing,
days in and an image out, for ``necka-tray stats --chart`` and the
statistics window. ``layout`` is the geometry the drawing uses; tests ask it
where a day's bar must be and check the pixels there.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont

from necka_tray.core.stats import DayStats
from necka_tray.texts.i18n import _, decimal, month, weekday

SIZE = (820, 420)



@dataclass(frozen=True)
class Inks:
    """The chart's colours in one look: the calm default, or high contrast (``session.theme``)."""

    bg: str
    text: str
    muted: str
    grid: str
    axis: str
    today_band: str
    done: str
    due: str
    sitting: str
    longest: str
    neck: str


CALM = Inks(bg="#FFFFFF", text="#1F3A44", muted="#5C7177", grid="#E6EDEB", axis="#B9CBC7", today_band="#F1F6F5",
            done="#2E7D73",  # the session window's teal
            due="#BFDCD6", sitting="#CCD5DD", longest="#55697A", neck="#C8553D")
#: Black text; every mark at least 3:1 against white and against the mark it sits on (WCAG's non-text contrast).
HIGH_CONTRAST = Inks(bg="#FFFFFF", text="#000000", muted="#1A1A1A", grid="#9E9E9E", axis="#000000",
                     today_band="#F2F2F2", done="#0B3D91", due="#7090D0", sitting="#858585", longest="#000000",
                     neck="#A8001C")


def inks_for(high_contrast: bool) -> Inks:
    return HIGH_CONTRAST if high_contrast else CALM

SESSIONS, SITTING_PANEL, NECK_PANEL = "sessions", "sitting", "neck"
_SESSION_STEPS = (2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 25, 30, 40, 50)
_HOUR_STEPS = (1, 2, 3, 4, 6, 8, 10, 12, 16, 24)


@dataclass(frozen=True)
class Panel:
    top: int  # first pixel row of the plot area
    bottom: int  # its baseline (value 0)
    vmax: float  # the value at ``top``

    def y(self, value: float) -> int:
        """The row a bar of ``value`` reaches (at least one pixel above the baseline when positive)."""
        frac = min(max(value / self.vmax, 0.0), 1.0)
        y = round(self.bottom - frac * (self.bottom - self.top))
        return min(y, self.bottom - 1) if value > 0 else self.bottom


@dataclass(frozen=True)
class Geometry:
    width: int
    height: int
    left: int
    right: int
    n: int
    panels: dict[str, Panel]
    scale: float

    @property
    def slot(self) -> float:
        return (self.right - self.left) / self.n

    def bar(self, i: int) -> tuple[int, int]:
        """First and last pixel column of day ``i``'s bar (at least one pixel wide)."""
        width = max(1.0, min(self.slot * 0.68, 56 * self.scale))
        x0 = round(self.left + i * self.slot + (self.slot - width) / 2)
        return x0, max(x0, round(x0 + width) - 1)

    def x(self, i: int) -> int:
        x0, x1 = self.bar(i)
        return (x0 + x1) // 2


def layout(days: Sequence[DayStats], size: tuple[int, int] = SIZE, scale: float = 1.0) -> Geometry:
    w, h = size
    s = scale
    title, gap, top, bottom_labels = round(22 * s), round(10 * s), round(6 * s), round(32 * s)
    plot = h - top - 3 * title - 2 * gap - bottom_labels
    heights = (plot * 3 // 8, plot * 3 // 8, plot - 2 * (plot * 3 // 8))
    most_sessions = max((max(d.stretch_done, d.stretch_due) for d in days), default=0)
    most_hours = max(((d.sitting_s or 0) / 3600 for d in days), default=0)
    vmax = {SESSIONS: _nice(most_sessions, _SESSION_STEPS), SITTING_PANEL: _nice(most_hours, _HOUR_STEPS),
            NECK_PANEL: 10}
    panels, y = {}, top
    for name, height in zip((SESSIONS, SITTING_PANEL, NECK_PANEL), heights):
        y += title
        panels[name] = Panel(y, y + height, vmax[name])
        y += height + gap
    # Room on the left for the widest y label in the user's language ("0,5 Std.", "0.5 時間").
    small = _font(round(11 * s))
    ticks = [_tick_label(name, v) for name, p in panels.items() for v in (p.vmax / 2, p.vmax)]
    left = max(round(44 * s), round(max(small.getlength(t) for t in ticks) + 10 * s))
    return Geometry(w, h, left, w - round(14 * s), max(1, len(days)), panels, s)


def _nice(value: float, steps: Sequence[int]) -> int:
    return next((step for step in steps if value <= step), int(value) + 1)


def render(days: Sequence[DayStats], today: date | None = None, size: tuple[int, int] = SIZE,
           scale: float = 1.0, inks: Inks = CALM) -> Image.Image:
    """The chart of ``days`` (oldest first, one column each); ``today`` gets a light band."""
    g = layout(days, (round(size[0] * scale), round(size[1] * scale)) if scale != 1.0 else size, scale)
    k = inks
    im = Image.new("RGB", (g.width, g.height), k.bg)
    draw = ImageDraw.Draw(im)
    font, small = _font(round(12 * scale)), _font(round(11 * scale))
    for i, d in enumerate(days):
        if d.day == today:
            x0, x1 = round(g.left + i * g.slot), round(g.left + (i + 1) * g.slot) - 1
            draw.rectangle((x0, g.panels[SESSIONS].top, x1, g.panels[NECK_PANEL].bottom), fill=k.today_band)
    _frame(draw, g, font, small, k)
    for i, d in enumerate(days):
        _bars(draw, g, i, g.panels[SESSIONS], ((d.stretch_due, k.due), (d.stretch_done, k.done)))
        _bars(draw, g, i, g.panels[SITTING_PANEL],
              (((d.sitting_s or 0) / 3600, k.sitting), ((d.longest_sitting_s or 0) / 3600, k.longest)))
    _trend(draw, g, days, k.neck)
    _x_labels(draw, g, days, today, small, k)
    if not any(d.active or d.checkins for d in days):
        p = g.panels[SESSIONS]
        _note(draw, g, (p.top + p.bottom) // 2, _("No history yet: finish a stretch session and your days "
                                                  "appear here."), font, k)
    elif not any(d.checkins for d in days):
        p = g.panels[NECK_PANEL]
        _note(draw, g, (p.top + p.bottom) // 2, _("No check-ins yet: answer \"How does your neck feel?\" "
                                                  "after a session."), small, k)
    return im


def png_bytes(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


# -- parts -----------------------------------------------------------------------------------------


def _frame(draw: ImageDraw.ImageDraw, g: Geometry, font, small, k: Inks) -> None:
    """Panel titles with their legends, grid lines, y labels and baselines."""
    s = g.scale
    titles = {
        SESSIONS: (_("Stretch sessions"), ((_("done"), k.done), (_("due"), k.due))),
        SITTING_PANEL: (_("Sitting"), ((_("total"), k.sitting), (_("longest stretch"), k.longest))),
        NECK_PANEL: (_("Neck check-in"), ((_("0 = no pain, 10 = worst"), k.neck),)),
    }
    for name, p in g.panels.items():
        title, legend = titles[name]
        y = p.top - round(19 * s)
        draw.text((g.left, y), title, fill=k.text, font=font)
        x = g.left + draw.textlength(title, font=font) + round(16 * s)
        for label, colour in legend:
            box = round(9 * s)
            yb = y + round(3 * s)
            if name == NECK_PANEL:
                draw.ellipse((x, yb, x + box, yb + box), fill=colour)
            else:
                draw.rectangle((x, yb, x + box, yb + box), fill=colour)
            draw.text((x + box + round(5 * s), y + round(1 * s)), label, fill=k.muted, font=small)
            x += box + round(5 * s) + draw.textlength(label, font=small) + round(14 * s)
        half = p.vmax / 2
        ticks = (0, 5, 10) if name == NECK_PANEL else (0, half, p.vmax) if name != SESSIONS or half % 1 == 0 \
            else (0, p.vmax)  # whole sessions only
        for value in ticks:
            yy = p.y(value) if value else p.bottom
            if value:
                draw.line((g.left, yy, g.right, yy), fill=k.grid, width=1)
            text = _tick_label(name, value)
            tw = draw.textlength(text, font=small)
            draw.text((g.left - round(6 * s) - tw, yy - round(7 * s)), text, fill=k.muted, font=small)
        draw.line((g.left, p.bottom, g.right, p.bottom), fill=k.axis, width=max(1, round(s)))


def _tick_label(panel: str, value: float) -> str:
    text = f"{value:g}".replace(".", decimal(0.0)[1])
    return _("{hours} h").format(hours=text) if panel == SITTING_PANEL and value else text


def _bars(draw: ImageDraw.ImageDraw, g: Geometry, i: int, p: Panel, layers) -> None:
    """Bars of one column drawn over each other, back to front."""
    x0, x1 = g.bar(i)
    for value, colour in layers:
        if value > 0:
            draw.rectangle((x0, p.y(value), x1, p.bottom - 1), fill=colour)


def _trend(draw: ImageDraw.ImageDraw, g: Geometry, days: Sequence[DayStats], colour: str) -> None:
    """The mean check-in of each day as a point, joined across days without one."""
    p = g.panels[NECK_PANEL]
    points = [(g.x(i), p.y(d.checkin_mean))
              for i, d in enumerate(days) if d.checkin_mean is not None]
    if len(points) > 1:
        draw.line(points, fill=colour, width=max(1, round(2 * g.scale)), joint="curve")
    r = max(1.5, min(4.0 * g.scale, g.slot / 3))
    for x, y in points:
        draw.ellipse((x - r, y - r, x + r, y + r), fill=colour)


def _x_labels(draw: ImageDraw.ImageDraw, g: Geometry, days: Sequence[DayStats], today: date | None, small,
              k: Inks) -> None:
    """Every day when there is room, else Mondays, else the first of each month."""
    s = g.scale
    base = g.panels[NECK_PANEL].bottom + round(5 * s)
    n = len(days)
    last_end = -1e9
    for i, d in enumerate(days):
        if n <= 14:
            lines = (_("Today"),) if d.day == today else (weekday(d.day.weekday()), str(d.day.day))
        elif n <= 62:
            if d.day.weekday() != 0:
                continue
            lines = (_("{day} {month}").format(day=d.day.day, month=month(d.day.month)),)
        else:
            if d.day.day != 1 and i != 0:
                continue
            name = month(d.day.month)
            lines = (name, str(d.day.year)) if d.day.month == 1 or i == 0 else (name,)
        width = max(draw.textlength(t, font=small) for t in lines)
        x = g.x(i)
        left = max(0, min(x - width / 2, g.width - width))
        if left < last_end + round(6 * s):
            continue
        last_end = left + width
        draw.line((x, base - round(5 * s), x, base - round(2 * s)), fill=k.axis)
        for row, t in enumerate(lines):
            tw = draw.textlength(t, font=small)
            draw.text((max(0, min(x - tw / 2, g.width - tw)), base + row * round(13 * s)), t, fill=k.muted, font=small)


def _note(draw: ImageDraw.ImageDraw, g: Geometry, y: int, text: str, font, k: Inks) -> None:
    tw = draw.textlength(text, font=font)
    x = (g.left + g.right - tw) / 2
    pad = round(8 * g.scale)
    draw.rectangle((x - pad, y - round(12 * g.scale), x + tw + pad, y + round(12 * g.scale)), fill=k.bg, outline=k.grid)
    draw.text((x, y - round(7 * g.scale)), text, fill=k.muted, font=font)


#: Font files with Japanese or Chinese glyphs (Debian's paths), with the face index in a collection.
CJK_FONT_FILES = {
    "ja": (("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 0),
           ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
           ("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", 0)),
    "zh": (("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
           ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
           ("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", 0)),
}


@lru_cache(maxsize=8)
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """DejaVu Sans where installed (Linux; a CJK font for Japanese and Chinese), else Pillow's own font:
    the chart never needs a system font."""
    from necka_tray.texts.i18n import language

    for path, index in CJK_FONT_FILES.get(language().split("_")[0], ()):
        try:
            return ImageFont.truetype(path, size, index=index)
        except OSError:
            continue
    try:
        return ImageFont.truetype("DejaVuSans.ttf", size)
    except OSError:
        return ImageFont.load_default(size=size)
