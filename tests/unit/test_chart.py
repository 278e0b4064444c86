"""The Pillow chart: bars and points appear where the data says, for no days, one day and a year."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from PIL import ImageColor

from necka_tray.core.stats import DayStats
from necka_tray.windows import chart

TODAY = date(2025, 3, 5)


def rgb(colour: str) -> tuple[int, int, int]:
    return ImageColor.getrgb(colour)


def series(n: int, make=lambda i, d: DayStats(d)) -> list[DayStats]:
    first = TODAY - timedelta(days=n - 1)
    return [make(i, first + timedelta(days=i)) for i in range(n)]


def colours_in_plots(im, g) -> set[tuple[int, int, int]]:
    """Every colour inside the three plot areas (legends sit above them, labels beside)."""
    found = set()
    for p in g.panels.values():
        box = im.crop((g.left, p.top, g.right, p.bottom))
        found |= {c for _, c in box.getcolors(maxcolors=1 << 20)}
    return found


def test_an_empty_history_draws_the_frame_and_no_data():
    days = series(7)
    im = chart.render(days, today=TODAY)
    g = chart.layout(days)
    assert im.size == chart.SIZE
    used = colours_in_plots(im, g)
    for data_colour in (chart.CALM.done, chart.CALM.due, chart.CALM.sitting, chart.CALM.longest, chart.CALM.neck):
        assert rgb(data_colour) not in used, data_colour
    assert rgb(chart.CALM.today_band) in used  # today is marked even when empty
    # The legend swatches are there, above the plots.
    legend = im.crop((0, 0, im.width, g.panels[chart.SESSIONS].top)).getcolors(1 << 20)
    assert rgb(chart.CALM.done) in {c for _, c in legend}


def test_one_day_done_over_due_and_longest_inside_sitting():
    day = DayStats(TODAY, stretch_done=2, stretch_due=3, sitting_s=4 * 3600.0, longest_sitting_s=3600.0,
                   checkins=(3, 5), active=True)
    im = chart.render([day], today=TODAY)
    g = chart.layout([day])
    s, sit, neck = g.panels[chart.SESSIONS], g.panels[chart.SITTING_PANEL], g.panels[chart.NECK_PANEL]
    x = g.x(0)
    assert s.vmax == 3 and sit.vmax == 4
    assert im.getpixel((x, s.y(1))) == rgb(chart.CALM.done)
    assert im.getpixel((x, s.y(2) + 1)) == rgb(chart.CALM.done)
    assert im.getpixel((x, s.y(2) - 2)) == rgb(chart.CALM.due)  # the due bar shows above the done one
    assert im.getpixel((x, s.top)) == rgb(chart.CALM.due)  # 3 of 3: the full height
    assert im.getpixel((x, sit.y(0.5))) == rgb(chart.CALM.longest)
    assert im.getpixel((x, sit.y(2))) == rgb(chart.CALM.sitting)
    assert im.getpixel((x, neck.y(4))) == rgb(chart.CALM.neck)  # the mean of 3 and 5
    # Beside the bar there is no bar.
    x0, x1 = g.bar(0)
    assert im.getpixel((x0 - 3, s.y(1))) != rgb(chart.CALM.done)
    assert im.getpixel((x1 + 3, s.y(1))) != rgb(chart.CALM.done)


def test_bar_heights_follow_the_values():
    days = series(5, lambda i, d: DayStats(d, stretch_done=i * 2, active=True))  # 0, 2, 4, 6, 8
    im = chart.render(days, today=TODAY)
    g = chart.layout(days)
    s = g.panels[chart.SESSIONS]
    assert s.vmax == 8
    for i, d in enumerate(days):
        tops = [y for y in range(s.top, s.bottom) if im.getpixel((g.x(i), y)) == rgb(chart.CALM.done)]
        if d.stretch_done == 0:
            assert tops == []
        else:
            assert min(tops) == s.y(d.stretch_done)
            expected = (s.bottom - s.top) * d.stretch_done / 8
            assert abs((s.bottom - min(tops)) - expected) <= 1


def test_a_year_has_one_column_per_day_where_the_data_is():
    def make(i, d):
        if i % 7 == 0:
            return DayStats(d, stretch_done=4, stretch_due=4, sitting_s=5 * 3600.0, longest_sitting_s=7200.0,
                            active=True)
        return DayStats(d, checkins=(2,) if i % 30 == 0 else ())

    days = series(365, make)
    im = chart.render(days, today=TODAY)
    g = chart.layout(days)
    s, sit, neck = g.panels[chart.SESSIONS], g.panels[chart.SITTING_PANEL], g.panels[chart.NECK_PANEL]
    xs = [g.x(i) for i in range(365)]
    assert len(set(xs)) == 365  # no two days share a column
    for i, x in enumerate(xs):
        has = i % 7 == 0
        assert (im.getpixel((x, s.y(2))) == rgb(chart.CALM.done)) is has, i
        assert (im.getpixel((x, sit.y(1))) == rgb(chart.CALM.longest)) is has, i
    for i in range(0, 365, 30):
        if i % 7:
            assert im.getpixel((xs[i], neck.y(2))) == rgb(chart.CALM.neck), i


def test_scale_draws_a_larger_chart_with_the_same_layout():
    days = series(7, lambda i, d: DayStats(d, stretch_done=1, stretch_due=1, active=True))
    im = chart.render(days, today=TODAY, scale=2.0)
    assert im.size == (chart.SIZE[0] * 2, chart.SIZE[1] * 2)
    g = chart.layout(days, im.size, 2.0)
    assert im.getpixel((g.x(3), g.panels[chart.SESSIONS].y(0.5))) == rgb(chart.CALM.done)


def test_png_bytes():
    assert chart.png_bytes(chart.render(series(1))).startswith(b"\x89PNG\r\n\x1a\n")


@pytest.mark.parametrize("most, vmax", [(0, 2), (1, 2), (2, 2), (3, 3), (7, 8), (9, 10), (60, 61)])
def test_the_session_axis_ends_on_a_round_number(most, vmax):
    days = [DayStats(TODAY, stretch_due=most, active=True)]
    assert chart.layout(days).panels[chart.SESSIONS].vmax == vmax


def _contrast(a: str, b: str) -> float:
    def luminance(colour: str) -> float:
        channels = [c / 255 for c in rgb(colour)]
        lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_the_high_contrast_chart_draws_in_its_own_inks():
    day = DayStats(TODAY, stretch_done=2, stretch_due=3, sitting_s=4 * 3600.0, longest_sitting_s=3600.0,
                   checkins=(3, 5), active=True)
    calm, bold = chart.render([day], today=TODAY), chart.render([day], today=TODAY, inks=chart.HIGH_CONTRAST)
    g = chart.layout([day])
    s, sit = g.panels[chart.SESSIONS], g.panels[chart.SITTING_PANEL]
    x = g.x(0)
    assert bold.getpixel((x, s.y(1))) == rgb(chart.HIGH_CONTRAST.done) != calm.getpixel((x, s.y(1)))
    assert bold.getpixel((x, s.top)) == rgb(chart.HIGH_CONTRAST.due)
    assert bold.getpixel((x, sit.y(0.5))) == rgb(chart.HIGH_CONTRAST.longest)
    used = {c for _, c in bold.getcolors(1 << 20)}
    assert rgb(chart.CALM.done) not in used and rgb(chart.CALM.neck) not in used
    assert chart.inks_for(True) is chart.HIGH_CONTRAST and chart.inks_for(False) is chart.CALM


def test_high_contrast_marks_stand_out_from_the_page_and_from_each_other():
    k = chart.HIGH_CONTRAST
    for mark in (k.done, k.due, k.sitting, k.longest, k.neck, k.axis, k.text):
        assert _contrast(mark, k.bg) >= 3.0, mark  # WCAG 1.4.11, non-text contrast
    assert _contrast(k.done, k.due) >= 3.0 and _contrast(k.longest, k.sitting) >= 3.0  # a bar over a bar
    assert _contrast(k.text, k.bg) >= 7.0 and _contrast(k.muted, k.bg) >= 7.0  # text: WCAG AAA
