"""Schema 4: what the statistics count is kept beside each event, by SQLite, whoever wrote the row.

The counting (store/day_counts.py) reads only the derived columns (``ms``, ``v``, ``s_us``,
``e_us``) through two indexes, so they must be right for rows this Necka writes, rows an older
Necka wrote (the migration), and rows another program inserts with plain SQL (the triggers), and a
row SQLite cannot read (not JSON, an odd offset) must never refuse the insert or the upgrade.
"""

from __future__ import annotations

import json
import re
import sqlite3
from datetime import date, datetime, timedelta, timezone

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from necka_tray.core import stats
from necka_tray.store import day_counts
from necka_tray.store.history import History
from necka_tray.store.history_migrations import MIGRATIONS
from tests.integration.test_day_counts import BERLIN, FIRST, LAST, NOW, fill

DAYS = stats.day_range(FIRST - timedelta(days=1), LAST + timedelta(days=3))


def plain_copy(source, target) -> None:
    """``target``: a schema-4 history holding ``source``'s events, inserted by 'another program'
    with plain SQL (ts, kind, data only), so only the triggers fill the derived columns."""
    with History(target):
        pass
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        dst.executemany("INSERT INTO events(ts, kind, data) VALUES (?, ?, ?)",
                        src.execute("SELECT ts, kind, data FROM events ORDER BY id"))


def version_3_copy(source, target) -> None:
    """``target``: the same events in a history as Necka's schema 3 left it (no derived columns)."""
    with sqlite3.connect(target) as dst:
        dst.execute("PRAGMA journal_mode = WAL")  # as every Necka has left its history
        for migrate in MIGRATIONS[:3]:
            migrate(dst)
        dst.execute("PRAGMA user_version = 3")
        with sqlite3.connect(source) as src:
            dst.executemany("INSERT INTO events(ts, kind, data) VALUES (?, ?, ?)",
                            src.execute("SELECT ts, kind, data FROM events ORDER BY id"))
    with sqlite3.connect(target) as dst:
        assert "ms" not in [r[1] for r in dst.execute("PRAGMA table_info(events)")]


def test_rows_from_another_program_and_from_schema_3_count_as_the_rules_do(tmp_path):
    ours = tmp_path / "ours.sqlite3"
    fill(ours, BERLIN)
    with History(ours) as h:
        expected = stats.summarize(h.events(), DAYS[0], DAYS[-1], BERLIN, NOW)
    assert sum(d.stretch_done for d in expected) > 0
    for name, make in (("plain", plain_copy), ("v3", version_3_copy)):
        path = tmp_path / f"{name}.sqlite3"
        make(ours, path)
        with History(path) as h:  # the v3 file is upgraded here
            assert h.schema_version == len(MIGRATIONS) == 4
            counted = h.count_days(DAYS, BERLIN)
            derived = h._db.execute("SELECT COUNT(*) FROM events WHERE ms IS NULL").fetchone()[0]
        assert derived == 0, name
        assert [counted[d.day] for d in expected] == expected, name


def test_counting_reads_only_the_indexes(tmp_path):
    """Every statement of the counting reads a range of an index that holds all it needs (a
    COVERING INDEX in SQLite's plan): no row's text or JSON is read, and only the day's entries."""
    path = tmp_path / "history.sqlite3"
    fill(path, BERLIN, [FIRST])
    span = {"lo": 0, "hi": 1, "lo_us": 0, "hi_us": 1000}
    statements = [getattr(day_counts, n) for n in ("_SESSIONS", "_REMINDERS", "_BREAKS", "_ACTIVE", "_CHECKINS",
                                                   "_OUTCOMES", "_SITTING")]
    with History(path) as h:
        for sql in statements:
            plan = [row[3] for row in h._db.execute("EXPLAIN QUERY PLAN " + sql, span)]
            reads = [step for step in plan if re.match(r"(SEARCH|SCAN) (events|r)\b", step)]
            # A range of an index (SEARCH), never a walk of the whole table or index (SCAN).
            assert reads and all(re.match(r"SEARCH .*COVERING INDEX", step) for step in reads), (sql, plan)


def test_a_row_sqlite_cannot_read_is_kept_and_left_out(tmp_path):
    path = tmp_path / "history.sqlite3"
    fill(path, BERLIN, [FIRST])
    junk = [("2025-03-24T10:00:00+02:00", "reminder", "{not json"),
            ("yesterday", "session", '{"outcome": "completed"}'),
            ("2025-03-24T10:00:00+01:00:30", "session", '{"outcome": "completed"}')]
    with History(path) as h:
        before = h.count_days([FIRST], BERLIN)
        h.cache_days("zone", [before[FIRST]])  # the cache's trigger reads each new row too
    with sqlite3.connect(path) as db:
        db.executemany("INSERT INTO events(ts, kind, data) VALUES (?, ?, ?)", junk)
    with History(path) as h:
        assert h.count_days([FIRST], BERLIN) == before
        assert h._db.execute("SELECT COUNT(*) FROM events WHERE ms IS NULL").fetchone()[0] == 2
    # An older file holding such rows upgrades all the same.
    old = tmp_path / "old.sqlite3"
    version_3_copy(path, old)
    with History(old) as h:
        assert h.schema_version == 4 and h.count_days([FIRST], BERLIN) == before


texts = st.text(max_size=12)
json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | texts,
                           lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
                           max_leaves=6)
field_values = json_values | st.sampled_from(["stretch", "posture", "completed", "stopped",
                                              "2025-03-24T09:00:00+01:00", "2025-03-24T09:00:00.123456+01:00"])
datas = st.one_of(
    st.dictionaries(st.sampled_from(["reminder", "outcome", "rating", "sat_from", "duration_s", "end"]),
                    field_values, max_size=4).map(json.dumps),
    texts,
)
stamps = st.one_of(
    st.datetimes(min_value=datetime(2025, 3, 23), max_value=datetime(2025, 3, 26),
                 timezones=st.sampled_from([timezone.utc, timezone(timedelta(hours=-9, minutes=-30)), BERLIN]))
    .map(lambda d: d.isoformat()),
    texts,
)
kinds = st.sampled_from(["reminder", "done", "snooze", "skip", "session", "checkin", "natural_break", "sitting",
                         "pause", "x"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.tuples(stamps, kinds, datas), max_size=25))
def test_any_row_another_program_inserts_is_taken_and_counting_never_fails(tmp_path_factory, rows):
    path = tmp_path_factory.mktemp("fuzz") / "history.sqlite3"
    with History(path):
        pass
    with sqlite3.connect(path) as db:
        db.executemany("INSERT INTO events(ts, kind, data) VALUES (?, ?, ?)", rows)
        assert db.execute("SELECT COUNT(*) FROM events").fetchone()[0] == len(rows)
    days = stats.day_range(date(2025, 3, 22), date(2025, 3, 27))
    with History(path) as h:
        counted = h.count_days(days, BERLIN)
    assert sorted(counted) == days
    for day in counted.values():
        assert day.stretch_due == day.stretch_acted_on + day.stretch_skipped + day.stretch_ignored
        assert all(type(r) is int for r in day.checkins)


def test_a_reader_waits_for_another_process_upgrading_an_older_file(tmp_path, monkeypatch):
    """The first start after an update upgrades a large history for seconds: a ``stats`` or a
    check-in opened meanwhile waits for it (longer than the usual busy wait) instead of failing."""
    import threading
    import time as _time

    from necka_tray.store import history as history_mod

    ours, old = tmp_path / "ours.sqlite3", tmp_path / "old.sqlite3"
    fill(ours, BERLIN, [FIRST])
    version_3_copy(ours, old)
    monkeypatch.setattr(history_mod, "BUSY_TIMEOUT_MS", 100)
    holding = threading.Event()

    def upgrading() -> None:  # another process holds the write lock, as an upgrade does
        db = sqlite3.connect(old, isolation_level=None)
        db.execute("BEGIN IMMEDIATE")
        holding.set()
        _time.sleep(0.8)
        db.execute("ROLLBACK")
        db.close()

    other = threading.Thread(target=upgrading)
    other.start()
    holding.wait(5)
    try:
        with History(old) as h:  # waited past the 100 ms busy wait, then upgraded it itself
            assert h.schema_version == 4 and h.count_days([FIRST], BERLIN)[FIRST].stretch_done == 3
    finally:
        other.join()
