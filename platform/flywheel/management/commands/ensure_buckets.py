"""Create the object storage buckets the settings name (MEDIA_BUCKET, MODEL_BUCKET) if they do
not exist yet; nothing to do when media and models stay in local folders. Run with the
migrations (docker/entrypoint.sh), so a fresh MinIO needs no manual step."""

from botocore.exceptions import ClientError
from django.conf import settings
from django.core.files.storage import storages
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Create the S3 buckets for media and model artifacts when they are configured."

    def handle(self, *args, **options):
        wanted = {"default": settings.MEDIA_BUCKET, "models": settings.MODEL_BUCKET}
        for alias, bucket in wanted.items():
            if not bucket:
                continue
            client = storages[alias].connection.meta.client
            try:
                client.head_bucket(Bucket=bucket)
                self.stdout.write(f"bucket {bucket} exists")
            except ClientError:
                client.create_bucket(Bucket=bucket)
                self.stdout.write(f"bucket {bucket} created")
