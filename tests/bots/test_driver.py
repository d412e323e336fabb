"""The driver and its HTTP client: a patient client of the real API, never stopped by errors."""

import hashlib
import json
import random
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO

import numpy as np
import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from oauth2_provider.models import AccessToken

from bots import client as client_module
from bots.client import Counters, SiteClient, SiteUnavailable, Stopped
from bots.driver import Driver, DriverOptions, WrongSite
from bots.models import BotProfile
from bots.seeding import ensure_topics, seed_world
from bots.selectors import active_bots
from bots.session import BotState, Session, TokenRefused, World
from bots.truth import topic_space
from bots.world import WorldConfig
from events.models import Event, EventKind


class Scripted(BaseHTTPRequestHandler):
    """Answers from a script: a list of (status, headers, body) consumed in order."""

    script: list = []
    seen: list = []

    def do_GET(self):
        self.seen.append(self.path)
        status, headers, body = self.script.pop(0) if self.script else (200, {}, {"ok": True})
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        raw = json.dumps(body).encode()
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    do_POST = do_GET

    def log_message(self, *args):
        pass


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Scripted)
    Scripted.script, Scripted.seen = [], []
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()


def make_client(url: str, stop=None) -> SiteClient:
    return SiteClient(url, counters=Counters(), stop=stop or threading.Event())


class KeepAlive(Scripted):
    """A scripted server that keeps connections open, noting each request's client port."""

    protocol_version = "HTTP/1.1"
    ports: list = []

    def do_GET(self):
        self.ports.append(self.client_address[1])
        super().do_GET()


def test_a_visit_keeps_its_connection_and_the_next_visit_connects_afresh():
    """A session is one device's visit: a connection kept from bot to bot would pin the load
    to whichever server process accepted it first."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), KeepAlive)
    KeepAlive.ports = []
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        client = make_client(f"http://127.0.0.1:{httpd.server_port}")
        client.request("GET", "/api/timeline/home/")
        client.request("GET", "/api/timeline/home/?cursor=x")
        client.end_visit()
        client.request("GET", "/api/timeline/home/")
    finally:
        httpd.shutdown()
    first, second, next_visit = KeepAlive.ports
    assert first == second != next_visit


def test_a_429_is_waited_out_for_as_long_as_the_site_asks(server):
    Scripted.script = [(429, {"Retry-After": "1"}, {"detail": "slow down"})]
    client = make_client(f"http://127.0.0.1:{server.server_port}")
    started = time.monotonic()
    answer = client.request("GET", "/api/thing/")
    assert answer.status == 200 and answer.data == {"ok": True}
    assert time.monotonic() - started >= 1.0
    assert client.counters.snapshot()["error: 429 too many requests"] == 1
    Scripted.script = [(429, {"Retry-After": "30"}, {})]
    assert client.request("GET", "/api/thing/", patient=False).status == 429


def test_server_errors_are_retried_and_counted(server, monkeypatch):
    monkeypatch.setattr(client_module, "BACKOFF", (0.01, 0.01, 0.01))
    Scripted.script = [(503, {}, {}), (500, {}, {})]
    client = make_client(f"http://127.0.0.1:{server.server_port}/")
    assert client.request("GET", "/livez").ok
    counts = client.counters.snapshot()
    assert (counts["error: 503"], counts["error: 500"], counts["requests"]) == (1, 1, 3)


def test_a_site_that_restarts_is_waited_for(monkeypatch):
    monkeypatch.setattr(client_module, "BACKOFF", (0.2, 0.2, 0.4, 0.8, 1.6))
    port = free_port()
    client = make_client(f"http://127.0.0.1:{port}")
    holder = {}

    def start_later():
        time.sleep(0.5)
        holder["server"] = ThreadingHTTPServer(("127.0.0.1", port), Scripted)
        holder["server"].serve_forever()

    Scripted.script = []
    threading.Thread(target=start_later, daemon=True).start()
    try:
        assert client.request("GET", "/livez").ok
        assert client.counters.snapshot()["error: connection refused"] >= 1
    finally:
        holder["server"].shutdown()


def test_a_site_that_stays_down_is_reported_and_a_stop_is_obeyed(monkeypatch):
    monkeypatch.setattr(client_module, "BACKOFF", (0.01, 0.01))
    client = make_client(f"http://127.0.0.1:{free_port()}")
    with pytest.raises(SiteUnavailable):
        client.request("GET", "/livez")
    stop = threading.Event()
    stop.set()
    with pytest.raises(Stopped):
        make_client("http://127.0.0.1:1", stop).request("GET", "/livez")


def test_links_from_the_api_reach_this_site_whatever_host_they_name(server):
    client = make_client(f"http://127.0.0.1:{server.server_port}")
    client.request("GET", "http://web:8000/api/ads/click/abc/?x=1")
    client.request("GET", "/api/search/posts/", params={"q": "jazz"})
    assert Scripted.seen == ["/api/ads/click/abc/?x=1", "/api/search/posts/?q=jazz"]


class Recorder:
    """Stands in for the HTTP client of a session."""

    def __init__(self):
        self.calls = []

    def request(self, method, path, **kwargs):
        self.calls.append((method, path))
        return client_module.Response(302, None, {"Location": "https://shop.example"})

    def pause(self, seconds):
        pass


@pytest.mark.django_db
def test_sponsored_items_are_clicked_for_what_the_bot_likes():
    ensure_topics(20)
    space = topic_space()
    bot = BotState(
        user_id=1, username="fan", taste=np.array([1.0] + [0.0] * 19), satisfaction=0.3,
        sessions=0, token="t",
        rates={"ad_click_rate": 0.95, "position_decay": 1.0, "activity": 1.0},
    )  # fmt: skip
    recorder = Recorder()
    session = Session(bot, recorder, World(space, {}, "pw"), random.Random(1))
    liked = {"topics": [space.words[0].hashtags[0]], "click_url": "http://web/api/ads/click/1/"}
    unrelated = {"topics": [space.words[7].hashtags[0]], "click_url": "http://web/api/ads/click/2/"}
    for _ in range(20):
        session.consider_ad(liked, position=0)
        session.consider_ad(unrelated, position=0)
    clicked = [path for _, path in recorder.calls]
    assert clicked.count("http://web/api/ads/click/1/") > 10
    assert "http://web/api/ads/click/2/" not in clicked
    assert session.outcome.counts["ad clicks"] == len(clicked)


@pytest.fixture
def small_world(db):
    seed_world(bots=12, config=WorldConfig(topics=20, seed=5, events_per_bot=30), method="bulk")


@pytest.mark.django_db(transaction=True)
def test_bots_use_the_live_site_and_leave_a_trail(live_server, small_world):
    # Seeded bots hold their sign-up tokens; half have none (they sign in), one a token the
    # site no longer knows (it is refused once, then the bot signs in).
    bots = [bot.pk for bot in BotProfile.objects.order_by("user_id")]
    signing_in, revoked = bots[:6], bots[6]
    BotProfile.objects.filter(pk__in=signing_in).update(api_token="")
    AccessToken.objects.filter(user_id=revoked).delete()
    out = []
    driver = Driver(
        DriverOptions(url=live_server.url, speedup=200_000, max_rate=100, concurrency=2,
                      sessions=20, signups_per_day=20_000, seed=1, judge_every=0),
        write=out.append,
    )  # fmt: skip
    started = timezone.now()
    counts = driver.run()
    assert counts["sessions"] >= 20
    assert counts["logins"] >= 1 and counts["impressions"] > 0
    assert counts["error: token refused"] <= 1
    driven = Event.objects.filter(user__is_bot=True, created_at__gte=started)
    home = driven.filter(kind=EventKind.IMPRESSION, surface="home")
    assert home.exists() and not home.filter(arm="").exists()  # every impression has its arm
    logged_in = set(driven.filter(kind=EventKind.LOGIN).values_list("user_id", flat=True))
    assert logged_in and logged_in <= {*signing_in, revoked}  # the others kept their tokens
    assert BotProfile.objects.filter(sessions__gt=0).count() >= 5
    # What a bot's app keeps for the next run is a token the site accepts.
    for bot in BotProfile.objects.filter(sessions__gt=0):
        checksum = hashlib.sha256(bot.api_token.encode()).hexdigest()
        assert AccessToken.objects.filter(user_id=bot.pk, token_checksum=checksum).exists()
    newcomer = BotProfile.objects.filter(origin="signup").select_related("user").first()
    assert newcomer is not None and newcomer.user.is_bot and newcomer.user.avatar
    assert any("sessions" in line for line in out) and out[-1].startswith("Done after")


def test_a_refused_token_is_forgotten_at_once(small_world):
    """Not only in memory: a run that ends before the bot's next session must not hand the
    next run a token the site has refused."""
    [row] = active_bots()[:1]
    bot = BotState.from_row(row)
    assert bot.token  # seeded bots hold their sign-up's token

    def refused(bot):
        bot.token = None  # what Session.call does on a 401
        raise TokenRefused(f"@{bot.username}")

    driver = Driver(DriverOptions(url="http://127.0.0.1:9", judge_every=0), write=[].append)
    driver._guarded(refused, bot)
    assert driver.counters.snapshot()["error: token refused"] == 1
    assert BotProfile.objects.get(user_id=bot.user_id).api_token == ""


@pytest.mark.django_db(transaction=True)
def test_the_driver_stops_cleanly_when_told(live_server, small_world):
    out = []
    driver = Driver(
        DriverOptions(url=live_server.url, speedup=1000, concurrency=2, signups_per_day=0,
                      judge_every=0),
        write=out.append,
    )  # fmt: skip
    runner = threading.Thread(target=driver.run)
    runner.start()
    time.sleep(3)
    driver.stop()  # what Ctrl-C and SIGTERM do
    runner.join(timeout=30)
    assert not runner.is_alive()
    assert out[-1].startswith("Done after")


def test_the_driver_stops_at_a_site_that_knows_none_of_its_bots(server, small_world):
    """Another server on that port (or another database): stop before locking anyone out.
    (There the bots' kept tokens are refused, and they sign in.)"""
    BotProfile.objects.update(api_token="")
    Scripted.script = [(200, {}, {"ok": True})] + [(400, {}, {"detail": "No."})] * 50
    driver = Driver(
        DriverOptions(url=f"http://127.0.0.1:{server.server_port}", speedup=100_000,
                      concurrency=1, signups_per_day=0, judge_every=0),
        write=lambda line: None,
    )  # fmt: skip
    with pytest.raises(WrongSite, match="refuses every bot's login"):
        driver.run()
    assert driver.counters.snapshot()["error: login refused"] < 10


@pytest.mark.django_db
def test_run_bots_explains_what_is_missing(live_server, monkeypatch):
    monkeypatch.setattr(client_module, "BACKOFF", (0.01,))
    with pytest.raises(CommandError, match="seed_world"):
        call_command("run_bots", "--url", live_server.url, "--duration", "1", stdout=StringIO())
    with pytest.raises(CommandError, match="does not answer"):
        call_command("run_bots", "--url", f"http://127.0.0.1:{free_port()}", stdout=StringIO())
