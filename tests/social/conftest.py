import pytest
from rest_framework.test import APIClient

from tests.factories import sign_in_api


@pytest.fixture
def client_for(db):
    """An API client signed in with a person's token: `client_for(user)`."""

    def make(user) -> APIClient:
        client = APIClient()
        sign_in_api(client, user)
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
