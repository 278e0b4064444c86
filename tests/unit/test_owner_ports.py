"""``App`` is the ``Owner`` its parts are typed against (``owner/ports.py``), member for member.

No type checker runs in CI, so this keeps the protocol honest: a member the
action handlers or the care bubbles use and ``App`` lost (or never had) fails here.
"""

from __future__ import annotations

import inspect
import re

from necka_tray.owner import actions, care_notices
from necka_tray.owner.app import App
from necka_tray.owner.ports import Owner


def owner_members() -> set[str]:
    methods = {n for n, v in vars(Owner).items() if inspect.isfunction(v) and not n.startswith("__")}
    return methods | set(Owner.__annotations__)


def test_app_has_every_member_of_the_owner_protocol():
    assigned = set(re.findall(r"self\.(\w+)(?:: [^=\n]+)? = ", inspect.getsource(App)))
    missing = {m for m in owner_members() if not hasattr(App, m) and m not in assigned}
    assert missing == set()


def test_the_parts_use_only_what_the_protocol_offers():
    """``app.X`` in the action handlers and the care bubbles: every X is an ``Owner`` member."""
    used = set()
    for module in (actions, care_notices):
        used |= set(re.findall(r"\bapp\.(\w+)", inspect.getsource(module)))
    assert used - owner_members() == set()
