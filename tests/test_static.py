"""Static files: versioned vendored names, caching, pre-compressed copies, the JavaScript budget."""

import gzip
import os
import re
import shutil
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

STATIC = Path(__file__).resolve().parent.parent / "app" / "static"
HTMX = "/static/vendor/htmx-2.0.11.min.js"
# The JavaScript every page loads, gzipped at level 9, stays within this (README, "Static files").
JS_BUDGET = 60 * 1024


def _static_urls(html: str) -> list[str]:
    return re.findall(r'(?:src|href)="(/static/[^"]+)"', html)


def _base_pages(client: FlaskClient, auth) -> list[str]:
    """The sign-in page and a signed-in page: base.html outside and inside an account."""
    pages = [client.get("/auth/login").get_data(as_text=True)]
    auth.login("secretary")
    pages.append(client.get("/").get_data(as_text=True))
    return pages


@pytest.fixture
def gz_static(app: Flask, tmp_path: Path) -> Path:
    """A copy of app/static with a gzip copy beside each file, as `make static-gz` leaves it."""
    folder = tmp_path / "static"
    shutil.copytree(STATIC, folder, ignore=shutil.ignore_patterns("*.gz", "*.gz.tmp"))
    for path in [p for p in folder.rglob("*") if p.suffix in {".js", ".css", ".svg"}]:
        path.with_name(path.name + ".gz").write_bytes(gzip.compress(path.read_bytes(), 9))
    app.static_folder = str(folder)
    return folder


def test_every_vendored_file_carries_its_version_in_its_name():
    names = sorted(p.name for p in (STATIC / "vendor").iterdir() if not p.name.endswith(".gz"))
    assert names, "nothing vendored"
    for name in names:
        assert re.search(r"-\d+\.\d+\.\d+", name), name


def test_vendored_file_is_cached_for_a_year_as_immutable(client):
    response = client.get(HTMX)
    assert response.status_code == 200
    cache = response.cache_control
    assert cache.public and cache.immutable
    assert cache.max_age == 31536000
    assert not cache.no_cache


def test_app_file_is_revalidated_with_an_etag(client):
    response = client.get("/static/app.js")
    assert response.status_code == 200
    assert response.cache_control.no_cache
    assert response.cache_control.max_age is None
    assert not response.cache_control.immutable
    assert response.headers["ETag"]


def test_signed_in_user_gets_the_same_static_caching(client, auth, world):
    auth.login("secretary")
    assert client.get(HTMX).cache_control.immutable
    assert not client.get("/static/app.css").cache_control.no_store


@pytest.mark.parametrize("url", ["/static/app.js", "/static/app.css", HTMX])
def test_conditional_get_with_the_etag_answers_304(client, url):
    first = client.get(url)
    etag = first.headers["ETag"]
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.get_data() == b""
    assert again.headers["Cache-Control"] == first.headers["Cache-Control"]


def test_plain_file_when_gzip_is_not_accepted(client, gz_static):
    for accept in (None, "identity", "br", "gzip;q=0"):
        headers = {"Accept-Encoding": accept} if accept else {}
        response = client.get("/static/app.js", headers=headers)
        assert response.status_code == 200
        assert "Content-Encoding" not in response.headers, accept
        assert response.get_data() == (gz_static / "app.js").read_bytes()
        assert "Accept-Encoding" in response.vary


@pytest.mark.parametrize("name", ["app.js", "app.css", "vendor/htmx-2.0.11.min.js"])
def test_gzip_copy_when_accepted_decompresses_to_the_same_bytes(client, gz_static, name):
    plain = client.get(f"/static/{name}")
    response = client.get(f"/static/{name}", headers={"Accept-Encoding": "gzip, deflate, br"})
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response.vary
    assert response.mimetype == plain.mimetype
    assert response.headers["Content-Disposition"] == plain.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == plain.headers["Cache-Control"]
    body = response.get_data()
    assert len(body) < len(plain.get_data())
    assert gzip.decompress(body) == (gz_static / name).read_bytes()
    # The two representations differ, so their validators do.
    assert response.headers["ETag"] != plain.headers["ETag"]


def test_gzip_copy_answers_a_conditional_get(client, gz_static):
    accept = {"Accept-Encoding": "gzip"}
    etag = client.get("/static/app.css", headers=accept).headers["ETag"]
    again = client.get("/static/app.css", headers={**accept, "If-None-Match": etag})
    assert again.status_code == 304
    assert again.headers["ETag"] == etag
    assert "Accept-Encoding" in again.vary


def test_a_gzip_copy_older_than_its_source_is_not_served(client, gz_static):
    source = gz_static / "app.js"
    copy = gz_static / "app.js.gz"
    copy.write_bytes(gzip.compress(b"stale();", 9))
    stamp = source.stat().st_mtime
    os.utime(copy, (stamp - 60, stamp - 60))
    response = client.get("/static/app.js", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in response.headers
    assert response.get_data() == source.read_bytes()


def test_missing_and_escaping_paths_are_404(client):
    assert client.get("/static/vendor/htmx-1.0.0.min.js").status_code == 404
    assert client.get("/static/..%2Fconfig.py").status_code == 404
    assert client.get("/static/vendor").status_code == 404


def test_every_static_url_of_the_base_page_resolves(client, auth, world):
    urls = {url for page in _base_pages(client, auth) for url in _static_urls(page)}
    assert {"/static/app.js", "/static/app.css", HTMX} <= urls
    for url in sorted(urls):
        assert client.get(url).status_code == 200, url


def test_javascript_shipped_gzipped_stays_within_the_budget(client, auth, world):
    scripts = {
        src
        for page in _base_pages(client, auth)
        for src in re.findall(r'<script[^>]*\ssrc="(/static/[^"]+)"', page)
    }
    assert len(scripts) >= 3, scripts
    total = 0
    for src in scripts:
        path = STATIC / src.removeprefix("/static/")
        total += len(gzip.compress(path.read_bytes(), 9))
    assert total < JS_BUDGET, f"{total} bytes of JavaScript gzipped"
