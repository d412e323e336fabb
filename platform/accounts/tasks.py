from celery import shared_task

from accounts.services import login_failures_prune


@shared_task(name="accounts.prune_login_failures")
def prune_login_failures() -> int:
    """Forget failed logins that no longer count towards a lockout."""
    return login_failures_prune()
