"""The wall clock moved under a running Necka (libfaketime moves only the wall clock; the
monotonic clock stays real): the next tick sees the jump either way, and no countdown is left
beyond its interval."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from . import xdesk
from .necka_app import docked

LIBFAKETIME = next((p for p in ("/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1",
                                "/usr/lib/aarch64-linux-gnu/faketime/libfaketimeMT.so.1",
                                "/usr/lib/faketime/libfaketimeMT.so.1") if Path(p).exists()), None)


def status(env: dict) -> dict:
    """``status --json``, once the app answers (its control channel comes up after its start)."""
    def ask():
        done = subprocess.run([sys.executable, "-m", "necka_tray", "status", "--json"], env=env, capture_output=True,
                              text=True, timeout=30)
        return json.loads(done.stdout) if done.returncode == 0 else None

    return xdesk.wait_for(ask, 20, what="an answer to necka-tray status")


def test_a_wall_clock_set_back_or_forward_is_seen_on_the_next_tick(desktop, start_necka, app_env, tmp_path,
                                                                   active_user):
    if LIBFAKETIME is None:
        if os.environ.get("CI") == "true":
            pytest.fail("libfaketime is missing (Debian: faketime)")
        pytest.skip("libfaketime is missing (Debian: faketime)")
    offset = tmp_path / "faketime"
    offset.write_text("+0\n")
    env = dict(app_env, LD_PRELOAD=LIBFAKETIME, FAKETIME_TIMESTAMP_FILE=str(offset), FAKETIME_NO_CACHE="1",
               DONT_FAKE_MONOTONIC="1")
    # A configured minute (the tick) is a real second; the user types all along (active_user), so a
    # day forward is a gap, not time away.
    necka = start_necka("--time-scale", "60", env=env)
    docked(desktop, necka)
    necka.wait_log(r"action=add job=stretch")
    status(app_env)  # answered once the app has started: its first look at the clocks is behind it

    offset.write_text("-1d\n")  # set back a day
    necka.wait_log(r"action=shift reason=clock delta=-")
    for entry in status(app_env)["reminders"].values():
        assert 0 <= entry["minutes_left"] <= entry["interval_minutes"], entry

    offset.write_text("+0\n")  # and forward again
    necka.wait_log(r"action=restart reason=gap")
    for entry in status(app_env)["reminders"].values():
        assert 0 <= entry["minutes_left"] <= entry["interval_minutes"], entry


@pytest.mark.parametrize("zone", ["UTC+24", "<+2430>-24:30"])
def test_a_zone_a_day_or_more_from_utc_starts_and_says_so_once(desktop, start_necka, app_env, zone):
    necka = start_necka(env=dict(app_env, TZ=zone))
    docked(desktop, necka)
    necka.wait_log(r"action=add job=stretch")
    assert status(dict(app_env, TZ=zone))["state"]
    said = [line for line in necka.stderr.read_text().splitlines() if line.strip()]
    assert len(said) == 1 and f"TZ={zone}" in said[0] and "UTC" in said[0], said
