"""Is the user at the computer, and may Necka speak? Sampled only when the app wakes.

Combines the OS idle source, the quiet source (full screen, do-not-disturb),
the call source (microphone, camera, screen sharing, idle inhibitors) and the working hours from the settings with the pure ``ActivityTracker``.
The app calls ``observe`` on its dispatcher thread at every minute tick and
every reminder, before deciding anything, so a suspend or a return from a
break is seen before a reminder that was queued meanwhile.
"""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo

from necka_tray.store.config import Settings
from necka_tray.core.activity import ActivityTracker, Change, Effect, Observation, Sample
from necka_tray.core.clock import TimeScale
from necka_tray.core.hours import WorkingHours, parse_days, parse_time
from necka_tray.core.hold import LULL, CallWatch
from necka_tray.core.planner import Presence
from necka_tray.desktop.calls import AnyCall, CallSource
from necka_tray.desktop.dnd import QuietSource
from necka_tray.desktop.idle import IdleSource, resolution


class PresenceMonitor:
    def __init__(self, idle: IdleSource, quiet: QuietSource, scale: TimeScale, tz: tzinfo | None = None,
                 calls: CallSource | None = None) -> None:
        self.idle = idle
        self.quiet_source = quiet
        self.call_source = calls or AnyCall([])
        self.calls_enabled = True
        self.call_watch = CallWatch()
        self.scale = scale
        self.tz = tz
        self.tracker = ActivityTracker(timedelta(minutes=5), timedelta(minutes=1), timedelta(seconds=30))
        self.hours: WorkingHours | None = None
        self.quiet_enabled = True
        self.max_delay = timedelta(minutes=30)
        self._quiet = False
        self._outside_until: datetime | None = None

    @classmethod
    def without_detection(cls, scale: TimeScale, tz: tzinfo | None = None) -> PresenceMonitor:
        """Never idle, never quiet: a desktop that can tell neither (and the app's tests)."""
        from necka_tray.desktop.dnd import AnyQuiet
        from necka_tray.desktop.idle.none import NoIdle

        return cls(NoIdle(), AnyQuiet([]), scale, tz)

    def configure(self, settings: Settings) -> None:
        real = self.scale.real
        self.tracker.natural_break = real(timedelta(minutes=settings["idle.natural_break_minutes"]))
        self.tracker.min_pause = real(timedelta(minutes=1))
        tune = getattr(self.idle, "set_resolution", None)  # an event-driven idle source (Wayland)
        if tune is not None:
            tune(resolution(LULL, self.tracker.min_pause))
        # Clock jitter between two ticks is milliseconds; NTP steps are seconds.
        self.tracker.jump_tolerance = max(real(timedelta(seconds=30)), timedelta(seconds=0.25))
        self.quiet_enabled = settings["quiet.fullscreen"]
        self.calls_enabled = settings["quiet.calls"]
        self.max_delay = timedelta(minutes=settings["quiet.max_delay_minutes"])
        self.hours = None
        if settings["schedule.enabled"]:
            self.hours = WorkingHours(parse_days(settings["schedule.days"]), parse_time(settings["schedule.start"]),
                                      parse_time(settings["schedule.end"]))

    def observe(self, now: datetime, monotonic: float, check_quiet: bool = True) -> Observation:
        """Sample the desktop; the observation says how the countdowns must change."""
        obs = self.tracker.observe(Sample(now, monotonic, self.idle.idle_seconds()))
        was_outside = self._outside_until is not None
        self._outside_until = None
        if self.hours is not None and not self.hours.contains(now, self.tz):
            self._outside_until = self.hours.next_start(now, self.tz)
        if was_outside and self._outside_until is None:
            # Working hours begin: a fresh start, like coming back from a break.
            obs.changes.append(Change(Effect.RESTART, now, reason="working-hours"))
        # Unchecked, nothing is held back: the state is not "quiet", whatever is on screen.
        self._quiet = check_quiet and self.quiet_enabled and self.quiet_source.quiet()
        checked = check_quiet and self.calls_enabled
        self.call_watch.observe(now, self.call_source.in_call() if checked else None, checked)
        return obs

    def presence(self) -> Presence:
        return Presence(
            away_since=self.tracker.away_since,
            quiet=self._quiet,
            outside_until=self._outside_until,
            idle_detection=self.idle.name != "none",
            call=self.call_watch.reason,
        )
