"""Make a job store file the way an older Necka did, with that Necka's own code.

Run from a checkout of the older commit (its necka_tray on sys.path), e.g.::

    git worktree add /tmp/old 4adf830
    python3 -m venv /tmp/gen && /tmp/gen/bin/pip install APScheduler==3.11.2
    PYTHONPATH=/tmp/old /tmp/gen/bin/python tests/data/old_jobs/make.py tests/data/old_jobs/jobs-4adf830.sqlite3 --pause

(a venv without Necka installed: an editable install would win over PYTHONPATH). The file
holds what a user's schedule holds: the three reminders, with ``--pause`` paused by a pause
of an hour (a stored ``pause_end``), and that Necka's module paths in the rows.
jobs-4adf830 was made by 4adf830 (``necka_tray.jobs``) with --pause, jobs-ac61a83 by ac61a83
(``necka_tray.tray.jobs``) without.
"""

import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import importlib

for where in ("necka_tray.schedule.scheduling", "necka_tray.tray.scheduling", "necka_tray.scheduling"):
    try:  # wherever that Necka kept it
        ReminderScheduler = importlib.import_module(where).ReminderScheduler
        break
    except ImportError:
        continue
from necka_tray.core.planner import Planner
from necka_tray.core.reminders import Kind

out = Path(sys.argv[1])
out.unlink(missing_ok=True)
now = datetime.now(timezone.utc).replace(microsecond=0)
scheduler = ReminderScheduler(out, Planner())
scheduler.start(lambda job_id: None)
scheduler.reconcile({Kind.POSTURE: 20, Kind.SHOULDER_ROLLS: 45, Kind.STRETCH: 60}, now)
if "--pause" in sys.argv:
    scheduler.pause(now + timedelta(hours=1))
scheduler.shutdown()
print(out, "made by", ReminderScheduler.__module__)
