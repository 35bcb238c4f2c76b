"""In-process timing: signed-in clients on each district, the pages run interleaved."""

import statistics
import time
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from app import create_app
from app.auth.models import Role, User
from app.extensions import db
from app.reports import kept
from bench.clients import counting, signed_in
from bench.pages import Page, Targets, entries, resolve


def bench_app(url: str) -> Flask:
    return create_app({"SQLALCHEMY_DATABASE_URI": url, "DATABASE_URL": url, "SECRET_KEY": "bench"})


def synth_logins() -> dict[str, str]:
    """The sign-ins synth printed: admin, the first branch's secretary, the first member."""
    member = sa.select(User.username).where(User.role == Role.MEMBER).order_by(User.id)
    return {
        "admin": "admin",
        "secretary": "secretary-b001",
        "member": db.session.scalar(member.limit(1)),
    }


@dataclass
class Site:
    """One district's app, its signed-in clients and the targets of each role."""

    app: Flask
    logins: dict[str, str] = field(default_factory=dict)
    clients: dict[str, FlaskClient] = field(default_factory=dict)
    targets: dict[str, Targets] = field(default_factory=dict)

    @classmethod
    def open(cls, app: Flask, roles: tuple[str, ...]) -> "Site":
        site = cls(app)
        with app.app_context():
            site.logins = synth_logins()
            site.targets = {role: resolve(role, site.logins) for role in roles}
        site.clients = {role: signed_in(app, site.logins[role]) for role in roles}
        return site

    def url(self, page: Page, role: str) -> str:
        return self.targets[role].url(page)


@dataclass
class Sample:
    """One (page, role) on one district: its statements, timings, bytes and status."""

    url: str
    statements: int = 0
    status: int = 0
    size: int = 0
    body: bytes = b""
    ms: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.ms)


def _prepare(site: Site, page: Page) -> None:
    """What a page needs before each request: for a ``computed`` one, no kept figures."""
    if page.computed:
        with site.app.app_context():
            kept.forget()


def first_get(site: Site, page: Page, role: str) -> Sample:
    """A warm-up GET, then one that records the statements, bytes and status (a cache filled on
    first use is not what every request costs)."""
    sample = Sample(site.url(page, role))
    site.clients[role].get(sample.url, headers=page.headers)
    _prepare(site, page)
    with counting(site.app) as seen:
        answer = site.clients[role].get(sample.url, headers=page.headers)
    sample.statements, sample.status = seen.count, answer.status_code
    sample.body = answer.get_data()
    sample.size = len(sample.body)
    return sample


def timed_get(site: Site, page: Page, role: str, sample: Sample) -> None:
    client = site.clients[role]
    _prepare(site, page)
    started = time.perf_counter()
    client.get(sample.url, headers=page.headers)
    sample.ms.append((time.perf_counter() - started) * 1000)


def measure(sites: dict[str, Site], runs: int) -> dict[tuple[Page, str], dict[str, Sample]]:
    """Every (page, role) on every site: ``runs`` rounds, each going through all pages and, for
    each page, all sites in turn, so drift in the machine's load spreads over both sizes."""
    samples = {
        (page, role): {name: first_get(site, page, role) for name, site in sites.items()}
        for page, role in entries()
    }
    for _ in range(runs):
        for (page, role), by_site in samples.items():
            for name, site in sites.items():
                timed_get(site, page, role, by_site[name])
    return samples
