"""``python -m drillcast``: the same as the ``drillcast`` command."""

from .cli import main

raise SystemExit(main())
