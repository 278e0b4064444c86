"""The tray process's state owner: ``App`` and what it does with a job run, a menu choice or a result.

One thread (``dispatch.py``) runs every method of ``App``; the action handlers,
the settings file, the status and the care bubbles get the owner's parts
through the small types of ``ports.py``, never ``App`` itself. ``main.py`` is
the tray process's composition root: it builds the real adapters from every
other folder. Never imports ``necka_tray.windows``, tkinter or Pillow.
"""
