"""Reads about accounts that other apps and the media view need."""

from accounts.models import User


def avatar_visible_to(viewer, name: str) -> bool:
    """Avatars are public while their person's account is active."""
    return User.objects.filter(avatar=name, is_active=True).exists()
