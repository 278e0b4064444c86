"""What Necka says: gettext catalogues (``i18n.py``, ``catalogs.py``) and the safety texts (``care.py``).

The lowest layer beside ``core``: standard library only, so every process and
the pure core may use it.
"""
