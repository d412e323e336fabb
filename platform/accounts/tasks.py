from celery import shared_task

from accounts.services import login_failures_prune
from accounts.tokens import tokens_clear_expired


@shared_task(name="accounts.prune_login_failures")
def prune_login_failures() -> int:
    """Forget failed logins that no longer count towards a lockout."""
    return login_failures_prune()


@shared_task(name="accounts.clear_expired_tokens")
def clear_expired_tokens() -> int:
    """Forget API tokens and grants that can no longer be used."""
    return tokens_clear_expired()
