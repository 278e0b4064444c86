"""What each ``Action`` does to the app, dispatched by one table (``HANDLERS``).

A menu click, the popup menu's choice and a control-socket command all arrive
as a ``core.actions.Action`` on the dispatcher thread (``App.handle_action``);
this table maps its verb to one function here. Settings changes are written to
config.toml through ``App.save`` (``store/config.py``).
"""

from __future__ import annotations

import logging
from typing import Callable

from necka_tray.core.actions import Action, Arg, Verb
from necka_tray.core.durations import end_after
from necka_tray.core.reminders import Kind
from necka_tray.texts.i18n import _
from necka_tray.store import config

from necka_tray.owner.ports import Owner

logger = logging.getLogger(__name__)


def session(app: Owner, routine: Arg = None) -> None:
    """Start a session: of ``routine`` (the Routines menu), else of the reminder that is due, else the user's default."""
    if app.p.launcher.running:
        logger.info("action=session state=already-running")
        return
    now = app.p.clock.now()
    startable = app.startable(now)
    default = app.default_routine()
    if routine is None:
        window = app.planner.scale.real(app.chooser_window)
        routine = app.chooser.for_start(now, default, app.planner.stretch_due_since is not None, window)
    if routine not in startable:
        fallback = default if default in startable else startable[0]
        logger.warning("action=session routine=%s not-available; running %s", routine, fallback)
        routine = fallback
    logger.info("action=session routine=%s", routine)
    if app.p.launcher.launch(str(routine)):
        app.planner.session_started()
        app.render()


def info(app: Owner, page: Arg) -> None:
    """Open one of Necka's pages ("care": when to see a professional, "relief": relief now)."""
    app.open_window("info", str(page))


def open_routines(app: Owner, _arg: Arg = None) -> None:
    """Open the user's routines.toml, first writing a working example when there is none."""
    from necka_tray.store.routines import starter_text

    path = app.routines.user_file
    if path is None:
        return
    try:
        if not path.exists():
            from necka_tray.store.fsutil import atomic_write

            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            atomic_write(path, starter_text().encode())
        app.p.open_file(path)
    except Exception as exc:
        logger.warning("Could not open %s (%s)", path, exc)
        app.p.notifier.notify(_("Necka routines"), _("Could not open your routines file: {path}").format(path=path))


def interval(app: Owner, minutes: Arg) -> None:
    app.save({f"reminders.{Kind.STRETCH.value}.interval_minutes": minutes})
    app.p.scheduler.apply(Kind.STRETCH, app.interval_of(Kind.STRETCH), app.p.clock.now())
    app.refresh()


def voice(app: Owner, _arg: Arg) -> None:
    """The session windows read ``session.voice`` when they open: saving it is the whole change."""
    app.save({"session.voice": not app.settings["session.voice"]})
    app.refresh()


def toggle(app: Owner, kind_value: Arg) -> None:
    kind = Kind(kind_value)
    app.save({f"reminders.{kind.value}.enabled": not app.settings.reminder(kind).enabled})
    app.p.scheduler.apply(kind, app.interval_of(kind), app.p.clock.now())
    app.refresh()


def pause(app: Owner, choice: Arg) -> None:
    """``choice``: a menu choice ("30m", "1h", "tomorrow") or configured minutes (the CLI)."""
    now = app.p.clock.now()
    until = app.planner.pause_end(choice, now) if isinstance(choice, str) else end_after(choice, now, app.planner.scale)
    app.p.scheduler.pause(until)
    app.planner.paused()
    app.record("pause", now, until=until.isoformat())
    app.refresh()


def resume(app: Owner, _arg: Arg = None) -> None:
    app.resume()


def snooze(app: Owner, minutes: Arg = 10) -> None:
    """Show the stretch break again in ``minutes`` (configured); the icon stops asking until then."""
    minutes = 10 if minutes is None else int(minutes)
    now = app.p.clock.now()
    app.p.scheduler.move_next(Kind.STRETCH, app.planner.first_run(minutes, now))
    app.planner.stretch_handled()
    app.record("snooze", now, reminder=Kind.STRETCH.value, minutes=minutes)
    app.refresh()


def skip(app: Owner, _arg: Arg = None) -> None:
    """Skip the due stretch break (its countdown starts again now), or the next one if none is due."""
    now = app.p.clock.now()
    due = app.planner.stretch_due_since is not None
    if due:
        app.p.scheduler.restart(Kind.STRETCH, now)
    else:
        app.p.scheduler.skip_next(Kind.STRETCH)
    app.planner.stretch_handled()
    app.record("skip", now, reminder=Kind.STRETCH.value, was_due=due)
    app.refresh()


def open_settings(app: Owner, _arg: Arg = None) -> None:
    config.ensure_exists(app.config_file)
    try:
        app.p.open_file(app.config_file)
    except Exception as exc:
        logger.warning("Could not open %s (%s)", app.config_file, exc)
        app.p.notifier.notify(_("Necka settings"),
                              _("Could not open the settings file: {path}").format(path=app.config_file))


def autostart(app: Owner, _arg: Arg = None) -> None:
    on = not app.autostart_enabled()
    try:
        app.p.autostart.set(on)
    except Exception as exc:
        logger.warning("Could not turn start at login %s (%s)", "on" if on else "off", exc)
        app.p.notifier.notify("Necka", _("Could not turn start at login {state}: {error}").format(
            state=_("on") if on else _("off"), error=exc))
    logger.info("action=autostart on=%s", app.autostart_enabled())
    app.render()


def done(app: Owner, kind_value: Arg) -> None:
    """"Done" on a posture or shoulder-rolls bubble: the history counts it as acted on."""
    from necka_tray.core.events import DONE

    app.record(DONE, app.p.clock.now(), reminder=Kind(kind_value).value)


#: verb -> what it does. Every ``Verb`` has one (tests/unit/test_actions.py).
HANDLERS: dict[Verb, Callable[[Owner, Arg], None]] = {
    Verb.SESSION: session,
    Verb.ROUTINE: session,
    Verb.SNOOZE: snooze,
    Verb.SKIP: skip,
    Verb.INTERVAL: interval,
    Verb.TOGGLE: toggle,
    Verb.PAUSE: pause,
    Verb.RESUME: resume,
    Verb.STATISTICS: lambda app, days: app.open_window("stats", *([] if days is None else ["--days", str(days)])),
    Verb.CHECKIN: lambda app, _arg: app.open_window("checkin"),
    Verb.INFO: info,
    Verb.OPEN_ROUTINES: open_routines,
    Verb.OPEN_SETTINGS: open_settings,
    Verb.AUTOSTART: autostart,
    Verb.VOICE: voice,
    Verb.QUIT: lambda app, _arg: app.quit(),
    Verb.DONE: done,
}


def dispatch(app: Owner, action: Action) -> None:
    logger.info("action=menu choice=%s args=%s", action.verb.value, [] if action.arg is None else [action.arg])
    HANDLERS[action.verb](app, action.arg)
