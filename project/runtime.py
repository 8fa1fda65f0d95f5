"""What a server process does once it has started, before it serves."""

from __future__ import annotations

import gc


def settle_after_start() -> None:
    """Load what every request needs (the URLconf and with it every view and admin
    module), then take everything alive out of the cyclic collector's full passes
    (`gc.freeze`). Those objects live as long as the process; a full pass walked all
    of them, and on a list page that was 50-100 ms added to about one request in ten
    (docs/benchmarks.md)."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018  (loading it imports the views)
    gc.collect()
    gc.freeze()
