"""The one source of time: APScheduler with Necka's jobs and the persistent job store.

``scheduling.py`` owns the scheduler; ``jobs.py`` holds the module-level job
functions the stored jobs name (they only hand the run to the state owner);
``monotonic_store.py`` remembers the monotonic clock across runs. Imports no
other folder of the tray process.
"""
