"""``dbfile.Faults``: when a failed write of any Necka database is tried again, and what is said."""

from __future__ import annotations

import sqlite3

import pytest

from necka_tray.store import dbfile
from tests.handclock import Clock


FULL = sqlite3.OperationalError("database or disk is full")
LOCKED = sqlite3.OperationalError("database is locked")


def faults(clock):
    return dbfile.Faults("x.sqlite3", lambda kind, exc: f"{kind}: {exc}", clock)


def test_retries_back_off_from_30_s_doubling_up_to_10_min(said):
    clock = Clock()
    f = faults(clock)
    assert f.due()
    waits = []
    for _ in range(8):
        assert f.failed(FULL) == dbfile.UNWRITABLE
        start = clock.now
        while not f.due():
            clock.now += 1
        waits.append(clock.now - start)
    assert waits == [30, 60, 120, 240, 480, 600, 600, 600]
    f.succeeded()
    f.failed(FULL)
    clock.now += 29
    assert not f.due()
    clock.now += 1
    assert f.due()  # back to 30 s after a success


def test_a_fault_is_said_once_and_again_only_after_it_was_gone(said):
    f = faults(Clock())
    f.failed(FULL)
    f.failed(FULL)
    assert said == ["unwritable: database or disk is full"]
    f.succeeded()
    f.failed(FULL)
    assert len(said) == 2


def test_a_lock_is_said_only_once_it_lasts(said):
    f = faults(Clock())
    f.failed(LOCKED)
    assert said == [] and f.kind == dbfile.LOCKED
    f.failed(LOCKED)
    assert said == ["locked: database is locked"]


def test_a_damaged_file_that_cannot_be_written_is_said_apart_from_its_move(said):
    """BROKEN is said when the file is moved aside; a write failing on it is "cannot save"."""
    dbfile.report("x.sqlite3", dbfile.BROKEN, "moved aside")
    f = faults(Clock())
    f.failed(sqlite3.DatabaseError("database disk image is malformed"))
    assert said == ["moved aside", "broken: database disk image is malformed"]


def test_an_error_that_is_not_about_the_file_is_left_to_the_caller(said):
    f = faults(Clock())
    assert f.failed(sqlite3.OperationalError("no such table: x")) is None
    assert f.kind is None and f.due() and said == []


def test_tries_between_the_scheduled_ones_do_not_push_the_next_one_later(said):
    """A burst of events each tries at once (the caller's choice); failing, they leave the back-off
    as it was: five clicks while the file is locked do not make the next try 8 minutes away."""
    clock = Clock()
    f = faults(clock)
    f.failed(FULL)  # the first failure: the next scheduled try in 30 s
    for _ in range(4):
        clock.now += 1
        f.failed(FULL)  # tried early for a new event, failed
    clock.now += 25
    assert not f.due()
    clock.now += 1
    assert f.due()  # 30 s after the first failure, as scheduled
    f.failed(FULL)  # the scheduled try fails: 60 s now
    clock.now += 59
    assert not f.due()
    clock.now += 1
    assert f.due()
