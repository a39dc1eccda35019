"""``python -m pressout``: the same as the ``pressout`` command."""

from .cli import main

main()
