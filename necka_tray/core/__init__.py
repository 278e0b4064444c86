"""The pure core: what is due when, pauses, the stretch session's steps.

Nothing here imports a toolkit, the scheduler, plyer or platformdirs, and
nothing reads the real time: every function takes ``now`` (or a ``Clock``).
``tests/unit/test_core_purity.py`` enforces the import rule.
"""
