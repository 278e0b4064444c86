"""Small things Necka's windows remember: the safety note was read, where the session window was.

One JSON object in ``AppPaths.state_file`` (``state.json`` in the data folder), rewritten atomically
on each change. These are conveniences, never the user's records: a missing
or unreadable file (or a FIFO, a device, a huge file: ``read_user_file``) reads as empty (the safety note shows once more, the
window opens centred) and is replaced by the next write.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from necka_tray.store.fsutil import atomic_write, read_user_file

MAX_BYTES = 64 << 10  # a few hundred bytes in practice
SAFETY_SEEN = "safety_seen"  # ISO date the first-use safety note was acknowledged
SESSION_GEOMETRY = "session_geometry"  # {"x", "y", "width", "height"} of the session window


class WindowMemory:
    """The windows' small memory (``state.json``): read whole, updated key by key."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def read(self) -> dict[str, Any]:
        try:
            data = json.loads(read_user_file(self.path, MAX_BYTES).decode("utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def get(self, key: str, default: Any = None) -> Any:
        return self.read().get(key, default)

    def update(self, **changes: Any) -> None:
        """Merge ``changes`` into the file (read, change, one atomic write)."""
        data = {**self.read(), **changes}
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        atomic_write(self.path, (json.dumps(data, indent=1, sort_keys=True) + "\n").encode())
