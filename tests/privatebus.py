"""A private dbus-daemon, and stub services on it, for the tests that need a session bus but no display.

One place for what six test modules did each on their own: the bus configuration (open to every
connection, eavesdropping allowed so a test can watch), the start that reads the bus address, the
"missing tool" rule (a failure under ``CI=true``, a skip elsewhere) and a stub service's start that
waits for its "ready" line (never a fixed sleep).
"""

from __future__ import annotations

import os
import select
import shutil
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest

STUB = Path(__file__).parent / "data" / "bus_stub.py"
CONF = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig><type>session</type><listen>unix:dir={dir}</listen><auth>EXTERNAL</auth>{services}
<policy context="default"><allow send_destination="*" eavesdrop="true"/><allow eavesdrop="true"/>
<allow receive_sender="*"/><allow own="*"/></policy></busconfig>"""


def require_dbus_daemon() -> None:
    if not shutil.which("dbus-daemon"):
        if os.environ.get("CI") == "true":
            pytest.fail("dbus-daemon missing (Debian: dbus); run scripts/bootstrap --dev", pytrace=False)
        pytest.skip("dbus-daemon missing (Debian: dbus)")


def start(folder: Path, services: Path | None = None) -> tuple[subprocess.Popen, str]:
    """A bus listening in ``folder`` and its address; ``services``: a folder of activatable services."""
    require_dbus_daemon()
    conf = folder / "bus.conf"
    conf.write_text(CONF.format(dir=folder, services=f"\n<servicedir>{services}</servicedir>" if services else ""))
    proc = subprocess.Popen(["dbus-daemon", f"--config-file={conf}", "--nofork", "--print-address=1"],
                            stdout=subprocess.PIPE, text=True)
    return proc, proc.stdout.readline().strip()


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    proc.wait(5)


@contextmanager
def running(folder: Path, services: Path | None = None) -> Iterator[str]:
    proc, address = start(folder, services)
    try:
        yield address
    finally:
        stop(proc)


def start_stub(address: str, argv: list[str], timeout: float = 10) -> subprocess.Popen:
    """A stub service (``python argv...``) on the bus at ``address``, once it has printed "ready"."""
    stub = subprocess.Popen([sys.executable, *argv], env={**os.environ, "DBUS_SESSION_BUS_ADDRESS": address},
                            stdout=subprocess.PIPE, text=True)
    try:
        assert select.select([stub.stdout], [], [], timeout)[0], f"the stub service {argv} did not start"
        assert stub.stdout.readline().strip() == "ready"
    except BaseException:
        stub.kill()
        stub.wait()
        raise
    return stub


@contextmanager
def stub_running(address: str, argv: list[str]) -> Iterator[subprocess.Popen]:
    stub = start_stub(address, argv)
    try:
        yield stub
    finally:
        stub.kill()
        stub.wait()
