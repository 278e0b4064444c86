"""APScheduler loaded without asyncio, importlib.metadata, tzlocal, zoneinfo, uuid and process pools, in a fresh interpreter as the tray loads it."""

from __future__ import annotations

import subprocess
import sys

PROBE = r"""
import sys
from necka_tray.tray import apscheduler_import
apscheduler_import.load()
kept_out = [m for m in ("asyncio", "importlib.metadata", "email", "tzlocal", "concurrent.futures.process",
                        "multiprocessing", "zoneinfo", "uuid", "random") if m in sys.modules]
from datetime import datetime, timedelta, timezone
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger
u = BackgroundScheduler(timezone=timezone.utc)
u.add_job(print, IntervalTrigger(minutes=1, timezone=timezone.utc), id="u")
u.add_job(print, DateTrigger(run_date=datetime.now(timezone.utc), timezone=timezone.utc), id="v")
kept_out += [m for m in ("tzlocal",) if m in sys.modules]  # as the tray uses it: no local zone asked
s = BackgroundScheduler()  # no zone named: the stand-in asks the real tzlocal
local = "tzlocal.unix" in sys.modules and s.timezone is not None
s.add_job(print, IntervalTrigger(minutes=1), id="a")
s.add_job(print, DateTrigger(run_date=datetime.now(timezone.utc) + timedelta(hours=1)), id="b")
try:
    s.add_job(print, "interval", minutes=1, id="c")
    alias = "accepted"
except LookupError:
    alias = "refused"
import importlib.metadata, asyncio
real = hasattr(importlib.metadata, "distribution") and hasattr(asyncio, "run")
import concurrent.futures.process as pool
real = real and pool.BrokenProcessPool is not apscheduler_import._stand_ins()["concurrent.futures.process"].BrokenProcessPool
print(kept_out, sorted(j.id for j in s.get_jobs()), alias, real, local)
"""


LATER = r"""
import sys
from datetime import datetime, timezone
from necka_tray.tray import apscheduler_import
apscheduler_import.load()
from apscheduler import util
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger
before = [m for m in ("zoneinfo", "uuid", "random", "multiprocessing") if m in sys.modules]
# What the stand-ins leave behind in APScheduler's modules still does the real thing when used:
# a zone by name, a real ZoneInfo recognised as one, a job without an id, jitter, a process pool's context.
named = util.astimezone("Test/Zone")
import zoneinfo
tz = zoneinfo.ZoneInfo.from_file(open(sys.argv[1], "rb"), key="Test/Other")
s = BackgroundScheduler(timezone=timezone.utc)
job = s.add_job(print, IntervalTrigger(minutes=1, jitter=5, timezone=timezone.utc))
fire = IntervalTrigger(minutes=1, jitter=5, timezone=timezone.utc).get_next_fire_time(None, datetime.now(timezone.utc))
from apscheduler.executors import pool
ctx = pool.multiprocessing.get_context("spawn")
print(before, type(named).__module__, named.key, util.astimezone(tz) is tz, util.timezone_repr(tz),
      util.timezone_repr(timezone.utc) == repr(timezone.utc), len(job.id), fire is not None, ctx.get_start_method())
"""

#: A TZif file (version 1) of one zone at UTC+01:00 named "TST", for zones without the system's tzdata.
TZIF = (b"TZif" + b"\0" + b"\0" * 15 + (0).to_bytes(4, "big") * 3 + (0).to_bytes(4, "big") + (1).to_bytes(4, "big")
        + (4).to_bytes(4, "big") + (3600).to_bytes(4, "big", signed=True) + b"\0\0" + b"TST\0")


def test_what_the_stand_ins_leave_behind_does_the_real_thing_when_used(tmp_path):
    import os

    (tmp_path / "Test").mkdir()
    (tmp_path / "Test" / "Zone").write_bytes(TZIF)
    out = subprocess.run([sys.executable, "-c", LATER, str(tmp_path / "Test" / "Zone")], capture_output=True, text=True,
                         env={**os.environ, "PYTHONTZPATH": str(tmp_path)})
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["[]", "zoneinfo", "Test/Zone", "True", "Test/Other", "True", "32", "True", "spawn"]


def test_the_tray_imports_apscheduler_without_what_it_never_uses():
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True).stdout
    # Nothing heavy came in; trigger instances work; an alias fails loudly; the real modules import
    # later, and a scheduler without a zone still gets the local one.
    assert out.split() == ["[]", "['a',", "'b']", "refused", "True", "True"]
