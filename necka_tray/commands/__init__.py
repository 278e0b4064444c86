"""One module per ``necka-tray`` subcommand: ``add_arguments(parser)`` and ``run(args) -> int``.

``args`` always carries ``time_scale`` (float) and ``debug`` (bool). Import
what a command needs inside ``run``: ``--help`` imports every module here.
"""
