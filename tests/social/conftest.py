import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient


@pytest.fixture
def client_for(db):
    """An API client signed in with a person's token: `client_for(user)`."""

    def make(user) -> APIClient:
        client = APIClient()
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return make


@pytest.fixture
def other_client(client_for, other_user):
    return client_for(other_user)


@pytest.fixture
def staff_client(client_for, staff_user):
    return client_for(staff_user)


@pytest.fixture
def chronological_home(db):
    """Everyone in the feed experiment's chronological arm. For tests of the chronological
    home (its order, its paging, its query count): arms are assigned by a hash of the person's
    id, so without this a test would get whichever arm its ids fall into. The ranked arms are
    tested in tests/feeds."""
    from feeds.models import FeedArm

    FeedArm.objects.exclude(strategy=FeedArm.Strategy.CHRONOLOGICAL).update(weight=0)
