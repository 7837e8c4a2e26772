"""The production worker's garbage collector ticks (portal/serving.py): survivors are frozen, young cyclic
garbage is still freed, and the sweep frees what became garbage after it was frozen."""

from __future__ import annotations

import gc
import weakref

import pytest

from portal.serving import collect_step, collector_hook


class Node:
    def __init__(self):
        self.me = self  # a reference cycle: only the cyclic collector frees it


@pytest.fixture(autouse=True)
def _unfrozen():
    yield
    gc.unfreeze()  # this test process goes on with Python's own collector


def test_young_cyclic_garbage_is_freed_and_survivors_are_frozen():
    gc.freeze()
    garbage = weakref.ref(Node())
    kept = [Node() for _ in range(1000)]
    before = gc.get_freeze_count()
    collect_step(sweep=False)
    assert garbage() is None  # collected, not frozen
    # A thousand survivors frozen: by far more than the few frozen objects another thread may free meanwhile
    # (CI once saw the count drop by 8 around a single survivor).
    assert gc.get_freeze_count() >= before + 900
    assert all(node.me is node for node in kept)


def test_garbage_that_was_frozen_waits_for_the_sweep():
    node = Node()
    collect_step(sweep=False)  # node survived: frozen
    gone = weakref.ref(node)
    del node
    collect_step(sweep=False)
    assert gone() is not None  # frozen garbage is out of the young collections' sight
    collect_step(sweep=True)
    assert gone() is None


def test_the_hook_freezes_what_start_up_allocated_and_leaves_python_alone_when_off():
    gc.unfreeze()
    collector_hook(0, 60)(worker=None)  # 0: no ticking greenlet, only the start-up freeze
    assert gc.get_freeze_count() > 0
