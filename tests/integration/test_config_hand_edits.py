"""Issue 12 item 8 in the running app: a hand edit of config.toml applies on the next
once-a-minute tick (status and jobs agree with the file), a read-only file is never rewritten
(the change holds in memory and the user is told), and a FIFO in the user's folders blocks
neither start-up nor the event thread."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest

from necka_tray.core.actions import Action
from necka_tray.core.reminders import Kind
from necka_tray.store import config

from .test_app_scheduling import Harness, paths, running  # noqa: F401  (fixtures)


def hand_edit(path, text: str) -> None:
    """Write like an editor does: new content, and a modification time that surely differs."""
    path.write_text(text, encoding="utf-8")
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 2_000_000_000))


def test_a_hand_edit_applies_on_the_next_tick(running, paths, monkeypatch):
    config.update(paths.config_file, {"reminders.stretch.interval_minutes": 30})
    h = running()
    before = h.next_runs()[Kind.STRETCH]
    assert h.call(h.app.status)["reminders"]["stretch"]["interval_minutes"] == 30

    # A tick with no change reads nothing.
    loads = []
    real_load = config.load
    monkeypatch.setattr(config, "load", lambda p: loads.append(p) or real_load(p))
    h.call(h.app.on_job, "tick")
    assert loads == []

    text = paths.config_file.read_text().replace("interval_minutes = 30", "interval_minutes = 45")
    text = text.replace("[reminders.posture]\n", "[reminders.posture]\n# off while I test\n")
    hand_edit(paths.config_file, text.replace("enabled = true", "enabled = false", 1))  # posture first
    h.call(h.app.on_job, "tick")
    assert len(loads) == 1
    status = h.call(h.app.status)
    assert status["reminders"]["stretch"]["interval_minutes"] == 45
    assert status["reminders"]["posture"]["enabled"] is False and Kind.POSTURE not in h.next_runs()
    after = h.next_runs()[Kind.STRETCH]
    assert abs((after - before) - timedelta(minutes=15)) < timedelta(seconds=2)  # the job agrees
    h.call(h.app.on_job, "tick")
    assert len(loads) == 1  # read once per change, not per tick


def test_a_read_only_file_is_not_rewritten_and_the_change_holds_in_memory(running, paths):
    config.update(paths.config_file, {"reminders.stretch.interval_minutes": 30})
    before = paths.config_file.read_bytes()
    paths.config_file.chmod(0o444)
    h = running()
    h.call(h.app.handle_action, Action("interval", 45))
    assert paths.config_file.read_bytes() == before and paths.config_file.stat().st_mode & 0o777 == 0o444
    assert ("Necka settings", f"Could not save your change to {paths.config_file}.") in h.notifier.sent
    assert h.call(h.app.status)["reminders"]["stretch"]["interval_minutes"] == 45
    h.call(h.app.on_job, "tick")  # the unchanged file does not undo the change
    assert h.call(h.app.status)["reminders"]["stretch"]["interval_minutes"] == 45


@pytest.mark.skipif(os.name != "posix", reason="FIFOs are POSIX")
def test_fifos_as_config_and_routines_block_neither_start_nor_the_event_thread(paths):
    paths.config_file.parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(paths.config_file)
    os.mkfifo(paths.routines_file)
    from necka_tray.store.routines import RoutineBook

    h = Harness(paths)  # App() reads config.toml: a blocking open would hang right here
    h.app.routines = RoutineBook(paths.routines_file, paths.history_db)
    h.start()  # Harness.call fails after 10 s if the event thread blocks
    try:
        h.call(h.app.on_job, "tick")
        assert h.call(h.app.status)["state"]
        assert any(title == "Necka routines" and "named pipe" in body for title, body in h.notifier.sent)
        h.call(h.app.handle_action, Action("interval", 45))  # not saved over the FIFO; held in memory
        assert h.call(h.app.status)["reminders"]["stretch"]["interval_minutes"] == 45
    finally:
        h.stop()
