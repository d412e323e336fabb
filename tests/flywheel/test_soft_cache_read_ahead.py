"""Keys read ahead in one round trip answer each first read from what was read; every read
after that, or of another key, goes to the cache and sees what was written meanwhile."""

from django.core.cache import cache, caches

from flywheel import soft_cache


def test_each_key_read_ahead_answers_its_first_read_once(monkeypatch):
    cache.set("ahead:rate", [1.0, 2.0], 60)
    cache.delete("ahead:missing")
    backend, reads = caches["default"], []
    get = backend.get
    monkeypatch.setattr(backend, "get", lambda key, *a, **k: reads.append(key) or get(key, *a, **k))

    with soft_cache.read_ahead(["ahead:rate", "ahead:missing"]):
        assert soft_cache.get("ahead:rate", []) == [1.0, 2.0]
        assert soft_cache.get("ahead:missing", []) == []  # a miss read ahead is a miss
        assert reads == []  # both answered from the one read
        soft_cache.set("ahead:rate", [3.0], 60)
        assert soft_cache.get("ahead:rate", []) == [3.0]  # read again: the write is seen
        assert reads == ["ahead:rate"]
    assert soft_cache.get("ahead:missing", "none") == "none"  # after the block: the cache's
    assert reads == ["ahead:rate", "ahead:missing"]
