"""Static assets as ``teamquota serve`` serves them (collected at start): pages name hashed
files, which come brotli- or gzip-compressed and cacheable for years. plotly.min.js is
4.8 MB as it is."""

from __future__ import annotations

import gzip
import re

import brotli
import pytest
from django.test import Client, override_settings

from teamquota.cli.web import collect_static

YEAR = 365 * 24 * 3600


@pytest.fixture(scope="module")
def collected_once(tmp_path_factory):  # noqa: ANN001, ANN201
    # once per module: brotli at its best level takes a while on plotly's 4.8 MB
    root = tmp_path_factory.mktemp("assets") / "static"
    with override_settings(STATIC_ROOT=root):
        collect_static()
    return root


@pytest.fixture
def collected(settings, collected_once):  # noqa: ANN001, ANN201
    settings.STATIC_ROOT = collected_once  # resets the static storage (its manifest)
    return collected_once


def _max_age(response) -> int:  # noqa: ANN001
    return int(re.search(r"max-age=(\d+)", response["Cache-Control"]).group(1))


def test_it_serves_plotly_gzipped_under_a_hashed_name_cached_for_a_year(collected, world):  # noqa: ANN001, E501
    client = Client()  # a new client: WhiteNoise reads the collected files when it starts
    client.force_login(world.rita)
    page = client.get("/teams/north/").content.decode()
    url = re.search(r'<script src="(/static/comp/plotly\.min\.[0-9a-f]{12}\.js)">', page)
    assert url, "the chart page names plotly.min.js by a hashed name"
    response = client.get(url.group(1), HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert response.status_code == 200
    assert response["Content-Encoding"] in ("gzip", "br")
    body = b"".join(response.streaming_content)
    assert len(body) < 1_600_000  # 4,815,814 bytes uncompressed (plotly 7.1)
    if response["Content-Encoding"] == "gzip":
        assert b"plotly" in gzip.decompress(body)[:2000].lower()
    assert _max_age(response) >= YEAR and "immutable" in response["Cache-Control"]
    assert "Accept-Encoding" in response["Vary"]


def test_it_names_every_asset_of_a_page_by_its_hash(collected, world):  # noqa: ANN001
    client = Client()
    client.force_login(world.rita)
    page = client.get("/teams/north/").content.decode()
    assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', page)
    assert {a.rsplit("/", 1)[1].split(".")[0] for a in assets} >= {
        "app", "charts", "plotly", "htmx-2"}
    for asset in assets:
        assert re.search(r"\.[0-9a-f]{12}\.(js|css)$", asset), asset
        response = client.get(asset, HTTP_ACCEPT_ENCODING="gzip")
        assert response.status_code == 200, asset
        assert _max_age(response) >= YEAR, asset


def test_it_still_serves_assets_by_their_plain_names_before_they_are_collected(world):  # noqa: ANN001, E501
    client = Client()  # tests and a fresh checkout: nothing collected, the finders serve
    client.force_login(world.rita)
    page = client.get("/teams/north/").content.decode()
    assert '<script src="/static/comp/plotly.min.js">' in page
    assert client.get("/static/comp/plotly.min.js").status_code == 200


def test_it_serves_plotly_as_brotli_to_a_browser_that_accepts_it(collected, world):  # noqa: ANN001, E501
    hashed = sorted(collected.glob("comp/plotly.min.*.js"))
    assert [p.name for p in hashed if re.fullmatch(r"plotly\.min\.[0-9a-f]{12}\.js", p.name)]
    plain = next(p for p in hashed if re.fullmatch(r"plotly\.min\.[0-9a-f]{12}\.js", p.name))
    br = plain.with_name(plain.name + ".br")
    assert br.exists(), "collectstatic writes a brotli copy beside the hashed file"
    # brotli beats gzip on plotly 7.1: 4,815,814 bytes -> 1,110,953 (.br, 23%) and
    # 1,468,879 (.gz, 31%)
    assert br.stat().st_size < plain.with_name(plain.name + ".gz").stat().st_size
    assert br.stat().st_size < 1_200_000
    client = Client()
    client.force_login(world.rita)
    response = client.get(f"/static/comp/{plain.name}", HTTP_ACCEPT_ENCODING="gzip, br")
    assert response.status_code == 200
    assert response["Content-Encoding"] == "br"
    body = b"".join(response.streaming_content)
    assert len(body) == br.stat().st_size
    assert brotli.decompress(body) == plain.read_bytes()
    # a client that does not accept brotli gets gzip, one that accepts nothing the file
    assert client.get(f"/static/comp/{plain.name}",
                      HTTP_ACCEPT_ENCODING="gzip")["Content-Encoding"] == "gzip"
    assert "Content-Encoding" not in client.get(f"/static/comp/{plain.name}")
