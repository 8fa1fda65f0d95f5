"""A server process settles after starting: its start-up objects leave the collector's passes."""

import gc
import importlib


def test_the_wsgi_entry_point_freezes_what_start_up_made():
    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    try:
        import project.wsgi

        importlib.reload(project.wsgi)
        assert gc.get_freeze_count() > 10_000  # Django, the URLconf, the views, the admin
    finally:
        gc.unfreeze()
