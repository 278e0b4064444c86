"""``necka-tray status [--json]``: what the running Necka is doing, and where its files are."""

from __future__ import annotations

import argparse
import json
from typing import Any

from necka_tray.cli import remote
from necka_tray.texts.i18n import _


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help=_("print one JSON object (for scripts)"))


def run(args: argparse.Namespace) -> int:
    from necka_tray.texts import i18n
    from necka_tray.channel import control
    from necka_tray.channel import ipc

    paths = remote.paths()
    try:
        reply = control.ask(paths, "status")
    except ipc.NotRunning:
        from necka_tray.channel import instance

        pid = instance.running(paths)
        if pid is not None:  # one runs, with no socket to reach it now
            text = remote.unreachable_text(paths, pid)
            if not args.json:
                return remote.fail(text, remote.EXIT_NO_CHANNEL)
            print(json.dumps({"running": True, "reachable": False, "pid": pid, "problem": text,
                              "paths": control.where(paths)}, indent=2))
            return remote.EXIT_NO_CHANNEL
        status, code = {"running": False, "paths": control.where(paths)}, remote.EXIT_NOT_RUNNING
        status.update(language=i18n.language(), language_from=i18n.requested()[1])
    except ipc.ControlError as exc:
        return remote.channel_failed(exc)
    else:
        if not reply.get("ok"):
            return remote.fail(str(reply.get("error")))
        status, code = {"running": True, **reply["status"]}, 0
    print(json.dumps(status, indent=2) if args.json else describe(status))
    return code


def describe(status: dict[str, Any]) -> str:
    from necka_tray.core.reminders import Kind

    lines = []
    if status["running"]:
        # The tooltip is "Necka: <state>" in the tray's language.
        headline = status["tooltip"].split(": ", 1)[-1]
        tray = status.get("tray") or status["tray_backend"]
        lines.append(_("Necka is running (pid {pid}, tray: {tray}): {state}.").format(
            pid=status["pid"], tray=tray, state=headline.rstrip(".")))
        labels = {kind: kind.label + ":" for kind in Kind}
        width = max(map(len, labels.values())) + 1
        for kind in Kind:
            r = status["reminders"].get(kind.value, {})
            if not r.get("enabled"):
                text = _("off")
            elif r.get("due_now"):  # the headline says it is due: so does its line (not "in 27 min")
                text = _("due now")
            elif r.get("minutes_left") is None:
                text = _("paused")
            else:
                text = _("in {minutes} min").format(minutes=r["minutes_left"])
            every = _("every {minutes} min").format(minutes=r.get("interval_minutes"))
            lines.append(f"  {labels[kind]:<{width}}{text} ({every})")
        if status.get("idle_detection") == "none":
            lines.append(_("Idle detection: unavailable on this desktop (reminders count wall-clock time)"))
        elif status.get("idle_detection"):
            lines.append(_("Idle detection: {source}").format(source=status["idle_detection"]))
        if status.get("quiet_reason"):
            lines.append(_("Quiet: {reason}").format(reason=status["quiet_reason"]))
        if status.get("call_detection") == "none":
            lines.append(_("Call detection: unavailable on this system (reminders are not held for calls)"))
        elif status.get("call_detection"):
            lines.append(_("Call detection: {source}").format(source=status["call_detection"]))
        if status.get("tray_clicks"):
            lines.append(_("Tray icon: {clicks}").format(clicks=status["tray_clicks"]))
        if status.get("autostart") is not None:
            lines.append(_("Start at login: {state}").format(state=_("on") if status["autostart"] else _("off")))
    else:
        lines.append(_("Necka is not running."))
    where = status["paths"]
    rows = [(_("Settings:"), where["config"]), (_("Data:"), where["data"]), (_("Logs:"), where["logs"])]
    width = max(len(label) for label, _path in rows) + 1
    lines += [f"{label:<{width}}{path}" for label, path in rows]
    if status.get("language"):
        origin = status.get("language_from") or _("the default")
        lines.append(_("Language: {language} (from {origin})").format(language=status["language"], origin=origin))
    return "\n".join(lines)
