"""A small HTTP load generator: several processes, each with keep-alive connections in
threads, for a fixed time. Returns requests per second and latency percentiles."""

import http.client
import json
import multiprocessing
import threading
import time
from urllib.parse import urlsplit


def _worker(url, requests, seconds, threads, queue):
    parts = urlsplit(url)
    latencies, errors = [], [0]
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def run(index):
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        n = index
        mine, failed, last = [], 0, None
        while time.perf_counter() < stop_at:
            method, path, body, headers = requests(n, last)
            n += threads
            started = time.perf_counter()
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                last = response.read()
                if response.status >= 400:
                    failed, last = failed + 1, None
            except (OSError, http.client.HTTPException):
                failed, last = failed + 1, None
                conn.close()
                conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
                continue
            mine.append(time.perf_counter() - started)
        with lock:
            latencies.extend(mine)
            errors[0] += failed

    pool = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    queue.put((latencies, errors[0]))


def run_load(url, make_requests, *, seconds=10.0, processes=2, threads=16):
    """`make_requests(process_index)` returns a function (n, last) -> (method, path, body,
    headers): n counts the requests of all the process's connections (a connection's own
    requests are n = its index + k * threads), last is the body of that connection's previous
    response (None at first and after an error), so a connection can follow links."""
    queue = multiprocessing.Queue()
    procs = [
        multiprocessing.Process(
            target=_worker, args=(url, make_requests(p), seconds, threads, queue)
        )
        for p in range(processes)
    ]
    started = time.perf_counter()
    for p in procs:
        p.start()
    results = [queue.get() for _ in procs]
    for p in procs:
        p.join()
    elapsed = time.perf_counter() - started
    latencies = sorted(x for lat, _ in results for x in lat)
    errors = sum(e for _, e in results)

    def pct(q):
        return (
            latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000 if latencies else 0
        )

    return {
        "requests": len(latencies),
        "errors": errors,
        "rps": len(latencies) / elapsed,
        "p50_ms": pct(0.50),
        "p99_ms": pct(0.99),
    }


def json_request(method, path, payload, token):
    body = json.dumps(payload).encode()
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
    return method, path, body, headers
