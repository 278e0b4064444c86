"""Import APScheduler 3 without asyncio, importlib.metadata, tzlocal, zoneinfo and process pools: ~6 MiB less for the tray.

Eight of APScheduler's top-level imports serve features Necka never uses:

- ``apscheduler.util`` imports ``asyncio`` for one name, ``iscoroutinefunction``,
  which only its asyncio and tornado executors use; Necka runs plain functions.
  The stand-in holds ``inspect.iscoroutinefunction`` (what asyncio's own is
  built on), which keeps the asyncio package, and ssl with it, out.
- ``apscheduler/__init__`` asks ``importlib.metadata`` for its own version, and
  ``apscheduler.schedulers.base`` reads every installed package's entry points
  when its class is defined, to resolve plugin aliases such as
  ``trigger="interval"``. That loads the email and zipfile packages and scans
  site-packages (in the tray: ~1.1 MiB USS, ~25 ms). Necka passes trigger, store and executor
  *instances*, never aliases, so the stand-in answers "no such package" and
  "no entry points". An alias used by mistake fails loudly (``LookupError``),
  as the scheduling tests would show.

- ``tzlocal`` (with its Windows zone table) is imported by the scheduler and
  trigger modules for ``get_localzone``, their fallback when no zone is
  given. Necka names UTC for the scheduler and passes aware times to every
  trigger, so the stand-in's ``get_localzone`` only imports the real one
  if it is ever called. ~0.4 MiB less in the tray.
- ``apscheduler.executors.pool`` takes ``BrokenProcessPool`` from
  ``concurrent.futures.process`` (which loads multiprocessing's queues) for
  its process-pool executor alone; Necka runs jobs in the scheduler's thread
  (``DebugExecutor``). The stand-in's class is a ``BrokenExecutor``, the
  real one's base, so that executor would still catch a real broken pool.
  ~0.7 MiB less. Its ``import multiprocessing`` (~0.5 MiB) serves the same
  executor's ``get_context``: the stand-in's imports the real package if
  it is ever called.
- ``apscheduler.util`` imports ``zoneinfo`` (with ``sysconfig``, ~0.7 MiB) to
  turn zone *names* into zones and to recognise ``ZoneInfo`` objects. Necka
  passes ``datetime.timezone.utc``. The stand-in's ``ZoneInfo`` builds a
  real one when called, and ``isinstance(x, ZoneInfo)`` holds exactly when
  ``x`` is a real ``zoneinfo.ZoneInfo`` (none can exist before the real
  module is imported).
- ``apscheduler.job`` imports ``uuid`` (with ``platform`` and libuuid,
  ~0.3 MiB) for the ids of jobs added without one, and the triggers import
  ``random`` for jitter; Necka names every job and uses no jitter. Both
  stand-ins import the real module at the first call.

The stand-ins (``necka_tray.standins``) are removed at once, so anything that
imports these modules later gets the real ones. Call ``load()`` before the first APScheduler import,
on a thread where no other import of them can run meanwhile (the app's setup
thread, before any other thread of ours imports anything). Measured with
benchmarks/footprint.py.
"""

from __future__ import annotations

import inspect
import sys
import types

from necka_tray.standins import lazy_module, standing_in


class _NoPackage(Exception):
    """The stand-in's ``PackageNotFoundError``."""


def _stand_ins() -> dict[str, types.ModuleType]:
    asyncio = types.ModuleType("asyncio", "Stand-in while APScheduler imports (see necka_tray.tray.apscheduler_import)")
    asyncio.iscoroutinefunction = inspect.iscoroutinefunction
    metadata = types.ModuleType("importlib.metadata", asyncio.__doc__)
    metadata.PackageNotFoundError = _NoPackage

    def version(name: str) -> str:
        raise _NoPackage(name)

    metadata.version = version
    metadata.entry_points = lambda **_: ()
    tzlocal = types.ModuleType("tzlocal", asyncio.__doc__)

    def get_localzone():
        import tzlocal as real  # the stand-in left sys.modules when APScheduler's import ended

        return real.get_localzone()

    tzlocal.get_localzone = get_localzone
    from concurrent.futures import BrokenExecutor

    process = types.ModuleType("concurrent.futures.process", asyncio.__doc__)
    process.BrokenProcessPool = BrokenExecutor
    multiprocessing = lazy_module("multiprocessing", "get_context")
    uuid = lazy_module("uuid", "uuid4")
    random = lazy_module("random", "uniform")
    zoneinfo = types.ModuleType("zoneinfo", asyncio.__doc__)

    class _ZoneInfoType(type):
        def __instancecheck__(cls, obj: object) -> bool:
            real = sys.modules.get("zoneinfo")
            return real is not None and real is not zoneinfo and isinstance(obj, real.ZoneInfo)

        def __call__(cls, key: str):
            from zoneinfo import ZoneInfo as real

            return real(key)

    zoneinfo.ZoneInfo = _ZoneInfoType("ZoneInfo", (), {"__doc__": "Stand-in: builds a real zoneinfo.ZoneInfo."})
    return {"asyncio": asyncio, "importlib.metadata": metadata, "tzlocal": tzlocal,
            "concurrent.futures.process": process, "multiprocessing": multiprocessing, "uuid": uuid,
            "random": random, "zoneinfo": zoneinfo}


def load() -> None:
    if "apscheduler.schedulers.base" in sys.modules:
        return  # too late
    with standing_in(_stand_ins()):
        import apscheduler.schedulers.base  # noqa: F401
        import apscheduler.triggers.date  # noqa: F401  (the triggers Necka uses import tzlocal too)
        import apscheduler.triggers.interval  # noqa: F401
