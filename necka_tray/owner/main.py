"""Composition root: builds the real adapters and runs the tray.

Order matters for start-up time: the icon is created and shown first; the
scheduler, job store, notifier and history open afterwards on the setup
thread, which then becomes the dispatcher thread that owns the app's state.
"""

from __future__ import annotations

import functools
import logging
import os
import sys

from necka_tray import __version__
from necka_tray.children.commandline import EXIT_ENVIRONMENT
from necka_tray.store import logs
from necka_tray.core.clock import SystemClock, TimeScale
from necka_tray.store.paths import AppPaths
from necka_tray.texts.i18n import _

logger = logging.getLogger(__name__)

QUIT_GRACE_S = 15  # how long the end of the tray's loop waits for the app's quit to finish
FINAL_FLUSH_S = 8  # at quit, how long the history thread may take to write (or spool) what waits


def run_tray(scale: TimeScale, debug: bool = False) -> int:
    from necka_tray.desktop import platform

    paths = AppPaths.for_user()
    try:
        paths.ensure()
    except OSError as exc:
        return _fail(_("cannot create Necka's folders ({error}).").format(error=exc))
    from necka_tray.channel import instance

    try:
        lock = instance.claim(paths)  # held until this process ends
    except OSError as exc:
        return _fail(_("cannot create the instance lock in {path} ({error}).").format(path=paths.data_dir, error=exc))
    if lock is None:  # one runs already: let it open a session, say so, exit 0
        from necka_tray.channel.control import hand_over

        return hand_over(paths)
    logs.setup(paths.log_file, debug)
    from necka_tray.store.paths import runtime_problem

    if runtime_problem():  # XDG_RUNTIME_DIR names no folder of this user's: never made, said once
        logger.warning("%s", runtime_problem())
    plat = platform.current()
    problem = plat.display_problem(os.environ)
    if problem:
        return _fail(problem)
    try:
        choice = plat.tray_backend(os.environ)
    except platform.TrayUnavailable as exc:
        return _fail(str(exc))

    import threading

    from necka_tray.owner import shutdown
    from necka_tray.owner.dispatch import Dispatcher

    dispatcher = Dispatcher()
    app = control = None  # built on the setup thread, before the dispatcher runs anything posted
    failed = False
    finished = threading.Event()  # the dispatcher thread is done (quit ran, or start-up failed)

    def request_quit(reason: str) -> None:  # any thread, or a signal handler: only posts
        dispatcher.post(lambda: shutdown.quit_app(app, reason))

    shutdown.on_signals(request_quit)

    def quit_and_wait(reason: str) -> None:  # a thread that must answer only once Necka has quit
        done = threading.Event()
        dispatcher.post(lambda: (shutdown.quit_app(app, reason), done.set()))
        done.wait(QUIT_GRACE_S)

    def on_action(action) -> None:
        dispatcher.post(lambda: app.handle_action(action))

    try:
        tray = _make_tray(choice.backend, on_action, paths)
    except Exception as exc:  # a backend that cannot load: say which and why, once
        logger.debug("tray backend failed", exc_info=True)
        return _fail(_("the {backend} tray backend cannot start ({error}).").format(
            backend=repr(choice.backend), error=f"{type(exc).__name__}: {exc}"))
    from necka_tray.tray import backend as tray_backend

    logger.info("action=start backend=%s scale=%s clicks=%r", choice.backend, scale.factor, tray_backend.clicks(tray))

    def start_app() -> None:
        # After the icon is up: reading (or first writing) the settings costs more than docking.
        nonlocal app, control
        from necka_tray.store import config

        loaded = config.load(paths.config_file)  # the one load at start; App re-reads only after a change
        for message in loaded.problems:
            logger.warning("%s", message)
        try:
            config.ensure_exists(paths.config_file)
        except OSError as exc:
            logger.warning("Could not write the default settings file %s (%s).", paths.config_file, exc)
        app = _build_app(paths, scale, dispatcher, tray, loaded.settings)
        from necka_tray.store import dbfile

        # A broken or unwritable schedule or history file: said once, in a bubble too.
        # (Posted: the history thread finds most of them, and the notifier belongs to the dispatcher.)
        dbfile.set_reporter(lambda message: dispatcher.post(app.p.notifier.notify, _("Necka's files"), message))
        if choice.notice:
            logger.warning("%s", choice.notice)
        app.start()
        if loaded.problems:
            app.p.notifier.notify(
                _("Necka settings"),
                _("{problem} See {path} (details in the log).").format(problem=loaded.problems[0], path=paths.config_file),
            )
        control = _start_control(paths, app, dispatcher, choice.backend, tray)
        if sys.platform.startswith("linux"):
            from necka_tray.desktop.platform import sleep_linux

            sleep_linux.watch(lambda: dispatcher.post(app.on_job, "tick"),  # look again right after resume
                              on_shutdown=lambda: request_quit("logind-shutdown"))
            from necka_tray.desktop.platform import session_linux

            session_linux.register(on_end=lambda: quit_and_wait("session-end"))  # GNOME-style logout

    def setup() -> None:
        nonlocal failed
        try:
            start_app()
        except Exception:  # never leave an icon with no app behind it
            logger.error("Necka could not start", exc_info=True)
            failed = True
            tray.stop()
            finished.set()
            return
        try:
            dispatcher.run()
        finally:
            finished.set()

    tray.run(setup)
    # The tray's loop ended: after Quit (then this is a no-op), or the X display went away
    # (then quit now, as Quit would: the sitting stretch, the job store, the helper windows).
    request_quit("tray-ended")
    if not finished.wait(QUIT_GRACE_S):
        logger.warning("action=quit state=timeout seconds=%s", QUIT_GRACE_S)
    if sys.platform.startswith("linux"):
        from necka_tray.desktop.platform import session_linux

        session_linux.wait_answered(2)  # a logout's answer goes out before the process ends
    if control is not None:
        control.stop()  # lets a `necka-tray quit` in flight get its answer
    return 1 if failed else 0


def _make_tray(backend: str, on_action, paths: AppPaths):
    """``sni``: our own StatusNotifierItem (tray/sni.py); ``xembed``: our own X11 tray icon (tray/xembed.py);
    neither loads a toolkit. Else pystray's backend. Each is a ``tray/backend.py`` ``TrayBackend``."""
    if backend == "sni":
        from necka_tray.tray.sni import SniTray

        return SniTray(on_action, cache_dir=paths.cache_dir or paths.data_dir)
    if backend == "xembed":
        from necka_tray.tray.xembed import XEmbedTray

        return XEmbedTray(on_action, cache_dir=paths.cache_dir or paths.data_dir)
    from necka_tray.tray.pystray_icon import Tray

    return Tray(backend, on_action)


def _start_control(paths: AppPaths, app, dispatcher, backend: str, tray):
    """The command line's channel to this app (after the icon is up); Necka runs on without it."""
    from necka_tray.schedule import jobs
    from necka_tray.tray.backend import NAMES, clicks
    from necka_tray.channel.control import Handler, where
    from necka_tray.channel.ipc_server import Server

    from necka_tray.texts import i18n

    about = {"version": __version__, "pid": os.getpid(), "tray_backend": backend,
             "tray": NAMES.get(backend, backend), "tray_clicks": clicks(tray), "paths": where(paths),
             "language": i18n.language(), "language_from": i18n.requested()[1]}
    server = Server(paths, Handler(app, about), dispatcher.post)
    try:
        server.start()
    except (OSError, ValueError) as exc:
        logger.warning("necka-tray commands cannot reach this Necka: %s", exc)
        return None
    jobs.set_tick_hook(server.recheck)  # a tmp cleaner took the socket: bind again within a minute
    return server


def _build_app(paths: AppPaths, scale: TimeScale, dispatcher, tray, settings):
    from necka_tray.core.planner import Planner
    from necka_tray.desktop import autostart, calls, dnd, idle
    from necka_tray.desktop.notifier import make_notifier
    from necka_tray.desktop.platform import current
    from necka_tray.desktop.presence import PresenceMonitor
    from necka_tray.store.history_writer import HistoryWriter
    from necka_tray.store.reports import TrayStats
    from necka_tray.store.routines import RoutineBook
    from necka_tray.owner.app import App
    from necka_tray.owner.ports import Ports
    from necka_tray.children.processes import Children, OneAtATime, SessionLauncher
    from necka_tray.schedule.scheduling import ReminderScheduler
    from necka_tray.children import protocol

    planner = Planner(scale)
    presence = PresenceMonitor(idle.detect(os.environ), dnd.detect(os.environ), scale, calls=calls.detect(os.environ))
    from necka_tray.owner.history_reads import HistoryThread

    history = HistoryWriter(paths.history_db)
    io = HistoryThread(dispatcher.post)  # every read and write of the history, off the dispatcher
    io.run("check", history.check)  # first: a damaged file is moved aside before anything reads it

    def record(kind: str, ts, **data) -> None:
        io.run("write", functools.partial(history.record, kind, ts, **data))

    def flush_history(final: bool = False) -> None:
        if final:  # at quit: wait for it (what still cannot be written goes to the spool on disk)
            io.call(history.flush, True, timeout=FINAL_FLUSH_S)
        else:
            io.run("flush", history.flush)
    children = Children(post=dispatcher.post)  # helpers' results are handled on the dispatcher thread
    app = None  # the callbacks below run on the dispatcher, after the app is built
    launcher = SessionLauncher(children, scale.factor, on_end=lambda message, code: app.on_session_end(message, code))
    windows: dict[tuple[str, ...], OneAtATime] = {}

    def open_window(name: str, *args: str) -> bool:
        """One window of each kind at a time; the check-in reports its answer, the tray records it."""
        key = (name, *args)
        if key not in windows:
            windows[key] = OneAtATime(children, name, lambda message, code: app.on_window_end(message, code),
                                      (protocol.CheckinResult, protocol.InfoClosed))
        return windows[key].start(*args, *(["--no-record"] if name == "checkin" else []))

    ports = Ports(
        clock=SystemClock(),
        scheduler=ReminderScheduler(paths.jobs_db, planner),
        notifier=make_notifier(_notification_icon(paths, children),
                               on_event=lambda tag, key: dispatcher.post(app.on_bubble, tag, key)),
        view=tray,
        launcher=launcher,
        post=dispatcher.post,
        open_file=current().open_file,
        record=record,
        flush_history=flush_history,
        history=io.run,
        end_helpers=children.end_all,
        quit_loop=dispatcher.stop,
        presence=presence,
        autostart=autostart,
        stats=TrayStats(paths.history_db),
        open_window=open_window,
        routines=RoutineBook(paths.routines_file, paths.history_db),
    )
    app = App(paths.config_file, settings, planner, ports)
    return app


def _notification_icon(paths: AppPaths, children) -> str:
    """A PNG of the icon for notification bubbles, drawn once by a helper process (so the
    tray process need not load Pillow); bubbles before it is written simply have no icon."""
    path = paths.data_dir / "necka-128.png"
    try:
        if not path.exists():
            children.start("icons", "png", "128", str(path))
    except OSError:
        return ""
    return str(path)


def _fail(message: str) -> int:
    print(f"necka-tray: {message}", file=sys.stderr)
    return EXIT_ENVIRONMENT
