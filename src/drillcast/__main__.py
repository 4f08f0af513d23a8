"""``python -m drillcast``: the same as the ``drillcast`` command."""

from drillcast.cli import main

raise SystemExit(main())
