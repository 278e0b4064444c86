"""``necka-tray status [--json]``: what the running Necka is doing, and where its files are."""

from __future__ import annotations

import argparse
import json
from typing import Any

from necka_tray.cli import remote


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print one JSON object (for scripts)")


def run(args: argparse.Namespace) -> int:
    from necka_tray.tray import control
    from necka_tray.tray import ipc

    paths = remote.paths()
    try:
        reply = control.ask(paths, "status")
    except ipc.NotRunning:
        status, code = {"running": False, "paths": control.where(paths)}, remote.EXIT_NOT_RUNNING
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
        headline = status["tooltip"].removeprefix("Necka: ")
        tray = status.get("tray") or status["tray_backend"]
        lines.append(f"Necka is running (pid {status['pid']}, tray: {tray}): {headline}.")
        for kind in Kind:
            r = status["reminders"].get(kind.value, {})
            if not r.get("enabled"):
                text = "off"
            elif r.get("minutes_left") is None:
                text = "paused"
            else:
                text = f"in {r['minutes_left']} min"
            lines.append(f"  {kind.label + ':':<16}{text} (every {r.get('interval_minutes')} min)")
        if status.get("idle_detection") == "none":
            lines.append("Idle detection: unavailable on this desktop (reminders count wall-clock time)")
        elif status.get("idle_detection"):
            lines.append(f"Idle detection: {status['idle_detection']}")
        if status.get("quiet_reason"):
            lines.append(f"Quiet: {status['quiet_reason']}")
        if status.get("call_detection") == "none":
            lines.append("Call detection: unavailable on this system (reminders are not held for calls)")
        elif status.get("call_detection"):
            lines.append(f"Call detection: {status['call_detection']}")
        if status.get("tray_clicks"):
            lines.append(f"Tray icon: {status['tray_clicks']}")
        if status.get("autostart") is not None:
            lines.append(f"Start at login: {'on' if status['autostart'] else 'off'}")
    else:
        lines.append("Necka is not running.")
    where = status["paths"]
    lines += [f"Settings: {where['config']}", f"Data:     {where['data']}", f"Logs:     {where['logs']}"]
    return "\n".join(lines)
