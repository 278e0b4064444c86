"""Footprint of Necka against Workrave and Safe Eyes, on one real headless desktop.

    .venv/bin/python benchmarks/footprint.py            # full: 3 alternating runs, 5-min idle window
    .venv/bin/python benchmarks/footprint.py --quick    # 1 run each, 30-s idle window
    .venv/bin/python benchmarks/footprint.py --tray sni # on a StatusNotifierItem host instead of trayer
    .venv/bin/python benchmarks/footprint.py --tray kde # that host plus KDE's xembedsniproxy, as on Plasma
    .venv/bin/python benchmarks/footprint.py --compare before.json after.json  # two --json runs, one table

It starts its own desktop (Xvfb, a private D-Bus session bus, trayer, dunst:
``tests/desktop/session.py``; with ``--tray sni`` status-notifier-watcher and
gtk-sni-tray-standalone instead of trayer; ``--tray kde`` adds Plasma's own
``xembedsniproxy``, through which KDE shows the icons of XEmbed-only programs
such as Workrave 1.10 as StatusNotifierItems), then runs each app with a fresh
``HOME`` and XDG dirs, in alternating order (A B C A B C ...), and measures:

- icon: fork/exec until the tray host reparents a window of the app's process
  tree (X ``ReparentNotify`` on the root window; the window's owner found
  through the X-Resource extension); on SNI, until the watcher lists an item
  whose bus connection belongs to the app's process tree (polled every 20 ms),
  or, with ``--tray kde``, a new item of the proxy (not counted in the app's memory:
  Plasma runs one proxy for every such program);
- RSS, PSS, USS of the process tree after the settle time, from
  ``/proc/PID/smaps_rollup`` (USS = Private_Clean + Private_Dirty). A shared
  library's pages count as private while no other process maps them, so USS
  and PSS move by a few MiB with whatever else runs on the machine (Python's
  own library, GTK's); the anonymous memory (the heap each program made) does
  not, and is shown too;
- idle CPU: CPU time of every thread of the tree over the idle window
  (``/proc/PID/task/TID/schedstat``), % of one core;
- wakeups: voluntary + involuntary context switches per minute over the idle
  window, summed over all threads;
- threads after the settle time;
- click -> window (Necka only): a left click on the icon (XTest) until the
  stretch-session window of the child process is mapped (``MapNotify``).

It prints a Markdown table of medians (min-max) with Necka/peer ratios and
whether each target (issues 6 and 24) is met. Peers come from Debian's packages
(``scripts/bootstrap --bench``); a peer that is not installed is left out.

Necka runs as users install it: from a wheel of the checkout, installed into a
throwaway venv whose dependencies are the dev venv's. The checkout's own
editable install is a developer's convenience whose import hook (pathlib, re,
urllib.parse at interpreter start) costs every process ~1.4 MiB; ``--editable``
measures that instead.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import json
import os
import select
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from Xlib import X, display as xdisplay  # noqa: E402
from Xlib.ext import res as xres, xtest  # noqa: E402

from tests.desktop import session, xdesk  # noqa: E402

PYTHON = REPO / ".venv" / "bin" / "python"


@dataclass(frozen=True)
class App:
    key: str
    name: str
    argv: tuple[str, ...]
    clicks: bool = False  # measure click -> window (Necka's stretch session)


APPS = {
    "necka": App("necka", "Necka", (str(PYTHON), "-m", "necka_tray"), clicks=True),
    "workrave": App("workrave", "Workrave", ("workrave",)),
    # Not "safeeyes": Safe Eyes refuses to start ("already running") while any Python
    # process has that word as an argument, such as this script's --apps.
    "safe-eyes": App("safe-eyes", "Safe Eyes", ("safeeyes",)),
}


@dataclass
class Run:
    app: str
    icon_s: float | None = None
    rss_kib: int = 0
    pss_kib: int = 0
    uss_kib: int = 0
    anon_kib: int = 0
    pss_end_kib: int = 0
    threads: int = 0
    cpu_pct: float = 0.0
    ctxsw_per_min: float = 0.0
    click_s: list[float] = field(default_factory=list)
    error: str | None = None
    note: str | None = None


# --- the process tree, from /proc --------------------------------------------------------------

def tree(pid: int) -> list[int]:
    """``pid`` and its living descendants."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            with contextlib.suppress(OSError, ValueError, IndexError):
                stat = Path(f"/proc/{entry}/stat").read_text()
                ppid = int(stat.rsplit(")", 1)[1].split()[1])
                children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        if Path(f"/proc/{p}").exists():
            out.append(p)
            todo += children.get(p, [])
    return out


def memory(pids: list[int]) -> tuple[int, int, int, int]:
    """(RSS, PSS, USS, anonymous) in KiB, summed over ``pids``."""
    rss = pss = uss = anon = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                name, _, rest = line.partition(":")
                value = int(rest.split()[0]) if rest.strip() and rest.split()[0].isdigit() else 0
                if name == "Rss":
                    rss += value
                elif name == "Pss":
                    pss += value
                elif name in ("Private_Clean", "Private_Dirty"):
                    uss += value
                elif name == "Anonymous":
                    anon += value
    return rss, pss, uss, anon


def cpu_seconds(pids: list[int]) -> float:
    """CPU time of every thread: schedstat's nanoseconds (utime + stime come in 10-ms ticks,
    too coarse for an app that is meant to use almost nothing)."""
    total = 0.0
    for pid in pids:
        with contextlib.suppress(OSError):
            for tid in os.listdir(f"/proc/{pid}/task"):
                with contextlib.suppress(OSError, ValueError):
                    total += int(Path(f"/proc/{pid}/task/{tid}/schedstat").read_text().split()[0]) / 1e9
    return total


def ctx_switches(pids: list[int]) -> int:
    """Voluntary + involuntary context switches, summed over every thread."""
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            for tid in os.listdir(f"/proc/{pid}/task"):
                with contextlib.suppress(OSError):
                    for line in Path(f"/proc/{pid}/task/{tid}/status").read_text().splitlines():
                        if line.startswith(("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches")):
                            total += int(line.split()[1])
    return total


def threads(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            total += len(os.listdir(f"/proc/{pid}/task"))
    return total


# --- X: who reparented or mapped which window, and when ---------------------------------------

@dataclass(frozen=True)
class XEvent:
    t: float
    kind: str  # "reparent" or "map"
    window: int
    parent: int
    pid: int | None


class XWatch:
    """Records ``ReparentNotify`` and ``MapNotify`` of the root's children, with the
    owning client's PID (X-Resource), on a connection and thread of its own."""

    def __init__(self, display: str) -> None:
        self._d = xdisplay.Display(display)
        if not self._d.has_extension(xres.extname):
            raise RuntimeError("the X server has no X-Resource extension")
        self._d.screen().root.change_attributes(event_mask=X.SubstructureNotifyMask)
        self._d.sync()
        self.events: list[XEvent] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="xwatch", daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self._d.close()

    def _pid(self, window: int) -> int | None:
        try:
            reply = self._d.res_query_client_ids([{"client": window, "mask": xres.LocalClientPIDMask}])
        except Exception:
            return None
        return next((i.value[0] for i in reply.ids if i.value), None)

    def _loop(self) -> None:
        while not self._stop.is_set():
            select.select([self._d], [], [], 0.1)
            while self._d.pending_events():
                ev = self._d.next_event()
                t = time.monotonic()
                if ev.type == X.ReparentNotify:
                    self.events.append(XEvent(t, "reparent", ev.window.id, ev.parent.id, self._pid(ev.window.id)))
                elif ev.type == X.MapNotify and not ev.override:
                    self.events.append(XEvent(t, "map", ev.window.id, 0, self._pid(ev.window.id)))

    def wait(self, match, since: float, timeout: float) -> XEvent | None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = next((e for e in list(self.events) if e.t >= since and match(e)), None)
            if found:
                return found
            time.sleep(0.01)
        return None


def tray_client_base(env: dict) -> int:
    """The XID prefix of the tray host's client: its windows all share it."""
    with contextlib.closing(xdisplay.Display(env["DISPLAY"])) as d:
        owner = d.get_selection_owner(d.intern_atom("_NET_SYSTEM_TRAY_S0"))
        return owner.id & ~d.display.info.resource_id_mask


def resource_mask(env: dict) -> int:
    with contextlib.closing(xdisplay.Display(env["DISPLAY"])) as d:
        return d.display.info.resource_id_mask


def sni_item_pids(env: dict) -> set[int]:
    """The PIDs owning the items the StatusNotifierWatcher lists (``name`` or ``name/path``)."""
    from jeepney import DBusAddress, new_method_call
    from jeepney.io.blocking import open_dbus_connection

    items = session.sni_watcher(env, "RegisteredStatusNotifierItems") or []
    bus = DBusAddress("/org/freedesktop/DBus", bus_name="org.freedesktop.DBus", interface="org.freedesktop.DBus")
    pids = set()
    with open_dbus_connection(env["DBUS_SESSION_BUS_ADDRESS"]) as conn:
        for item in items:
            name = item.split("/", 1)[0]
            reply = conn.send_and_get_reply(new_method_call(bus, "GetConnectionUnixProcessID", "s", (name,)), timeout=2)
            if reply.body and isinstance(reply.body[0], int):
                pids.add(reply.body[0])
    return pids


def wait_sni_item(env: dict, proc, timeout: float, proxy: int | None = None,
                  before: frozenset = frozenset()) -> float | None:
    """When an item of ``proc``'s tree was first listed by the watcher (monotonic), or None; with a
    ``proxy`` (xembedsniproxy's PID), also an item the proxy made for it (one not listed ``before``)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        with contextlib.suppress(Exception):
            if sni_item_pids(env) & set(tree(proc.pid)):
                return time.monotonic()
            if proxy is not None and set(session.sni_watcher(env, "RegisteredStatusNotifierItems") or []) - before:
                return time.monotonic()
        time.sleep(0.02)
    return None


#: Where gtk-sni-tray-standalone --bottom draws its first (here: only) item.
SNI_ICON = (15, 800 - 15)


def left_click(env: dict, x: int, y: int) -> float:
    """Move there, press and release button 1 through XTest; returns the press time."""
    with contextlib.closing(xdisplay.Display(env["DISPLAY"])) as d:
        xtest.fake_input(d, X.MotionNotify, x=x, y=y)
        d.sync()
        time.sleep(0.05)
        t = time.monotonic()
        xtest.fake_input(d, X.ButtonPress, 1)
        xtest.fake_input(d, X.ButtonRelease, 1)
        d.sync()
    return t


def start_xembed_proxy(desk) -> None:
    """KDE Plasma's bridge: it takes the XEmbed tray selection and shows each docked icon as an item."""
    if not shutil.which("xembedsniproxy"):
        raise SystemExit("footprint: --tray kde needs xembedsniproxy (Debian: plasma-workspace; scripts/bootstrap --bench)")
    proc = session.start(desk._stack, desk.tmp, "xembedsniproxy", ["xembedsniproxy"], desk.env)
    desk._procs["xembedsniproxy"] = proc

    def owns_tray() -> bool:
        with contextlib.closing(xdisplay.Display(desk.env["DISPLAY"])) as d:
            return d.get_selection_owner(d.intern_atom("_NET_SYSTEM_TRAY_S0")) != X.NONE

    xdesk.wait_for(owns_tray, 10, what="xembedsniproxy owning the XEmbed tray selection")


# --- one run of one app -----------------------------------------------------------------------

def fresh_env(desk_env: dict, home: Path) -> dict:
    """A new user, with the XDG dirs where a real user has them under a fresh ``HOME``."""
    env = session.user_env(desk_env, home, session.STANDARD_DIRS)
    env.pop("PYSTRAY_BACKEND", None)  # Necka chooses its tray backend, as for a user
    return env


def measure(app: App, desk, watch: XWatch, opts, workdir: Path) -> Run:
    run = Run(app.key)
    home = Path(tempfile.mkdtemp(prefix=f"{app.key}-", dir=workdir))
    env = fresh_env(desk.env, home)
    sni = opts.tray != "xembed"
    proxy = desk._procs.get("xembedsniproxy")
    before = frozenset(session.sni_watcher(desk.env, "RegisteredStatusNotifierItems") or []) if sni else frozenset()
    if not sni:
        tray_base, mask = tray_client_base(desk.env), resource_mask(desk.env)
    log = open(home / "output.log", "wb")
    t0 = time.monotonic()
    proc = subprocess.Popen(app.argv, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True, preexec_fn=session.die_with_parent, cwd=home)
    try:
        if sni:
            listed = wait_sni_item(desk.env, proc, 30, proxy.pid if proxy else None, before)
            docked = XEvent(listed, "sni", 0, 0, proc.pid) if listed else None
            if docked is None and proc.poll() is None:
                # Workrave 1.10 speaks no StatusNotifierItem: it runs without a tray icon here (its
                # window shows instead). Measured all the same, from 30 s after its start.
                run.note = "no StatusNotifierItem within 30 s: no tray icon on this desktop"
                docked = XEvent(time.monotonic(), "none", 0, 0, proc.pid)
        else:
            docked = watch.wait(lambda e: e.kind == "reparent" and e.parent & ~mask == tray_base
                                and e.pid in tree(proc.pid), t0, 30)
        if docked is None:
            log.flush()
            tail = (home / "output.log").read_text(errors="replace").strip().splitlines()[-1:]
            run.error = f"no icon docked within 30 s (exit code {proc.poll()}): {' '.join(tail)}"
            return run
        run.icon_s = None if docked.kind == "none" else docked.t - t0
        time.sleep(opts.settle)
        pids = tree(proc.pid)
        run.rss_kib, run.pss_kib, run.uss_kib, run.anon_kib = memory(pids)
        run.threads = threads(pids)
        cpu0, cs0, w0 = cpu_seconds(pids), ctx_switches(pids), time.monotonic()
        time.sleep(opts.idle)
        pids = tree(proc.pid)
        cpu1, cs1, w1 = cpu_seconds(pids), ctx_switches(pids), time.monotonic()
        run.cpu_pct = 100 * (cpu1 - cpu0) / (w1 - w0)
        run.ctxsw_per_min = (cs1 - cs0) * 60 / (w1 - w0)
        run.pss_end_kib = memory(pids)[1]
        if app.clicks:
            run.click_s = click_to_window(proc, desk, watch, opts.clicks, sni)
        if proc.poll() is not None:
            run.error = f"exited with code {proc.returncode} during the run"
    finally:
        session.stop(proc)
        log.close()
    return run


def click_to_window(proc, desk, watch: XWatch, clicks: int, sni: bool = False) -> list[float]:
    times = []
    for _ in range(clicks):
        if sni:
            t = left_click(desk.env, *SNI_ICON)
        else:
            icon = xdesk.wait_tray_icon(desk.env, timeout=10, pid=proc.pid)
            t = left_click(desk.env, *icon.center)
        mapped = watch.wait(lambda e: e.kind == "map" and e.pid not in (None, proc.pid)
                            and e.pid in tree(proc.pid), t, 10)
        if mapped is None:
            break
        times.append(mapped.t - t)
        with contextlib.suppress(ProcessLookupError):
            os.kill(mapped.pid, signal.SIGTERM)
        xdesk.wait_for(lambda: not Path(f"/proc/{mapped.pid}").exists()
                       or Path(f"/proc/{mapped.pid}/stat").read_text().split()[2] == "Z", 10,
                       what="session window closed")
        time.sleep(1.5)
        xdesk.move(desk.env, 0, 799)  # away from the icon: no tooltip in the next click's way
    return times


# --- the table --------------------------------------------------------------------------------

def median_range(values: list[float]) -> tuple[float, float, float] | None:
    values = [v for v in values if v is not None]
    if not values:
        return None
    return statistics.median(values), min(values), max(values)


FIGURES = [
    # key, label, unit formatter, target (None: no target) as (kind, factor)
    ("icon_s", "icon docked after start", lambda v: f"{v:.2f} s", ("workrave", 1.0)),
    ("rss_kib", "RSS", lambda v: f"{v / 1024:.1f} MiB", None),
    ("pss_kib", "PSS", lambda v: f"{v / 1024:.1f} MiB", ("workrave", 0.8)),
    ("uss_kib", "USS", lambda v: f"{v / 1024:.1f} MiB", ("workrave", 0.8)),
    ("anon_kib", "anonymous (heap) memory", lambda v: f"{v / 1024:.1f} MiB", None),
    ("cpu_pct", "idle CPU (% of a core)", lambda v: f"{v:.4f} %", ("lighter", 0.05)),
    ("ctxsw_per_min", "context switches / min idle", lambda v: f"{v:.1f}", ("lighter", 0.05)),
    ("threads", "threads", lambda v: f"{v:.0f}", None),
    ("click_s", "click → session window mapped", lambda v: f"{v:.2f} s", ("absolute", 0.5)),
]


def summarize(runs: list[Run], apps: list[App]) -> dict[str, dict[str, tuple[float, float, float] | None]]:
    out: dict[str, dict] = {}
    for app in apps:
        mine = [r for r in runs if r.app == app.key and r.error is None]
        out[app.key] = {}
        for key, *_ in FIGURES:
            if key == "click_s":
                values = [v for r in mine for v in r.click_s]
            else:
                values = [getattr(r, key) for r in mine]
            out[app.key][key] = median_range(values)
    return out


def cell(m, fmt) -> str:
    if m is None:
        return "—"
    if m[1] == m[2]:
        return fmt(m[0])
    return f"{fmt(m[0])} ({fmt(m[1]).split()[0]}–{fmt(m[2])})"


def table(summary: dict, apps: list[App], before: dict | None = None) -> str:
    """The Markdown table; with ``before`` (Necka's summary from another run), a column for it first."""
    peers = [a for a in apps if a.key != "necka"]
    head = ["figure", *(["Necka before"] if before else []), *(a.name for a in apps),
            *(f"Necka / {p.name}" for p in peers), "target", "met"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for key, label, fmt, target in FIGURES:
        row = [label]
        if before:
            row.append(cell(before.get(key), fmt))
        for app in apps:
            m = summary[app.key][key]
            row.append(cell(m, fmt))
        necka = summary.get("necka", {}).get(key)
        for p in peers:
            other = summary[p.key][key]
            row.append(f"{necka[0] / other[0]:.2f}" if necka and other and other[0] else "—")
        row += list(verdict(summary, key, target, peers))
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


def verdict(summary: dict, key: str, target, peers: list[App]) -> tuple[str, str]:
    if target is None:
        return "", ""
    necka = summary.get("necka", {}).get(key)
    kind, factor = target
    if kind == "absolute":
        limit = factor
        text = f"≤ {factor:g} s"
    elif kind == "workrave":
        w = summary.get("workrave", {}).get(key)
        if w is None:
            return f"≤ {factor:g}× Workrave", "?"
        limit, text = factor * w[0], f"≤ {factor:g}× Workrave"
    else:
        values = [summary[p.key][key][0] for p in peers if summary[p.key][key]]
        if not values:
            return f"≤ {factor:g}× lighter peer", "?"
        limit, text = factor * min(values), f"≤ {factor:g}× lighter peer"
    if necka is None:
        return text, "?"
    return text, "yes" if necka[0] <= limit else "**no**"


# --- main -------------------------------------------------------------------------------------

def installed_python() -> Path:
    """The interpreter of a throwaway venv holding Necka installed from a wheel of the checkout.

    The wheel is built and installed by pip (``--prefix``, without dependencies, and
    ``--ignore-installed``: without it pip "upgrades" by uninstalling the dev venv's editable
    install, which would leave the checkout without its ``necka-tray`` command); the dev venv's
    site-packages are appended to the path by a ``.pth`` line, which adds the folder without
    running the ``.pth`` files in it (the editable install's hook among them).
    """
    venv = Path(tempfile.mkdtemp(prefix="necka-footprint-venv-"))
    atexit.register(shutil.rmtree, venv, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    subprocess.run([str(PYTHON), "-m", "pip", "install", "--quiet", "--no-deps", "--ignore-installed",
                    "--no-build-isolation", "--disable-pip-version-check", "--prefix", str(venv), str(REPO)],
                   check=True)
    python = venv / "bin" / "python"
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                               check=True, capture_output=True, text=True).stdout.strip())
    dev_site = subprocess.run([str(PYTHON), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                              check=True, capture_output=True, text=True).stdout.strip()
    (site / "necka-footprint-deps.pth").write_text(dev_site + "\n")
    where = subprocess.run([str(python), "-c", "import necka_tray, platformdirs; print(necka_tray.__file__)"],
                           check=True, capture_output=True, text=True, cwd=venv).stdout.strip()
    assert where.startswith(str(site)), f"Necka imported from {where}, not from the installed wheel"
    return python


def compare(before: Path, after: Path) -> int:
    """Print one table from two ``--json`` files: Necka of ``before`` as its own column, Necka of
    ``after`` against the peers (whichever file measured them; both, if both did)."""
    runs = {name: [Run(**r) for r in json.loads(path.read_text())["runs"]] for name, path in
            (("before", before), ("after", after))}
    necka_before = summarize([r for r in runs["before"] if r.app == "necka"], [APPS["necka"]])["necka"]
    measured = [r for r in runs["after"] if r.app == "necka"] + [r for rs in runs.values() for r in rs if r.app != "necka"]
    apps = [APPS[key] for key in APPS if any(r.app == key for r in measured)]
    print(table(summarize(measured, apps), apps, before=necka_before))
    errors = [f"{name}: {APPS[r.app].name}: {r.error}" for name, rs in runs.items() for r in rs if r.error]
    for line in errors:
        print(f"\n{line}")
    return 1 if errors else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="1 run each, 5-s settle, 30-s idle window")
    parser.add_argument("--runs", type=int, help="alternating runs per app (default 3; --quick: 1)")
    parser.add_argument("--settle", type=float, help="seconds between the icon and the memory figures (default 15)")
    parser.add_argument("--idle", type=float, help="idle window in seconds (default 300; --quick: 30)")
    parser.add_argument("--clicks", type=int, default=3, help="clicks per Necka run (default 3)")
    parser.add_argument("--apps", default=",".join(APPS), help=f"comma-separated, from {','.join(APPS)}")
    parser.add_argument("--tray", choices=("xembed", "sni", "kde"), default="xembed",
                        help="the tray host: trayer (xembed, default), a StatusNotifierItem host (sni), or that "
                             "host with KDE's xembedsniproxy for XEmbed-only programs (kde)")
    parser.add_argument("--json", type=Path, help="also write every run's figures to this file")
    parser.add_argument("--editable", action="store_true",
                        help="run Necka from the dev venv's editable install instead of an installed wheel")
    parser.add_argument("--keep", type=Path, metavar="DIR",
                        help="keep each run's home and output, and the desktop's logs, in DIR")
    parser.add_argument("--compare", nargs=2, type=Path, metavar=("BEFORE.json", "AFTER.json"),
                        help="measure nothing: one table from two --json files, Necka before beside Necka after")
    opts = parser.parse_args(argv)
    if opts.compare:
        return compare(*opts.compare)
    opts.runs = opts.runs or (1 if opts.quick else 3)
    opts.settle = opts.settle if opts.settle is not None else (5 if opts.quick else 15)
    opts.idle = opts.idle if opts.idle is not None else (30 if opts.quick else 300)

    apps = []
    for key in opts.apps.split(","):
        app = APPS.get(key.strip())
        if app is None:
            parser.error(f"unknown app {key!r}: use {', '.join(APPS)}")
        if shutil.which(app.argv[0]) is None:
            print(f"footprint: {app.name} is not installed (scripts/bootstrap --bench); left out", file=sys.stderr)
            continue
        apps.append(app)
    missing = session.missing_tools()
    if missing:
        print(f"footprint: desktop tools missing: {', '.join(missing)} (scripts/bootstrap --dev)", file=sys.stderr)
        return 2

    runs: list[Run] = []
    if opts.keep:
        opts.keep.mkdir(parents=True, exist_ok=True)
        workdir = contextlib.nullcontext(str(opts.keep))
    else:
        workdir = tempfile.TemporaryDirectory(prefix="necka-footprint-")
    if "necka" in (app.key for app in apps) and not opts.editable:
        python = installed_python()
        apps = [replace(app, argv=(str(python), *app.argv[1:])) if app.key == "necka" else app for app in apps]
    with workdir as tmp, session.running_desktop(Path(tmp), system_bus=True,
                                                 tray="xembed" if opts.tray == "xembed" else "sni") as desk:
        if opts.tray == "kde":
            start_xembed_proxy(desk)
        xdesk.move(desk.env, 0, 799)
        watch = XWatch(desk.display)
        try:
            for i in range(opts.runs):
                for app in apps:
                    r = measure(app, desk, watch, opts, Path(tmp))
                    runs.append(r)
                    shown = {k: v for k, v in asdict(r).items() if k != "app"}
                    print(f"footprint: run {i + 1}/{opts.runs} {app.name}: {shown}", file=sys.stderr, flush=True)
                    time.sleep(2)  # let the tray settle after the icon left
        finally:
            watch.close()

    summary = summarize(runs, apps)
    host = {"sni": "a StatusNotifierItem host (gtk-sni-tray-standalone)", "xembed": "trayer (XEmbed)",
            "kde": "a StatusNotifierItem host (gtk-sni-tray-standalone) with KDE's xembedsniproxy"}[opts.tray]
    print(f"\n{opts.runs} alternating run(s) on {host}, {opts.settle:g} s settle, {opts.idle:g} s idle window; "
          "medians (min–max)\n")
    print(table(summary, apps))
    for note in sorted({f"{APPS[r.app].name}: {r.note}" for r in runs if r.note}):
        print(f"\n{note}")
    if opts.json:
        opts.json.write_text(json.dumps({"options": {k: str(v) for k, v in vars(opts).items()},
                                         "runs": [asdict(r) for r in runs]}, indent=1))
    return 1 if any(r.error for r in runs) else 0


if __name__ == "__main__":
    sys.exit(main())
