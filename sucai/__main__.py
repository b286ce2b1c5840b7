"""``python -m sucai`` and the ``sucai`` command (its console script, ``sucai.__main__:main``): the command line.

It is loaded here, inside :func:`main`, so that a Ctrl+C while it loads (its imports take a few tenths of a second)
ends the command as an interrupted command ends — one Chinese line, exit status 130 — not with a traceback.
"""

import signal
import sys


def main() -> None:
    """Load the command line and run it (:func:`sucai.cli.main`)."""
    try:
        from .cli import main as run_command_line
    except KeyboardInterrupt:
        sys.stderr.write("\n已中断。\n")   # nothing was started yet: nothing to keep
        sys.exit(128 + signal.SIGINT)    # ExitCode.INTERRUPTED, as a shell reports a command that Ctrl+C ended
    run_command_line()


if __name__ == "__main__":
    main()
