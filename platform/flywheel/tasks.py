from celery import shared_task


@shared_task(name="flywheel.ping", acks_late=False, ignore_result=False)
def ping() -> str:
    """Answer "pong" so the health check can see that a worker is consuming the queue."""
    return "pong"
