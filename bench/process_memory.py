"""A process's own memory, apart from the file pages it maps.

Resident memory (RSS) counts, besides a process's heap and arrays, every page of a file it
has touched: library code and memory-mapped model files. A pool process forked from the
Celery worker does not inherit its parent's page-table entries for file mappings, so its RSS
rises by megabytes the first time each task runs its libraries' code, and then stays level
(`bench/bench_task_memory.py` measures it task by task). Those pages are the kernel's page
cache, shared with every other process and dropped under pressure; a leak is private memory.
So the soak judges "flat" on RssAnon (the anonymous pages: heap, arrays, stacks), and prints
RSS beside it.
"""


def anonymous_bytes(pid: int) -> int:
    """RssAnon of the process, from /proc (Linux)."""
    with open(f"/proc/{pid}/status") as status:
        line = next(line for line in status if line.startswith("RssAnon:"))
    return int(line.split()[1]) * 1024
