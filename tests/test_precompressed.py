"""Framework code is sent brotli-compressed at its smallest once the copy is made, gzip until
then or to browsers without brotli, and the copy is kept on disk for the next worker."""

from __future__ import annotations

import brotli
import pytest

from dashboard.app import create_app
from dashboard.config import DEMO_PACK, Settings

PLOTLY = "/_dash-component-suites/plotly/package_data/plotly.min.js"
BROWSER = {"Accept-Encoding": "gzip, deflate, br, zstd"}


def _app(tmp_path):
    return create_app(settings=Settings(pack=DEMO_PACK, pack_store=tmp_path / "store",
                                        cache_dir=tmp_path / "cache"))


@pytest.mark.slow
def test_framework_code_is_sent_at_its_smallest_once_compressed(tmp_path):
    app = _app(tmp_path)
    client = app.server.test_client()
    raw = client.get(PLOTLY, headers={"Accept-Encoding": "identity"}).get_data()
    gzipped = client.get(PLOTLY, headers={"Accept-Encoding": "gzip"})
    assert gzipped.headers["Content-Encoding"] == "gzip"
    client.get(PLOTLY, headers=BROWSER)  # asks for the copy
    app.server.config["PRECOMPRESSED"].wait()
    best = client.get(PLOTLY, headers=BROWSER)
    assert best.headers["Content-Encoding"] == "br" and "Accept-Encoding" in best.headers["Vary"]
    assert brotli.decompress(best.get_data()) == raw
    assert len(best.get_data()) < 0.8 * len(gzipped.get_data())
    assert list((tmp_path / "cache" / "brotli").glob("*.br"))

    # Another worker (a new app on the same cache) sends the kept copy at once.
    again = _app(tmp_path).server.test_client().get(PLOTLY, headers=BROWSER)
    assert again.get_data() == best.get_data()


def test_pages_are_left_to_the_usual_compression(tmp_path):
    app = _app(tmp_path)
    page = app.server.test_client().get("/", headers=BROWSER)
    assert page.status_code == 200
    app.server.config["PRECOMPRESSED"].wait()
    assert not list((tmp_path / "cache").glob("brotli/*.br"))  # no copy made of a page


@pytest.mark.slow
def test_map_shapes_are_sent_at_their_smallest_once_compressed(tmp_path):
    from dashboard.web import reference
    from dashboard.web.common.shapes import display_geometry

    app = _app(tmp_path)
    client = app.server.test_client()
    shapes = f"/_geometry/{display_geometry(reference.geography(app.server)).digest}.geojson"
    usual = client.get(shapes, headers=BROWSER)  # the usual compression; asks for the copy
    app.server.config["PRECOMPRESSED"].wait()
    best = client.get(shapes, headers=BROWSER)
    raw = client.get(shapes, headers={"Accept-Encoding": "identity"}).get_data()
    assert best.headers["Content-Encoding"] == "br"
    assert brotli.decompress(best.get_data()) == raw
    assert len(best.get_data()) < 0.9 * len(usual.get_data())
