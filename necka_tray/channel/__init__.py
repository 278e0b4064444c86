"""The control channel: the socket (or pipe) the tray listens on and ``necka-tray pause|status|...`` talk to.

The command line imports this package without the tray process: nothing here
imports the state owner, the scheduler or the tray icons.
"""
