"""Thirty days of a desk worker's life, simulated in seconds, checked reminder by reminder.

The real ``App``, ``Planner``, ``PresenceMonitor`` and ``ActivityTracker`` run on
an injected clock. Only APScheduler is replaced, by ``SimScheduler``, which
keeps its rules (interval jobs chained from the previous run, coalescing,
runs later than the grace time dropped, the in-memory minute tick processed
after the stored jobs, and after a suspend the scheduler waking only when its
monotonic timer runs out). The real scheduler's rules are tested against the
real job store in ``test_app_scheduling.py``.

The script: workdays 08:55–17:45 with a short pause, a coffee break, a laptop
closed over lunch, an idle meeting, a full-screen presentation on Wednesdays,
suspended nights and weekends, the clock set forward and back an hour, and a
DST change (Europe/Berlin, 29 March).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from necka_tray.store import config
from necka_tray.owner.app import App
from necka_tray.owner.ports import Ports
from necka_tray.core.clock import FakeClock, TimeScale, between
from necka_tray.core.planner import Planner, ScheduleSnapshot
from necka_tray.core.reminders import DEFAULT_INTERVALS, Kind
from necka_tray.desktop.notify import LogNotifier
from necka_tray.desktop.presence import PresenceMonitor
from necka_tray.schedule.scheduling import MAX_GRACE_SECONDS

TZ = ZoneInfo("Europe/Berlin")
START = date(2026, 3, 2)  # a Monday
DAYS = 30
MINUTE = timedelta(minutes=1)


# -- the world: what the user and the machine do ---------------------------------------


@dataclass(frozen=True)
class Span:
    start: datetime
    end: datetime
    what: str  # work, pause, away, suspend, fullscreen


def local(day: date, hh: int, mm: int = 0) -> datetime:
    return datetime.combine(day, time(hh, mm), tzinfo=TZ)


def script() -> list[Span]:
    spans = []
    for n in range(DAYS):
        day = START + timedelta(days=n)
        if day.weekday() >= 5:
            continue
        plan = [
            (8, 55, 9, 40, "work"), (9, 40, 9, 43, "pause"), (9, 43, 10, 30, "work"),
            (10, 30, 10, 40, "away"), (10, 40, 11, 0, "work"),
            (11, 0, 11, 45, "fullscreen" if day.weekday() == 2 else "work"),
            (11, 45, 12, 30, "work"), (12, 30, 13, 20, "suspend"), (13, 20, 15, 0, "work"),
            (15, 0, 16, 0, "away"), (16, 0, 17, 45, "work"),
        ]
        spans += [Span(local(day, a, b), local(day, c, d), w) for a, b, c, d, w in plan]
    return spans


class World:
    """Answers the app's questions (idle time, full screen) from the script; suspends the clock."""

    def __init__(self, spans: list[Span]):
        self.spans = spans
        self.name = "sim"
        self.by_day: dict[date, list[Span]] = {}
        for s in spans:
            self.by_day.setdefault(s.start.date(), []).append(s)

    def at(self, t: datetime) -> Span | None:
        for s in self.by_day.get(t.astimezone(TZ).date(), ()):
            if s.start <= t < s.end:
                return s
        return None

    def last_present_end(self, t: datetime) -> datetime:
        day = t.astimezone(TZ).date()
        for n in range(0, 4):
            ends = [s.end for s in self.by_day.get(day - timedelta(days=n), ()) if s.end <= t
                    and s.what in ("work", "fullscreen")]
            if ends:
                return max(ends)
        return t

    def state(self, t: datetime) -> str:
        span = self.at(t)
        return span.what if span else "suspend"

    # the idle source
    def idle_seconds(self) -> float:
        t = self.clock.now()
        span = self.at(t)
        if span is None or span.what in ("away", "pause", "suspend"):
            return between(self.last_present_end(t), t).total_seconds()
        # At work: typing in bursts, a key every few seconds with a pause of 10 s
        # in every 20 (a bubble waits for such a lull, never for long).
        return float(int(t.timestamp()) % 20)

    # the quiet source
    def quiet(self) -> bool:
        return self.state(self.clock.now()) == "fullscreen"


# -- the scheduler, by APScheduler's rules --------------------------------------------


class SimScheduler:
    def __init__(self, planner: Planner):
        self.planner = planner
        self.next: dict[Kind, datetime | None] = {}
        self.minutes: dict[Kind, int] = {}
        self.pause_end: datetime | None = None
        self.tick_at: datetime | None = None
        self.lull_at: datetime | None = None
        self.missed = 0

    def start(self, on_job_event):
        pass

    def interval(self, kind):
        return self.planner.scale.real(timedelta(minutes=self.minutes[kind]))

    def reconcile(self, intervals, now):
        for kind, minutes in intervals.items():
            if minutes is not None and kind not in self.next:
                self.minutes[kind] = minutes
                self.next[kind] = now + self.interval(kind)
        self.tick_at = now + self.planner.scale.real(MINUTE)

    def restart(self, kind, now):
        if kind in self.next and self.pause_end is None:
            self.next[kind] = now + self.interval(kind)

    def restart_all(self, now):
        for kind in self.next:
            self.restart(kind, now)

    def shift_all(self, delta):
        for kind, t in self.next.items():
            if t is not None:
                self.next[kind] = t + delta

    def snapshot(self):
        return ScheduleSnapshot(dict(self.next), dict(self.minutes), self.pause_end)

    def paused_until(self):
        return self.pause_end

    def shutdown(self):
        pass

    def wake_at(self, when: datetime) -> None:
        self.lull_at = when  # a newer one-shot replaces the older, as the real scheduler's id does

    def next_wakeup(self) -> datetime:
        times = [t for t in self.next.values() if t is not None] + [self.tick_at]
        return min(times + [self.lull_at] if self.lull_at else times)

    def process(self, now: datetime, app: App) -> None:
        """One pass of APScheduler's ``_process_jobs``: stored jobs by time, then the tick.

        As there, every due job is moved to its next slot (under the job-store
        lock) before the app sees any of the runs on its dispatcher thread.
        """
        grace = timedelta(seconds=MAX_GRACE_SECONDS)
        events = []
        for kind, t in sorted(((k, t) for k, t in self.next.items() if t is not None and t <= now),
                              key=lambda kt: (kt[1], kt[0].value)):
            last = t
            while last + self.interval(kind) <= now:
                last += self.interval(kind)  # coalesce: only the latest missed slot counts
            self.next[kind] = last + self.interval(kind)
            if now - last > grace:
                self.missed += 1
            else:
                events.append(("reminder", kind.value))
        if self.tick_at <= now:
            while self.tick_at <= now:
                self.tick_at += self.planner.scale.real(MINUTE)
            events.append(("tick",))
        if self.lull_at is not None and self.lull_at <= now:
            self.lull_at = None
            events.append(("lull",))
        for event in events:
            app.on_job(*event)


# -- the run ---------------------------------------------------------------------------------


class NullView:
    def render(self, view, entries):
        self.last = view

    def stop(self):
        pass


class NullLauncher:
    running = False

    def launch(self, routine=None):
        return False


@dataclass
class Shown:
    at: datetime
    kind: Kind
    held: bool
    state: str
    idle: float  # seconds since the user's last input when it was shown


def simulate(tmp_path, clock_changes=()):
    spans = script()
    world = World(spans)
    clock = FakeClock(local(START, 8, 55).astimezone(timezone.utc), mono=10_000.0)
    world.clock = clock
    planner = Planner(TimeScale(1), tz=TZ)
    sched = SimScheduler(planner)
    notifier = LogNotifier()
    records = []
    presence = PresenceMonitor(world, world, planner.scale, TZ)
    ports = Ports(clock=clock, scheduler=sched, notifier=notifier, view=NullView(), launcher=NullLauncher(),
                  post=lambda fn, *a: fn(*a), open_file=lambda p: None,
                  record=lambda kind, ts, **data: records.append((kind, ts, data)),
                  quit_loop=lambda: None, presence=presence)
    app = App(tmp_path / "config.toml", config.load(tmp_path / "config.toml").settings, planner, ports)
    app.start()
    shown: list[Shown] = []
    end = local(START + timedelta(days=DAYS), 0)
    changes = sorted(clock_changes)
    while clock.now() < end:
        now = clock.now()
        target = sched.next_wakeup()
        # Scheduled clock changes (the user sets the clock) happen between wake-ups.
        if changes and changes[0][0] <= target:
            when, delta = changes.pop(0)
            clock.advance(seconds=max(0.0, between(now, when).total_seconds()))
            clock._now = clock._now + delta  # the wall clock jumps; monotonic time does not
            continue
        span_now = world.at(now)
        suspend = next((s for s in spans if s.what == "suspend" and s.start > now), None)
        night = world.state(now) == "suspend" or span_now is None
        if night:
            # The machine sleeps until the next span starts: wall time passes, monotonic does not.
            wake = min((s.start for s in spans if s.start > now and s.what != "suspend"), default=end)
            wait = between(now, target)
            clock._now = wake.astimezone(timezone.utc)
            clock.advance(seconds=max(0.0, wait.total_seconds()))  # the timer's remaining monotonic wait
            sched.process(clock.now(), app)
            continue
        if suspend is not None and suspend.start < target:
            clock.advance(seconds=between(now, suspend.start).total_seconds())
            continue
        next_span = min((s.start for s in spans if s.start > now), default=end)
        clock.advance(seconds=max(0.0, between(now, target).total_seconds()))
        before = len(notifier.sent)
        sched.process(clock.now(), app)
        for title, _ in notifier.sent[before:]:
            kind = next(k for k, m in MESSAGES.items() if m.title == title)
            held = records[-1][2].get("held", False) if records and records[-1][0] == "reminder" else False
            shown.append(Shown(clock.now(), kind, held, world.state(clock.now()), world.idle_seconds()))
        del next_span
    return shown, world, records, sched


from necka_tray.core.reminders import MESSAGES  # noqa: E402


def sitting_sessions(spans: list[Span]) -> list[tuple[datetime, datetime, timedelta]]:
    """Present stretches between natural breaks (away or asleep 5+ min), with their short pauses."""
    sessions, start, pauses = [], None, timedelta(0)
    prev_end = None
    for s in spans:
        if start is not None and prev_end is not None and s.start > prev_end:  # a night between
            sessions.append((start, prev_end, pauses))
            start, pauses = None, timedelta(0)
        prev_end = s.end
        if s.what in ("work", "fullscreen"):
            start = start or s.start
        elif s.what == "pause":
            pauses += s.end - s.start
        else:
            if start is not None:
                sessions.append((start, s.start, pauses))
            start, pauses = None, timedelta(0)
    if start is not None:
        sessions.append((start, spans[-1].end, pauses))
    return sessions


@pytest.fixture(scope="module")
def month(tmp_path_factory):
    return simulate(tmp_path_factory.mktemp("month"), clock_changes=[
        (local(date(2026, 3, 13), 14, 10).astimezone(timezone.utc), timedelta(hours=1)),   # set forward
        (local(date(2026, 3, 18), 14, 10).astimezone(timezone.utc), timedelta(hours=-1)),  # set back
    ])


def test_reminders_were_shown_every_workday(month):
    shown, world, _, _ = month
    days = {s.at.astimezone(TZ).date() for s in shown}
    workdays = {START + timedelta(days=n) for n in range(DAYS) if (START + timedelta(days=n)).weekday() < 5}
    assert days == workdays


def test_none_while_away_or_asleep(month):
    """Away means gone for the natural-break time (5 min): until then nobody can tell."""
    shown, _, _, _ = month
    assert [s for s in shown if s.idle >= 5 * 60] == []
    assert [s for s in shown if s.state == "suspend"] == []


def test_none_during_full_screen_unless_held_past_the_bound(month):
    shown, world, _, _ = month
    early = [s for s in shown if s.state == "fullscreen" and not s.held]
    assert early == []


def test_no_bursts_and_no_duplicates(month):
    shown, _, _, _ = month
    for a, b in zip(shown, shown[1:]):
        assert between(a.at, b.at) >= timedelta(minutes=5) - timedelta(seconds=1), (a, b)
    for kind in Kind:
        times = [s.at for s in shown if s.kind is kind]
        for a, b in zip(times, times[1:]):
            assert between(a, b) >= timedelta(minutes=DEFAULT_INTERVALS[kind]) - MINUTE, (kind, a, b)


def test_none_missed_while_sitting(month):
    """Each sitting stretch long enough gets its stretch break on time (pauses not counted)."""
    shown, world, _, _ = month
    checked = 0
    for start, end, pauses in sitting_sessions(world.spans):
        due = start + timedelta(minutes=60) + pauses
        if between(due, end) < timedelta(minutes=3):
            continue
        # A clock change on the day (checked separately) shifts wall times.
        if start.date() in (date(2026, 3, 13), date(2026, 3, 18)):
            continue
        stretches = [s for s in shown if s.kind is Kind.STRETCH and start <= s.at < end]
        assert stretches, f"no stretch break in the session {start}–{end}"
        first = stretches[0]
        slack = timedelta(minutes=31) if first.held else timedelta(minutes=2)
        assert due - MINUTE <= first.at <= due + slack, (start, first)
        checked += 1
    assert checked >= 40


def test_posture_checks_come_in_each_long_session(month):
    shown, world, _, _ = month
    for start, end, pauses in sitting_sessions(world.spans):
        if between(start, end) < timedelta(minutes=30) or start.date() in (date(2026, 3, 13), date(2026, 3, 18)):
            continue
        first = [s for s in shown if start <= s.at < end]
        assert first, f"nothing in {start}–{end}"
        assert first[0].at <= start + timedelta(minutes=20) + pauses + timedelta(minutes=31 if first[0].held else 2)


def test_natural_breaks_are_recorded(month):
    _, _, records, _ = month
    breaks = [r for r in records if r[0] == "natural_break"]
    # Coffee, lunch (laptop closed), the meeting and each night: about four a workday.
    assert len(breaks) >= 3 * 22


def test_clock_changes_bring_no_burst_and_no_negative_wait(month):
    shown, _, _, _ = month
    for day in (date(2026, 3, 13), date(2026, 3, 18)):
        todays = [s for s in shown if s.at.astimezone(TZ).date() == day]
        assert todays, day
        for a, b in zip(todays, todays[1:]):
            assert between(a.at, b.at) >= timedelta(minutes=5) - timedelta(seconds=1)
