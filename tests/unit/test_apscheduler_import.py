"""APScheduler loaded without asyncio, importlib.metadata, tzlocal and process pools, in a fresh interpreter as the tray loads it."""

from __future__ import annotations

import subprocess
import sys

PROBE = r"""
import sys
from necka_tray.tray import apscheduler_import
apscheduler_import.load()
kept_out = [m for m in ("asyncio", "importlib.metadata", "email", "tzlocal", "concurrent.futures.process",
                        "multiprocessing.queues") if m in sys.modules]
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


def test_the_tray_imports_apscheduler_without_what_it_never_uses():
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True).stdout
    # Nothing heavy came in; trigger instances work; an alias fails loudly; the real modules import
    # later, and a scheduler without a zone still gets the local one.
    assert out.split() == ["[]", "['a',", "'b']", "refused", "True", "True"]
