import hashlib

from django.contrib.auth.models import AbstractUser
from django.db import models

from flywheel.images import stored_image_name, validate_image_upload


class AgeBracket(models.TextChoices):
    UNDISCLOSED = "", "Prefer not to say"
    UNDER_18 = "13-17", "13-17"
    YOUNG = "18-24", "18-24"
    ADULT = "25-34", "25-34"
    MIDDLE = "35-44", "35-44"
    MATURE = "45-54", "45-54"
    SENIOR = "55+", "55+"


class Region(models.TextChoices):
    UNDISCLOSED = "", "Prefer not to say"
    NORTH_AMERICA = "na", "North America"
    SOUTH_AMERICA = "sa", "South America"
    EUROPE = "eu", "Europe"
    AFRICA = "af", "Africa"
    ASIA = "as", "Asia"
    OCEANIA = "oc", "Oceania"


def avatar_upload_to(user, filename):
    return stored_image_name("avatars", user.avatar.file)


class User(AbstractUser):
    """A person (or a bot) on Flywheel, with the profile and privacy switches they control."""

    email = models.EmailField("email address", blank=True)
    display_name = models.CharField(max_length=60, blank=True)
    bio = models.TextField(max_length=300, blank=True)
    avatar = models.ImageField(
        upload_to=avatar_upload_to, blank=True, validators=[validate_image_upload]
    )
    age_bracket = models.CharField(
        max_length=8, choices=AgeBracket.choices, blank=True, default=AgeBracket.UNDISCLOSED
    )
    region = models.CharField(
        max_length=4, choices=Region.choices, blank=True, default=Region.UNDISCLOSED
    )
    interests = models.JSONField(
        default=list, blank=True, help_text="Declared interests, as lower-case topic words."
    )
    is_bot = models.BooleanField(default=False, db_index=True)
    personalised_feed = models.BooleanField(
        default=True, help_text="Rank the home feed by what the recommender learns about you."
    )
    personalised_ads = models.BooleanField(
        default=True, help_text="Choose ads from your activity, not only from the page's topic."
    )

    class Meta:
        ordering = ["username"]
        indexes = [
            # /media/ looks a file up by its name.
            models.Index(fields=["avatar"], name="user_avatar", condition=~models.Q(avatar="")),
            # The few suspended people, whose posts the recommender leaves out
            # (feeds.trainable_posts), found without a scan of every person.
            models.Index(fields=["id"], name="user_inactive", condition=models.Q(is_active=False)),
        ]

    def __str__(self):
        return f"@{self.username}"

    @property
    def name(self) -> str:
        return self.display_name or self.username

    @property
    def initials(self) -> str:
        parts = self.name.split()
        letters = "".join(p[0] for p in parts[:2]) if parts else self.username[:1]
        return letters.upper()

    @property
    def avatar_hue(self) -> int:
        """A stable colour for the generated default avatar."""
        return int(hashlib.sha1(self.username.encode()).hexdigest()[:4], 16) % 360


class LoginFailure(models.Model):
    """One failed login, kept for a short window to stop password guessing."""

    username = models.CharField(max_length=150, db_index=True)
    address = models.CharField(max_length=64, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["address", "at"])]

    def __str__(self):
        return f"{self.username} from {self.address} at {self.at:%Y-%m-%d %H:%M:%S}"
