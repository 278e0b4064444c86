"""Five years of history: how big the database gets and how fast the statistics answer.

    .venv/bin/python benchmarks/history_bench.py               # 5 years, 7 runs per timing
    .venv/bin/python benchmarks/history_bench.py --years 1 --runs 3

It fills a fresh history (temporary XDG dirs) with a realistic, seeded working
life: workdays of 8-9 hours in sitting stretches of 35-110 minutes between
natural breaks and a lunch break, posture / shoulder-roll / stretch reminders
on their 20/40/60-minute rhythm, stretch breaks taken, snoozed, skipped or
ignored, sessions (some stopped early), check-ins after about half of the
sessions and now and then a daily one, pauses, mostly quiet weekends and two
holidays a year. Then it measures, before and after the roll-up that the tray
runs at start and once a day (``history.retention_days``, default 90):

- the database size (after a WAL checkpoint);
- ``necka-tray stats --days 30`` as a user runs it (a new process; the
  median wall time over the runs, with the bare ``python -c pass`` start-up
  for reference) and the same work in-process (``reports.load``);
- the chart: ``necka-tray stats --days 30 --chart FILE.png`` and
  ``chart.render`` in-process for 30 and 365 days.

Targets (issue 4): stats under 100 ms, the database under 20 MB for five years.

A large history (issue 27.4): ``--years 2 --events 2000000`` tops the working
life up to two million events (copies a few seconds apart, as a history merged
back several times would hold), then adds, before and after the roll-up:

- how long a call on the state owner's (dispatcher) thread waits while the
  roll-up runs on the history thread, as ``necka-tray status`` would (target:
  under 1 s);
- ``stats --days 30`` and ``--days 3650`` as new processes, with their peak
  memory (targets: 0.3 s, 2 s, 100 MB): first over days never counted (``day_cache``
  emptied before each, as after a merge or with no tray running), then again.

This is a benchmark, not a test: it prints figures and asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import date, datetime, time as dtime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from necka_tray.core import stats  # noqa: E402
from necka_tray.store.history import History  # noqa: E402
from necka_tray.store.reports import load, local_zone  # noqa: E402

Event = tuple[str, datetime, dict]


# -- a working life ------------------------------------------------------------------------------


def working_life(first: date, last: date, tz, rng: random.Random, until: datetime) -> Iterator[Event]:
    holidays = _holidays(first, last, rng)
    span = max(1, (last - first).days)
    for day in stats.day_range(first, last):
        weekend = day.weekday() >= 5
        if day in holidays or (weekend and rng.random() < 0.92):
            continue
        # The neck gets a little better over the years, with bad weeks on the way.
        trend = 6.0 - 3.0 * (day - first).days / span + 1.5 * (rng.random() < 0.1)
        yield from (e for e in _workday(day, tz, rng, trend, short=weekend) if e[1] < until)


def _holidays(first: date, last: date, rng: random.Random) -> set[date]:
    out: set[date] = set()
    for year in range(first.year, last.year + 1):
        for _ in range(2):
            start = date(year, 1, 1) + timedelta(days=rng.randrange(365))
            out.update(start + timedelta(days=k) for k in range(rng.choice((7, 10, 14))))
    return out


def _at(day: date, minutes: float, tz) -> datetime:
    return datetime.combine(day, dtime(), tzinfo=tz) + timedelta(minutes=minutes)


def _workday(day: date, tz, rng: random.Random, trend: float, short: bool) -> Iterator[Event]:
    t = 8.5 * 60 + rng.uniform(0, 60)
    end = t + (rng.uniform(120, 240) if short else rng.uniform(8 * 60, 9.5 * 60))
    lunch = 12 * 60 + rng.uniform(0, 45)
    lunched = short
    if rng.random() < 0.15:
        yield "checkin", _at(day, t + 2, tz), {"rating": _rating(rng, trend), "source": "daily"}
    while t < end:
        block = rng.uniform(35, 110)
        if not lunched and t + block > lunch:
            block, pause = max(5.0, lunch - t), rng.uniform(30, 60)
            lunched = True
        else:
            pause = rng.uniform(5, 20)
        block = min(block, end - t)
        yield from _sitting(day, t, block, tz, rng, trend)
        start, stop = _at(day, t, tz), _at(day, t + block, tz)
        if t + block >= end:
            yield "sitting", start, {"duration_s": round(block * 60, 1), "ended": stop.isoformat(), "until": "quit"}
            return
        back = _at(day, t + block + pause, tz)
        yield "natural_break", stop, {"end": back.isoformat(), "sat_from": start.isoformat(),
                                      "minutes": round(pause, 1)}
        t += block + pause


def _sitting(day: date, t0: float, block: float, tz, rng: random.Random, trend: float) -> Iterator[Event]:
    """The reminders of one sitting stretch (their countdowns started with it) and what followed."""
    m = 20.0
    while m <= block:
        name = "stretch" if m % 60 == 0 else "shoulder_rolls" if m % 40 == 0 else "posture"
        ts = _at(day, t0 + m, tz)
        yield "reminder", ts, {"reminder": name, "notified": True, "held": False}
        if name == "stretch":
            yield from _stretch_break(ts, rng, trend)
        m += 20
    if rng.random() < 0.12:  # a session without being asked
        yield from _session(_at(day, t0 + rng.uniform(0, block), tz), rng, trend)


def _stretch_break(ts: datetime, rng: random.Random, trend: float) -> Iterator[Event]:
    r = rng.random()
    if r < 0.55:
        yield from _session(ts + timedelta(minutes=rng.uniform(0.5, 8)), rng, trend)
    elif r < 0.70:
        yield "snooze", ts + timedelta(minutes=1), {"reminder": "stretch", "minutes": 10}
        again = ts + timedelta(minutes=11)
        yield "reminder", again, {"reminder": "stretch", "notified": True, "held": False}
        if rng.random() < 0.6:
            yield from _session(again + timedelta(minutes=rng.uniform(0.5, 5)), rng, trend)
    elif r < 0.75:
        yield "skip", ts + timedelta(minutes=1), {"reminder": "stretch", "was_due": True}


def _session(ts: datetime, rng: random.Random, trend: float) -> Iterator[Event]:
    completed = rng.random() < 0.85
    steps = 6 if completed else rng.randrange(0, 5)
    seconds = 112.0 if completed else 15.0 * steps + rng.uniform(2, 14)
    ended = ts + timedelta(seconds=seconds)
    yield "session", ts, {"outcome": "completed" if completed else "stopped", "steps_done": steps,
                          "steps_total": 6, "routine": "neck", "duration_s": round(seconds, 1),
                          "ended": ended.isoformat()}
    if completed and rng.random() < 0.5:
        yield "checkin", ended + timedelta(seconds=4), {"rating": _rating(rng, trend), "source": "session"}


def _rating(rng: random.Random, trend: float) -> int:
    return max(0, min(10, round(rng.gauss(trend, 1.5))))


# -- measuring -------------------------------------------------------------------------------------


def db_bytes(path: Path) -> int:
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))


def timed(fn, runs: int) -> tuple[float, float]:
    """Median and fastest wall time of ``fn()`` in milliseconds."""
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), min(times)


def command(env: dict, *args: str):
    def run() -> None:
        subprocess.run([sys.executable, "-m", "necka_tray", *args], env=env, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return run


def peak_mb(env: dict, *args: str) -> float:
    """Peak resident memory (MB) of one ``necka-tray`` run."""
    # Through a small parent: a child forked from this (large) process counts its pages until exec.
    probe = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, "
             "stderr=subprocess.DEVNULL); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    out = subprocess.run([sys.executable, "-c", probe, sys.executable, "-m", "necka_tray", *args], env=env,
                         capture_output=True, text=True, check=True).stdout
    return int(out) / 1024


def forget_counted_days(path: Path) -> None:
    """Empty ``day_cache``: the next ``stats`` is a first run over days never counted."""
    with sqlite3.connect(path) as db:
        db.execute("DELETE FROM day_cache")


def large_stats(label: str, path: Path, env: dict, runs: int) -> list[tuple[str, str]]:
    rows = []
    for days in ("30", "3650"):
        forget_counted_days(path)
        first_peak = peak_mb(env, "stats", "--days", days)
        forget_counted_days(path)
        first = timed(command(env, "stats", "--days", days), 1)[0]  # counts the days (and caches them)
        rows.append((f"{label}: `necka-tray stats --days {days}`", "first run (days never counted) %.0f ms, "
                     "peak %.0f MB; then %.0f ms (fastest %.0f), peak %.0f MB" % (
                         first, first_peak, *timed(command(env, "stats", "--days", days), runs),
                         peak_mb(env, "stats", "--days", days))))
    return rows


def roll_up_beside_the_dispatcher(path: Path, tz, now: datetime, keep_days: int) -> list[tuple[str, str]]:
    """The tray's start: the roll-up on the history thread; a status-like call every 50 ms on the dispatcher."""
    import threading

    from necka_tray.owner.dispatch import Dispatcher
    from necka_tray.owner.history_reads import HistoryThread
    from necka_tray.store.reports import TrayStats

    dispatcher = Dispatcher()
    loop = threading.Thread(target=dispatcher.run, daemon=True)
    loop.start()
    io = HistoryThread(dispatcher.post)
    finished = threading.Event()
    t0 = time.perf_counter()
    io.run("roll-up", TrayStats(path, tz).roll_up, now, keep_days, then=lambda _n: None)
    io.run("done", finished.set)
    waits = []
    while not finished.is_set():
        answered = threading.Event()
        asked = time.perf_counter()
        dispatcher.post(answered.set)
        answered.wait(30)
        waits.append(time.perf_counter() - asked)
        finished.wait(0.05)
    took = time.perf_counter() - t0
    dispatcher.post(dispatcher.stop)
    io.stop()
    return [("roll-up on the history thread (the tray's start)", f"{took:.1f} s"),
            ("a call on the dispatcher meanwhile (`status`)", f"longest {max(waits) * 1000:.0f} ms, "
             f"median {statistics.median(waits) * 1000:.1f} ms over {len(waits)} calls")]


def top_up(path: Path, events: list[Event], target: int) -> None:
    """Copies of the working life, seconds apart, until the history holds ``target`` events."""
    with History(path) as h:
        have = h._db.execute("SELECT COUNT(*) FROM events").fetchone()[0]
        k = 0
        while have < target:
            k += 1
            batch = [(kind, ts + timedelta(seconds=7 * k), data) for kind, ts, data in events[:target - have]]
            for i in range(0, len(batch), 20000):
                h.record_many(batch[i:i + 20000])
            have += len(batch)


def measure(label: str, path: Path, env: dict, tz, now: datetime, runs: int, out: Path) -> list[tuple[str, str]]:
    from necka_tray.windows import chart

    rows = []
    with History(path) as h:
        events = h._db.execute("SELECT COUNT(*) FROM events").fetchone()[0]
        day_rows = h._db.execute("SELECT COUNT(*) FROM days").fetchone()[0]
    rows.append((f"{label}: database", f"{db_bytes(path) / 1e6:.1f} MB ({events} events, {day_rows} day rows)"))
    rows.append((f"{label}: `necka-tray stats --days 30`", "%.0f ms (fastest %.0f)" % timed(
        command(env, "stats", "--days", "30"), runs)))
    rows.append((f"{label}: `reports.load`, 30 days, in-process", "%.1f ms (fastest %.1f)" % timed(
        lambda: load(path, 30, now, tz, 2), runs)))
    rows.append((f"{label}: `necka-tray stats --days 30 --chart`", "%.0f ms (fastest %.0f)" % timed(
        command(env, "stats", "--days", "30", "--chart", str(out)), runs)))
    for n in (30, 365):
        report = load(path, n, now, tz, 2)
        rows.append((f"{label}: `chart.render`, {n} days, in-process", "%.1f ms (fastest %.1f)" % timed(
            lambda: chart.png_bytes(chart.render(report.days, today=report.today)), runs)))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--keep-days", type=int, default=90, help="history.retention_days for the roll-up")
    parser.add_argument("--seed", type=int, default=4)
    parser.add_argument("--events", type=int, default=0, help="top the history up to this many events (27.4: 2000000)")
    args = parser.parse_args()

    tz = local_zone()
    now = datetime.now(tz)
    last = now.date()
    first = last - timedelta(days=round(365.25 * args.years))
    with tempfile.TemporaryDirectory(prefix="necka-bench-") as tmp:
        env = dict(os.environ)
        for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_RUNTIME_DIR", "HOME"):
            env[var] = os.path.join(tmp, var.lower())
            os.makedirs(env[var], mode=0o700)
        os.environ.update(env)  # AppPaths.for_user in this process too
        path = Path(env["XDG_DATA_HOME"]) / "necka-tray" / "history.sqlite3"
        rng = random.Random(args.seed)
        t0 = time.perf_counter()
        life = list(working_life(first, last, tz, rng, now))
        with History(path) as h:
            for i in range(0, len(life), 5000):
                h.record_many(life[i:i + 5000])
        if args.events:
            top_up(path, life, args.events)
        del life
        fill_s = time.perf_counter() - t0
        out = Path(tmp) / "chart.png"
        rows = [("history", f"{first} .. {last} ({args.years} years, seed {args.seed}), filled in {fill_s:.1f} s")]
        rows.append(("python start-up (`python -c pass`)", "%.0f ms" % timed(
            lambda: subprocess.run([sys.executable, "-c", "pass"], check=True), args.runs)[0]))
        rows += measure("raw events", path, env, tz, now, args.runs, out)
        if args.events:
            rows += large_stats("raw events", path, env, args.runs)
            rows += roll_up_beside_the_dispatcher(path, tz, now, args.keep_days)
        t0 = time.perf_counter()
        with History(path) as h:
            rolled = h.roll_up(now, tz, args.keep_days)
        rows.append((f"roll-up to {args.keep_days} days of events (first run)",
                     f"{(time.perf_counter() - t0) * 1000:.0f} ms, {rolled} day rows"))
        t0 = time.perf_counter()
        with History(path) as h:
            h.roll_up(now + timedelta(days=1), tz, args.keep_days)
        rows.append(("roll-up of one more day (the daily one)", f"{(time.perf_counter() - t0) * 1000:.0f} ms"))
        rows += measure("rolled up", path, env, tz, now, args.runs, out)
        if args.events:
            rows += large_stats("rolled up", path, env, args.runs)

    print(f"| {'measure':<58} | value |\n|{'-' * 60}|-------|")
    for name, value in rows:
        print(f"| {name:<58} | {value} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
