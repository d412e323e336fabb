"""Account writes: sign-up, profile changes, and login with brute-force protection."""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate, password_validation
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import LoginFailure, User
from events.models import EventKind
from events.services import event_record
from flywheel.ratelimit import check_and_count

PROFILE_FIELDS = (
    "display_name",
    "bio",
    "avatar",
    "age_bracket",
    "region",
    "interests",
    "email",
)
PRIVACY_FIELDS = ("personalised_feed", "personalised_ads")
# Name spaces of the advisory locks that serialise login reservations (any two constants
# no other code uses).
ACCOUNT_LOCK_SPACE, ADDRESS_LOCK_SPACE = 7401, 7402


class LoginLocked(Exception):
    """Too many recent failures for this account or this address."""

    def __init__(self, retry_after: int):
        self.retry_after = retry_after
        minutes = max(1, round(retry_after / 60))
        super().__init__(
            f"Too many failed login attempts. Try again in about {minutes} minute"
            f"{'s' if minutes != 1 else ''}."
        )


@dataclass(frozen=True)
class LoginResult:
    user: User | None
    error: str = ""


def normalise_interests(raw) -> list[str]:
    """Declared interests as a short list of distinct lower-case words."""
    if isinstance(raw, str):
        raw = raw.replace("#", " ").replace(",", " ").split()
    if not isinstance(raw, list | tuple) or not all(isinstance(i, str) for i in raw):
        raise ValidationError("Give interests as a list of words.")
    seen: list[str] = []
    for word in raw:
        word = word.strip().lower().lstrip("#")
        if not word:
            continue
        if len(word) > 40 or not word.replace("-", "").replace("_", "").isalnum():
            raise ValidationError(f"“{word[:40]}” is not a valid interest.")
        if word not in seen:
            seen.append(word)
    if len(seen) > 20:
        raise ValidationError("Choose at most 20 interests.")
    return seen


def _apply_profile(user: User, values: dict, *, allowed: tuple[str, ...]) -> None:
    for field, value in values.items():
        if field not in allowed:
            raise ValueError(f"unknown profile field {field}")  # a programming error
        if field == "interests":
            try:
                value = normalise_interests(value)
            except ValidationError as error:
                raise ValidationError({"interests": error.messages}) from None
        setattr(user, field, value)


@transaction.atomic
def username_check(username: str) -> None:
    """Raise ValidationError when the name is taken (in any letter case)."""
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError("That username is taken. Try another one.")


def password_check(password: str, *, username: str = "", email: str = "") -> None:
    """Raise ValidationError (a list of messages) for a password too weak for this person.

    The sign-up form calls it even when the username is invalid, so a person sees every
    problem at once rather than one per round."""
    password_validation.validate_password(password, User(username=username, email=email))


def user_create(*, username: str, password: str, email: str = "", **profile) -> User:
    """Create a person's account after validating the username and password strength."""
    # Every problem in one round: a taken name and a weak password are both reported.
    problems = {}
    try:
        username_check(username)
    except ValidationError as error:
        problems["username"] = error.messages
    user = User(username=username, email=email)
    _apply_profile(user, profile, allowed=PROFILE_FIELDS + PRIVACY_FIELDS + ("is_bot",))
    try:
        password_check(password, username=username, email=email)
    except ValidationError as error:
        problems["password"] = error.messages
    if problems:
        raise ValidationError(problems)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    event_record(EventKind.SIGNUP, user=user)
    return user


def signup(*, address: str, **fields) -> User:
    """A person signs up, on the page or through the API: one limit per client address for
    both (THROTTLE_SIGNUP), counted once the account is valid, so typos cost nothing. Raises
    RateLimited (and creates nothing) over the limit."""
    with transaction.atomic():
        user = user_create(**fields)
        check_and_count("signup", address, action="sign-ups")
    return user


@transaction.atomic
def profile_update(*, user: User, **changes) -> User:
    """Change profile fields and privacy switches; unknown fields are a programming error."""
    _apply_profile(user, changes, allowed=PROFILE_FIELDS + PRIVACY_FIELDS)
    user.full_clean(exclude=["password"])
    user.save()
    return user


def _retry_after(failures, limit: int, now) -> int:
    """Seconds until the oldest failure that keeps the count at the limit leaves the window."""
    if len(failures) < limit:
        return 0
    oldest_that_counts = sorted(failures, reverse=True)[limit - 1]
    return max(1, int((oldest_that_counts + _window() - now).total_seconds()))


def _window() -> timedelta:
    return timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS)


def _lock_for_counting(username: str, address: str) -> None:
    """Serialise reservations for this account and this address until the transaction ends.

    PostgreSQL: transaction-level advisory locks, the account's first and the address's
    second (always that order, so two reservations cannot deadlock). SQLite's immediate
    transactions already admit one writer at a time."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s, hashtext(%s)),"
            " pg_advisory_xact_lock(%s, hashtext(%s))",
            [ACCOUNT_LOCK_SPACE, username.lower(), ADDRESS_LOCK_SPACE, address],
        )


def login_reserve_attempt(*, username: str, address: str) -> LoginFailure:
    """Reserve one attempt before the password is evaluated, or raise LoginLocked.

    The reservation is a LoginFailure row, counted and inserted under a lock, so concurrent
    guesses cannot all pass the check before any is recorded: with a limit of 5, 40 guesses
    at once evaluate at most 5 passwords. A successful login deletes it again. The lock lifts
    by itself as old failures leave the window, so the real owner of an account is never
    locked out for longer than LOGIN_LOCKOUT_SECONDS.
    """
    with transaction.atomic():
        _lock_for_counting(username, address)
        now = timezone.now()
        recent = LoginFailure.objects.filter(at__gte=now - _window())
        by_account = list(recent.filter(username__iexact=username).values_list("at", flat=True))
        by_address = list(recent.filter(address=address).values_list("at", flat=True))
        wait = max(
            _retry_after(by_account, settings.LOGIN_FAILURES_PER_ACCOUNT, now),
            _retry_after(by_address, settings.LOGIN_FAILURES_PER_ADDRESS, now),
        )
        if wait:
            raise LoginLocked(wait)
        return LoginFailure.objects.create(username=username[:150], address=address[:64])


def login_attempt(*, request, username: str, password: str, address: str) -> User:
    """Check the password, counting failures; raises LoginLocked or ValidationError."""
    login_reserve_attempt(username=username, address=address)
    user = authenticate(request, username=username, password=password)
    if user is None:  # the reservation stays: it is the failure
        raise ValidationError(
            "That username and password do not match. Check them and try again.",
            code="invalid_login",
        )
    with transaction.atomic():
        LoginFailure.objects.filter(username__iexact=username).delete()
        event_record(EventKind.LOGIN, user=user)
    return user


def login_failures_prune() -> int:
    """Delete failures that no longer count; run periodically."""
    deleted, _ = LoginFailure.objects.filter(at__lt=timezone.now() - _window()).delete()
    return deleted
