import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.production")
application = get_wsgi_application()


def _warm_up() -> None:
    """Load, as each web worker starts, what its first requests would otherwise wait for: the
    URLs with the views they import, and jieba's dictionary (otherwise paid by the first appeal
    filed or the first search in each worker; docs/performance.md, fix 8)."""
    import jieba
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 (imports every view)
    jieba.initialize()
    # What is loaded now lives as long as the worker: keep it out of the garbage collector's
    # full passes, which otherwise walk all these objects (modules, URL patterns, jieba) again
    # and again and show in the slowest requests (docs/performance.md, fix 14).
    gc.collect()
    gc.freeze()


_warm_up()
