"""Locust users for the soak test (bench/bench_soak.py starts Locust with this file).

Each user is one seeded person, signed in with a token from SOAK_TOKENS, doing the bots' mix
over the HTTP API: read the home feed and scroll, report impressions and dwell, like, share,
comment, follow, post, search, and now and then a newcomer signs up. Every write the site
acknowledges is appended to the ledger (SOAK_LEDGER, one JSON object per line), so the soak
can count them in the database afterwards; answers of 400 and above are failures in Locust's
figures (the soak tells 5xx apart), except 429: a rate limit doing its job.
"""

import itertools
import json
import os
import random
import threading
from pathlib import Path

from locust import HttpUser, between, events, task

TOKENS = json.loads(Path(os.environ["SOAK_TOKENS"]).read_text())
_ledger = open(os.environ["SOAK_LEDGER"], "a", buffering=1)  # noqa: SIM115 (closed on quit)
_ledger_lock = threading.Lock()
_people = itertools.cycle(TOKENS)
_keys = itertools.count()
WORDS = "morning trail coffee chess match garden recipe river photo jazz code".split()  # noqa: SIM905


def acknowledge(kind: str, **fields) -> None:
    with _ledger_lock:
        _ledger.write(json.dumps({"kind": kind, **fields}) + "\n")


@events.quitting.add_listener
def _close_ledger(environment, **_):
    _ledger.close()


class Person(HttpUser):
    wait_time = between(0.2, 1.5)

    def on_start(self):
        person = next(_people)
        self.username = person["username"]
        self.client.headers["Authorization"] = f"Bearer {person['token']}"
        self.page: list[dict] = []
        self.next_page: str | None = None

    def _call(self, method: str, path: str, *, name: str | None = None, **kwargs):
        with self.client.request(
            method, path, name=name or path, catch_response=True, **kwargs
        ) as response:
            if response.status_code < 400 or response.status_code == 429:
                response.success()  # a rate limit doing its job is not an error
            else:
                response.failure(f"{response.status_code}: {response.text[:120]}")
            return response

    def _post_from_page(self) -> dict | None:
        if not self.page:
            self.read_home()
        return random.choice(self.page) if self.page else None

    @task(10)
    def read_home(self):
        path = self.next_page if self.next_page and random.random() < 0.6 else None
        response = self._call(
            "GET", path or "/api/timeline/home/", name="/api/timeline/home/ [page]"
        )
        if response.status_code != 200:
            return
        body = response.json()
        self.page = body.get("results") or []
        self.next_page = body.get("next")
        batch = []
        for position, post in enumerate(self.page):
            where = {"post": post["id"], "surface": "home", "position": position}
            if post.get("serve"):
                where["serve"] = post["serve"]
            batch.append({"kind": "impression", "key": f"soak-{next(_keys)}", **where})
            if random.random() < 0.3:
                dwell = random.randint(800, 9000)
                batch.append(
                    {"kind": "dwell", "key": f"soak-{next(_keys)}", "dwell_ms": dwell, **where}
                )
        if batch:
            self._call("POST", "/api/events/", json={"events": batch})

    @task(3)
    def like(self):
        post = self._post_from_page()
        if post and not post.get("viewer_liked"):
            response = self._call("POST", f"/api/posts/{post['id']}/like/", name="like")
            if response.status_code in (200, 201):
                post["viewer_liked"] = True
                acknowledge("like", username=self.username, post=post["id"])

    @task(1)
    def share(self):
        post = self._post_from_page()
        if post and not post.get("viewer_shared"):
            response = self._call("POST", f"/api/posts/{post['id']}/share/", name="share", json={})
            if response.status_code in (200, 201):
                post["viewer_shared"] = True
                acknowledge("share", username=self.username, post=post["id"])

    @task(1)
    def comment(self):
        post = self._post_from_page()
        if post:
            text = " ".join(random.sample(WORDS, 4))
            response = self._call(
                "POST", f"/api/posts/{post['id']}/comments/", name="comment", json={"text": text}
            )
            if response.status_code == 201:
                acknowledge("comment", id=response.json()["id"])

    @task(1)
    def follow(self):
        post = self._post_from_page()
        author = post and (post.get("author") or {}).get("username")
        if author and author != self.username:
            response = self._call("POST", f"/api/users/{author}/follow/", name="follow")
            if response.status_code in (200, 201):
                acknowledge("follow", username=self.username, followee=author)

    @task(1)
    def write_post(self):
        text = " ".join(random.sample(WORDS, 6)) + f" #{random.choice(WORDS)}"
        response = self._call("POST", "/api/posts/", json={"text": text})
        if response.status_code == 201:
            acknowledge("post", id=response.json()["id"])

    @task(1)
    def search(self):
        self._call("GET", "/api/search/posts/", params={"q": random.choice(WORDS)})

    @task(1)
    def sign_up(self):
        if random.random() > 0.2:  # about one sign-up per 50 actions
            return
        username = f"soak{random.randrange(10**9):09d}"
        body = {"username": username, "password": "Soak-password-41", "interests": []}
        response = self._call(  # as a newcomer: without this person's token
            "POST", "/api/auth/signup/", name="signup", json=body, headers={"Authorization": None}
        )
        if response.status_code == 201:
            acknowledge("signup", username=username)
