"""Load for the drills: anonymous readers and signed-in writers, every answer recorded.

* **Readers** (anonymous) go round the place's public pages on every app server in turn.
* **Writers** are signed-in members who log stories in a cycle, each with a unique marker in
  its words. A story whose form was answered with the redirect to the cycle (the person was
  told "Your story is in the timeline") is an **acknowledged write**: the drill checks that
  every one of them is in the database afterwards.
* The **steward** invites people on request (:meth:`Load.invite`), from the drill's own thread.

A person who is signed out by a failure signs in again; a request that cannot connect is
recorded with status 0.
"""

from __future__ import annotations

import itertools
import re
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import requests

FRIENDLY_503 = "not available right now"
# A writer logs a story every 1.2 s: 50 a minute, under the site's write limit (60 a minute a
# person, RATE_LIMIT_WRITES), so a 429 in the figures would mean something is wrong.
WRITE_INTERVAL = 1.2
STACK_TRACE = re.compile(r"Traceback \(most recent call last\)|File \"/|django\.db\.utils\.")
TIMEOUT = 15


@dataclass(frozen=True)
class Outcome:
    at: float  # time.monotonic() when the answer came
    server: str
    kind: str  # read, write, invite, check
    path: str
    status: int  # 0: no answer (connection refused, timeout)
    seconds: float
    friendly: bool = True  # False: an error page that is not the friendly one, or a trace


@dataclass(frozen=True)
class Write:
    at: float
    server: str
    marker: str


def judge(response: requests.Response) -> bool:
    """An answer a person could be shown: anything but an error page with a stack trace, and
    a 503 must be the friendly page (with Retry-After)."""
    body = response.text if response.status_code >= 400 else ""
    if STACK_TRACE.search(body):
        return False
    if response.status_code == 503:
        return FRIENDLY_503 in body and "Retry-After" in response.headers
    return response.status_code < 500


_addresses = itertools.count(1)


def own_address() -> str:
    """A private address no other simulated person has (the stack trusts one proxy hop)."""
    n = next(_addresses)
    return f"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"


class Person:
    """A requests session that signs in with the world's password when it needs to, from an
    address of its own (X-Forwarded-For, as a reverse proxy would add)."""

    def __init__(self, email: str | None, password: str) -> None:
        self.email = email
        self.password = password
        self.session = requests.Session()
        self.session.headers["X-Forwarded-For"] = own_address()
        self.signed_in = False

    def csrf(self) -> str:
        return str(self.session.cookies.get("csrftoken", ""))

    def sign_in(self, base: str) -> bool:
        if self.email is None:
            return True
        try:
            self.session.get(f"{base}/accounts/login/", timeout=TIMEOUT)
            answer = self.session.post(
                f"{base}/accounts/login/",
                data={
                    "login": self.email,
                    "password": self.password,
                    "csrfmiddlewaretoken": self.csrf(),
                },
                headers={"Referer": f"{base}/accounts/login/"},
                allow_redirects=False,
                timeout=TIMEOUT,
            )
        except requests.RequestException:
            return False
        self.signed_in = answer.status_code == 302 and "sessionid" in self.session.cookies
        return self.signed_in


@dataclass
class Load:
    servers: list[str]
    world: dict[str, Any]
    readers: int = 4
    writers: int = 2
    pause: float = 0.05
    label: str = "drill"
    outcomes: list[Outcome] = field(default_factory=list)
    writes: list[Write] = field(default_factory=list)
    invitations: list[str] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _threads: list[threading.Thread] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _steward: Person | None = None

    # --- pages

    def read_paths(self) -> list[str]:
        slug = self.world["place"]["slug"]
        cycle = self.world["writing_cycle"]
        return [
            "/",
            f"/places/{slug}/",
            f"/places/{slug}/cycles/",
            f"/places/{slug}/cycles/{cycle}/",
            f"/places/{slug}/members/",
            f"/places/{slug}/gatherings/",
            f"/places/{slug}/decisions/",
            "/learning/",
            f"/api/v1/places/{slug}",
        ]

    def record(self, outcome: Outcome) -> None:
        with self._lock:
            self.outcomes.append(outcome)

    def request(
        self, person: Person, method: str, base: str, path: str, kind: str, **kwargs: Any
    ) -> requests.Response | None:
        started = time.monotonic()
        try:
            response = person.session.request(
                method, f"{base}{path}", timeout=TIMEOUT, allow_redirects=False, **kwargs
            )
        except requests.RequestException:
            self.record(Outcome(time.monotonic(), base, kind, path, 0, time.monotonic() - started))
            return None
        self.record(
            Outcome(
                time.monotonic(),
                base,
                kind,
                path,
                response.status_code,
                time.monotonic() - started,
                judge(response),
            )
        )
        return response

    # --- the people

    def reader(self, number: int) -> None:
        person = Person(None, "")
        paths = itertools.cycle(self.read_paths()[number % 3 :] + self.read_paths()[: number % 3])
        servers = itertools.cycle(self.servers[number % len(self.servers) :] + self.servers)
        while not self._stop.is_set():
            person.session.cookies.clear()  # stays anonymous: no session, no CSRF cookie
            self.request(person, "GET", next(servers), next(paths), "read")
            self._stop.wait(self.pause)

    def writer(self, number: int) -> None:
        emails = self.world["writers"]
        person = Person(emails[number % len(emails)], self.world["password"])
        slug, cycle = self.world["place"]["slug"], self.world["writing_cycle"]
        path = f"/places/{slug}/cycles/{cycle}/entries/new/"
        servers = itertools.cycle(self.servers)
        for n in itertools.count():
            if self._stop.is_set():
                return
            base = next(servers)
            if not person.signed_in and not person.sign_in(base):
                self._stop.wait(0.5)
                continue
            marker = f"{self.label}-w{number}-{n}"
            response = self.request(
                person,
                "POST",
                base,
                path,
                "write",
                data={
                    "kind": "story",
                    "body": f"Still here: {marker}",
                    "visibility": "public",
                    "csrfmiddlewaretoken": person.csrf(),
                },
                headers={"Referer": f"{base}{path}"},
            )
            if response is not None and response.status_code == 302:
                if response.headers.get("Location", "").endswith(f"/cycles/{cycle}/"):
                    with self._lock:
                        self.writes.append(Write(time.monotonic(), base, marker))
                else:  # sent to the sign-in page: the session is gone, sign in again
                    person.signed_in = False
            elif response is not None and response.status_code == 403:
                person.signed_in = False  # a CSRF failure after a new session: start again
            self._stop.wait(WRITE_INTERVAL)

    def invite(self, email: str, server: int = 0) -> bool:
        """The steward invites ``email`` through the web; True if told it is on its way."""
        base = self.servers[server % len(self.servers)]
        if self._steward is None:
            self._steward = Person(self.world["steward"], self.world["password"])
        steward = self._steward
        if not steward.signed_in and not steward.sign_in(base):
            return False
        path = f"/places/{self.world['place']['slug']}/invite/"
        response = self.request(
            steward,
            "POST",
            base,
            path,
            "invite",
            data={"email": email, "role": "member", "csrfmiddlewaretoken": steward.csrf()},
            headers={"Referer": f"{base}{path}"},
        )
        told = (
            response is not None
            and response.status_code == 302
            and response.headers.get("Location", "").endswith(path)
        )
        if told:
            with self._lock:
                self.invitations.append(email)
        elif response is not None and response.status_code in (302, 403):
            steward.signed_in = False
        return told

    # --- running

    def start(self) -> Load:
        for i in range(self.readers):
            self._threads.append(threading.Thread(target=self.reader, args=(i,), daemon=True))
        for i in range(self.writers):
            self._threads.append(threading.Thread(target=self.writer, args=(i,), daemon=True))
        for thread in self._threads:
            thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=TIMEOUT + 5)

    # --- figures

    def between(self, start: float, end: float) -> list[Outcome]:
        with self._lock:
            return [o for o in self.outcomes if start <= o.at < end]

    @staticmethod
    def summary(outcomes: list[Outcome]) -> dict[str, Any]:
        statuses = Counter(str(o.status) for o in outcomes)
        return {
            "requests": len(outcomes),
            "errors": sum(1 for o in outcomes if not 200 <= o.status < 400),
            "statuses": dict(sorted(statuses.items())),
            "unfriendly": sum(1 for o in outcomes if not o.friendly),
        }
