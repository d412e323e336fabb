"""Factories for social rows. Counters and memberships that the services keep in step are
kept in step here too, so a factory-built world looks like one the services built."""

import io

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import F
from PIL import Image

from social.models import Comment, Group, Membership, Post
from tests.factories import UserFactory


class GroupFactory(factory.django.DjangoModelFactory):
    """A group with its owner's membership (as `services.group_create` leaves it)."""

    class Meta:
        model = Group
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Group {n}")
    slug = factory.Sequence(lambda n: f"group-{n}")
    description = "A place to talk."
    privacy = Group.Privacy.PUBLIC
    owner = factory.SubFactory(UserFactory)
    member_count = 1

    @factory.post_generation
    def owner_membership(group, create, extracted, **kwargs):
        if create:
            Membership.objects.create(
                group=group,
                user=group.owner,
                role=Membership.Role.OWNER,
                state=Membership.State.ACTIVE,
            )


class MembershipFactory(factory.django.DjangoModelFactory):
    """An active member (pass state=PENDING for a request); the group's count follows."""

    class Meta:
        model = Membership

    group = factory.SubFactory(GroupFactory)
    user = factory.SubFactory(UserFactory)
    role = Membership.Role.MEMBER
    state = Membership.State.ACTIVE

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        membership = super()._create(model_class, *args, **kwargs)
        if membership.state == Membership.State.ACTIVE:
            Group.objects.filter(pk=membership.group_id).update(member_count=F("member_count") + 1)
        return membership


class PostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Post

    author = factory.SubFactory(UserFactory)
    text = factory.Faker("sentence", nb_words=8)
    group = None


class CommentFactory(factory.django.DjangoModelFactory):
    """A comment; the post's comment_count goes up with it."""

    class Meta:
        model = Comment

    post = factory.SubFactory(PostFactory)
    author = factory.SubFactory(UserFactory)
    text = factory.Faker("sentence", nb_words=6)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        comment = super()._create(model_class, *args, **kwargs)
        Post.objects.filter(pk=comment.post_id).update(comment_count=F("comment_count") + 1)
        return comment


def image_upload(name="photo.png", *, size=(8, 8), image_format="PNG") -> SimpleUploadedFile:
    """A small real image, as a browser or client would upload it."""
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 80, 40)).save(buffer, format=image_format)
    content_type = f"image/{image_format.lower()}"
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=content_type)
