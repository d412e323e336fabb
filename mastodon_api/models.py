"""What the Mastodon API keeps beyond Flywheel's own tables: apps' registered scopes, images
uploaded before the status that uses them, and clients' read positions (markers)."""

from django.conf import settings
from django.db import models
from oauth2_provider.settings import APPLICATION_MODEL

from flywheel.images import stored_image_name, validate_image_upload


class AppProfile(models.Model):
    """What POST /api/v1/apps registered besides DOT's Application: its scopes (what a
    token for it may ever hold) and its website."""

    application = models.OneToOneField(
        APPLICATION_MODEL,
        on_delete=models.CASCADE,
        related_name="mastodon_profile",
    )
    scopes = models.CharField(max_length=1000, default="read")
    website = models.URLField(blank=True, max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.application.name} ({self.scopes})"


def media_upload_to(upload, filename):
    return stored_image_name("media", upload.image.file)


class MediaUpload(models.Model):
    """An image uploaded with POST /api/v2/media, waiting for the status that uses it; the
    status takes the file (a Flywheel post has one image) and the row goes."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="media_uploads"
    )
    image = models.ImageField(upload_to=media_upload_to, validators=[validate_image_upload])
    description = models.CharField(max_length=1500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self):
        return f"media {self.pk} of {self.owner_id}"


class Marker(models.Model):
    """Where a person stopped reading a timeline, as their clients report it."""

    class Timeline(models.TextChoices):
        HOME = "home", "Home"
        NOTIFICATIONS = "notifications", "Notifications"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="markers"
    )
    timeline = models.CharField(max_length=16, choices=Timeline.choices)
    last_read_id = models.CharField(max_length=40)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "timeline"], name="one_marker_per_timeline")
        ]

    def __str__(self):
        return f"{self.user_id} read {self.timeline} to {self.last_read_id}"
