"""The care rule's reads of a real history file: check-ins by local day, rolled-up days included."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from necka_tray.core import care, events as ev
from necka_tray.store import care_reads
from necka_tray.store.history import History

UTC = timezone.utc
NOW = datetime(2026, 12, 15, 12, 0, tzinfo=UTC)


def test_check_ins_by_day_from_events_and_rolled_up_days(tmp_path):
    path = tmp_path / "history.sqlite3"
    with History(path) as h:
        for i in range(16):
            h.record_checkin(NOW - timedelta(days=i), 7, "cli")
        h.record_checkin(NOW - timedelta(days=1, hours=1), 3, "daily")
        h.record("reminder", NOW - timedelta(days=12), reminder="stretch", notified=True)
        rolled = h.roll_up(NOW, UTC, keep_days=10)  # days 10 and older: one row each
        assert rolled
        assert not h.events(ev.CHECKIN, until=NOW - timedelta(days=11))
        found = care_reads.checkins_by_day(h, NOW.date(), UTC)
    assert len(found) == care.DAYS_READ  # 14 days, today included, none from before
    assert found[NOW.date() - timedelta(days=1)] == (3, 7)  # in time order
    assert found[NOW.date() - timedelta(days=13)] == (7,)  # from a rolled-up row
    assert care_reads.suggestion(path, NOW, UTC).reason == care.PERSISTS


def test_the_last_notice_and_an_absent_file(tmp_path):
    path = tmp_path / "history.sqlite3"
    assert care_reads.suggestion(path, NOW, UTC) is None and not path.exists()  # never created by a read
    with History(path) as h:
        h.add(ev.notice_event(NOW - timedelta(days=9), care.NOTICE_CARE))
        h.add(ev.notice_event(NOW - timedelta(days=2), care.NOTICE_CARE))
        h.add(ev.notice_event(NOW - timedelta(days=1), care.NOTICE_WEEKLY))
        assert care_reads.last_notice(h, care.NOTICE_CARE, NOW - timedelta(days=30)) == NOW - timedelta(days=2)
        assert care_reads.last_notice(h, care.NOTICE_WEEKLY, NOW) is None
