"""``python -m service.cli``: the ``sanctions`` command."""

from . import main

main()
