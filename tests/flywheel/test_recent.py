"""Per-process reads held for a refresh period (flywheel.recent)."""

from flywheel import recent as recent_module
from flywheel.recent import forget_recent, recent


def test_a_read_is_held_for_its_period_then_read_again(monkeypatch):
    clock = [100.0]
    monkeypatch.setattr(recent_module.time, "monotonic", lambda: clock[0])
    loads = []

    def load():
        loads.append(1)
        return len(loads)

    forget_recent()
    assert recent(("k",), load, 2.0) == 1
    clock[0] += 1.9
    assert recent(("k",), load, 2.0) == 1  # within the period: no read
    clock[0] += 0.2
    assert recent(("k",), load, 2.0) == 2  # past it: read again
    assert recent(("other",), load, 2.0) == 3  # each key is its own read
    assert recent(("k",), load, 0) == 4  # a period of 0 always reads
    forget_recent()
    assert recent(("other",), load, 2.0) == 5
