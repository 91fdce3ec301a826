"""One module per ``envoxy`` subcommand: ``HELP``, ``add_arguments(parser)``, ``run(args, ctx)``.

Modules here import only argparse at the top; the work is imported inside ``run``.
"""
