"""APScheduler loaded without asyncio and importlib.metadata, in a fresh interpreter as the tray loads it."""

from __future__ import annotations

import subprocess
import sys

PROBE = r"""
import sys
from necka_tray.tray import apscheduler_import
apscheduler_import.load()
kept_out = [m for m in ("asyncio", "importlib.metadata", "email") if m in sys.modules]
from datetime import datetime, timedelta, timezone
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger
s = BackgroundScheduler()
s.add_job(print, IntervalTrigger(minutes=1), id="a")
s.add_job(print, DateTrigger(run_date=datetime.now(timezone.utc) + timedelta(hours=1)), id="b")
try:
    s.add_job(print, "interval", minutes=1, id="c")
    alias = "accepted"
except LookupError:
    alias = "refused"
import importlib.metadata, asyncio
real = hasattr(importlib.metadata, "distribution") and hasattr(asyncio, "run")
print(kept_out, sorted(j.id for j in s.get_jobs()), alias, real)
"""


def test_the_tray_imports_apscheduler_without_asyncio_or_package_metadata():
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True).stdout
    # Nothing heavy came in; trigger instances work; an alias fails loudly; the real modules import later.
    assert out.split() == ["[]", "['a',", "'b']", "refused", "True"]
