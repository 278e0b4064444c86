"""The product owner's check of issue 26, exactly: fourteen daily check-ins under a faked clock, no tray.

A fresh profile gets ``necka-tray checkin N`` once a day for 14 days, rising
from 3 to 7 (and another profile 14 steady low ones), each run under
``faketime`` (libfaketime: the real command, its real clock calls faked); on
day 15 ``necka-tray stats`` (text and ``--json``) names a healthcare
professional for the first and not for the second.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

NECKA_TRAY = str(Path(sys.executable).with_name("necka-tray"))
START = "2026-11-02"  # a Monday; the days are 2026-11-02 .. 2026-11-15, stats on 2026-11-16

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="libfaketime")


@pytest.fixture
def faketime():
    found = shutil.which("faketime")
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("faketime is missing (scripts/bootstrap --dev installs it)")
        pytest.skip("faketime is not installed")
    return found


def profile(tmp_path: Path, name: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NECKA_")}
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME", "XDG_RUNTIME_DIR"):
        (tmp_path / name / var).mkdir(parents=True, mode=0o700)
        env[var] = str(tmp_path / name / var)
    env.update(LANGUAGE="en", LC_ALL="C.UTF-8", TZ="Europe/Berlin")
    return env


def at(faketime: str, day: int, env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    """``necka-tray ARGS`` at 10:00 on day ``day`` (1 = START), the clock faked."""
    from datetime import date, timedelta

    when = date.fromisoformat(START) + timedelta(days=day - 1)
    done = subprocess.run([faketime, f"{when.isoformat()} 10:00:00", NECKA_TRAY, *args], env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done


def fourteen_days(faketime: str, env: dict[str, str], ratings: list[int]) -> tuple[str, dict]:
    assert len(ratings) == 14
    for day, rating in enumerate(ratings, start=1):
        assert at(faketime, day, env, "checkin", str(rating)).stdout.startswith("Noted")
    text = at(faketime, 15, env, "stats").stdout
    data = json.loads(at(faketime, 15, env, "stats", "--json").stdout)
    return text, data


def test_check_ins_rising_from_3_to_7_name_a_healthcare_professional(tmp_path, faketime):
    env = profile(tmp_path, "rising")
    ratings = [round(3 + 4 * i / 13) for i in range(14)]
    assert ratings[0] == 3 and ratings[-1] == 7 and ratings == sorted(ratings)
    text, data = fourteen_days(faketime, env, ratings)
    assert "healthcare professional" in text
    assert "necka-tray info care" in text  # the page, one command away
    assert data["today"] == "2026-11-16"  # the clock was faked: day 15
    assert [d["checkins"] for d in data["days"]][:-1] == [[r] for r in ratings[-6:]]
    found = data["care"]["suggest_professional"]
    assert "healthcare professional" in found["line"] and found["page"] == "care"


def test_steady_low_check_ins_do_not(tmp_path, faketime):
    env = profile(tmp_path, "steady")
    text, data = fourteen_days(faketime, env, [2, 1, 2, 2, 1, 2, 2, 2, 1, 2, 2, 1, 2, 2])
    assert "professional" not in text
    assert data["care"]["suggest_professional"] is None
    assert [d["checkins"] for d in data["days"]][:-1] == [[2], [2], [1], [2], [2], [1], [2], [2]][-6:]


def test_the_suggestion_can_be_turned_off(tmp_path, faketime):
    env = profile(tmp_path, "off")
    config = Path(env["XDG_CONFIG_HOME"]) / "necka-tray" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text("[care]\nsuggest_professional = false\n", encoding="utf-8")
    text, data = fourteen_days(faketime, env, [7] * 14)
    assert "professional" not in text
    assert data["care"]["suggest_professional"] is None


def test_stats_for_7_days_looks_back_at_last_week(tmp_path, faketime):
    env = profile(tmp_path, "weekly")
    text, data = fourteen_days(faketime, env, [4] * 7 + [2] * 7)
    # Day 15 is a Monday: last week is days 8-14 (mean 2), the week before days 1-7 (mean 4).
    assert data["care"]["week_back"]["line"] == "Last week: neck 4.0 → 2.0"
    assert "Last week: neck 4.0 → 2.0" in text
    assert "week_back" in data["care"] and json.loads(at(faketime, 15, env, "stats", "--days", "30", "--json")
                                                      .stdout)["care"]["week_back"] is None
