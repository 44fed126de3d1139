"""The web worker's start: what its first requests would wait for is loaded, then kept out of
the garbage collector's full passes (they walked jieba's dictionary: p99 spikes)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_a_web_worker_loads_urls_and_jieba_then_freezes_them_for_the_collector():
    code = ("import gc, sys, jieba, portal.wsgi; "
            "print(jieba.dt.initialized, 'portal.appeals.views' in sys.modules, "
            "gc.get_freeze_count())")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, check=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    initialized, views_imported, frozen = out.stdout.split()
    assert initialized == "True" and views_imported == "True"
    assert int(frozen) > 50_000  # jieba's dictionary and the loaded modules
