"""The user's files: settings, routines, history, the job store, what windows remember.

Everything here reads or writes a file in the user's folders, atomically, and
says plainly when a file is broken. No display, no toolkit.
"""
