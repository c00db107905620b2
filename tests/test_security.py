"""Security of a deployed dashboard: headers, debug off, sign-in, paths, upload limits, settings."""

from __future__ import annotations

import base64
import hashlib
import json
import re

import pytest
from werkzeug.security import generate_password_hash

from conftest import DEMO
from dashboard.app import create_app
from dashboard.config import ConfigError, Settings
from dashboard.web.common import scenarios
from dashboard.web.cookies import COOKIE


def make(tmp_path, **settings):
    return create_app(settings=Settings(pack=DEMO, pack_store=tmp_path / "packs",
                                        cache_dir=None, **settings)).server.test_client()


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    return make(tmp_path_factory.mktemp("sec"))


def _inline_scripts(html: str) -> list[str]:
    """Bodies of the page's inline scripts the browser would run (not JSON data blocks, nor
    Dash's old-IE warning inside an HTML comment)."""
    html = re.sub(r"<!--.*?-->", "", html, flags=re.S)
    return [body for attrs, body in re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
            if "src=" not in attrs and "application/json" not in attrs]


def test_every_response_has_the_security_headers_and_the_policy_allows_only_own_scripts(client):
    page = client.get("/")
    policy = page.headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"
    script = directives["script-src"].split()
    assert "'unsafe-inline'" not in script and "'unsafe-eval'" not in script
    # Every inline script Dash writes into the page is allowed by its hash, and only those.
    hashes = {"'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() + "'"
              for body in _inline_scripts(page.get_data(as_text=True))}
    assert hashes and hashes <= set(script)
    for response in (page, client.get("/_dash-layout"), client.get("/healthz"),
                     client.get("/_style/blank.json"), client.get("/assets/tables.js")):
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"
        assert response.headers["X-Frame-Options"] == "DENY"
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    # What is not a document (scripts, data) carries the policy that lets nothing run, without
    # the page's script hashes, which would only add bytes to every response.
    for response in (client.get("/_dash-layout"), client.get("/assets/tables.js")):
        assert response.headers["Content-Security-Policy"] == \
            "default-src 'none'; frame-ancestors 'none'"
    assert client.get("/map").headers["Content-Security-Policy"] == policy


def test_the_streets_basemap_adds_only_its_own_tile_host(tmp_path):
    policy = make(tmp_path).get("/").headers["Content-Security-Policy"]
    assert "connect-src 'self' https://*.cartocdn.com" in policy
    custom = make(tmp_path, street_style="https://tiles.council.example/style.json")
    assert "https://tiles.council.example" in custom.get("/").headers["Content-Security-Policy"]


def test_debug_tools_are_off_unless_asked_for(client, tmp_path):
    config = re.search(r'<script id="_dash-config" type="application/json">(.*?)</script>',
                       client.get("/").get_data(as_text=True), re.S).group(1)
    assert json.loads(config)["ui"] is False and json.loads(config)["props_check"] is False
    assert client.get("/_reload-hash").status_code == 404
    bad = client.post("/_dash-update-component", data=b"{not json",
                      content_type="application/json")
    assert bad.status_code == 400 and b"Traceback" not in bad.data
    debug = make(tmp_path, debug=True)
    assert '"ui":true' in debug.get("/").get_data(as_text=True).replace(" ", "")


def test_basic_sign_in_guards_every_path_but_the_health_check(tmp_path):
    signed = make(tmp_path, auth_user="planner",
                  auth_password_hash=generate_password_hash("correct horse battery"))

    def auth(user, password):
        token = base64.b64encode(f"{user}:{password}".encode()).decode()
        return {"Authorization": f"Basic {token}"}

    refused = signed.get("/")
    assert refused.status_code == 401 and "Basic" in refused.headers["WWW-Authenticate"]
    assert signed.get("/", headers=auth("planner", "wrong")).status_code == 401
    assert signed.get("/", headers=auth("someone", "correct horse battery")).status_code == 401
    assert signed.post("/_dash-update-component", json={}).status_code == 401
    assert signed.get("/_dash-layout", headers=auth("planner", "correct horse battery")
                      ).status_code == 200
    assert signed.get("/healthz").json["status"] == "ok"


@pytest.mark.parametrize("env, message", [
    ({"DASHBOARD_AUTH_USER": "planner"}, "needs both DASHBOARD_AUTH_USER and"),
    ({"DASHBOARD_AUTH_USER": "p", "DASHBOARD_AUTH_PASSWORD_HASH": "hunter2"},
     "must be a hash from `python -m dashboard password`"),
    ({"DASHBOARD_DEBUG": "maybe"}, "DASHBOARD_DEBUG='maybe': use 1 or 0"),
    ({"DASHBOARD_UPLOAD_MB": "-3"}, "DASHBOARD_UPLOAD_MB='-3': give a number from"),
    ({"DASHBOARD_PROXY_HOPS": "nan"}, "DASHBOARD_PROXY_HOPS='nan'"),
    ({"DASHBOARD_PUBLIC_URL": "places.example.gov.uk"}, "DASHBOARD_PUBLIC_URL='places.exa"),
    ({"DASHBOARD_PUBLIC_URL": "https://u:p@x.example"}, "give the address people use"),
    ({"DASHBOARD_ALLOWED_HOSTS": "ok.example, bad host"}, "'bad host' is not a host name"),
])
def test_bad_settings_name_the_variable(env, message):
    with pytest.raises(ConfigError, match=re.escape(message)):
        Settings.from_env(env)


def test_settings_come_from_the_environment(tmp_path):
    s = Settings.from_env({"DASHBOARD_PACK": str(tmp_path), "DASHBOARD_UPLOAD_MB": "5",
                           "DASHBOARD_CACHE_DIR": "off", "DASHBOARD_DEBUG": "1",
                           "DASHBOARD_SCENARIO_DB": "postgresql+psycopg://u@h/db",
                           "DASHBOARD_STREET_STYLE": "open-street-map"})
    assert (s.pack, s.upload_bytes, s.cache_dir, s.debug) == (tmp_path, 5 * 2**20, None, True)
    assert s.scenario_db == "postgresql+psycopg://u@h/db" and s.street_style == "open-street-map"
    assert Settings.from_env({}) == Settings()  # defaults: demo pack, debug off, no sign-in
    assert Settings().debug is False and Settings().auth_user is None


@pytest.mark.parametrize("path", [
    "/_pack/..%2f..%2fetc", "/_pack/../../pyproject.toml", "/_geometry/..%2f..%2fpyproject.toml.geojson",
    "/assets/../pyproject.toml", "/assets/%2e%2e/pyproject.toml",
    "/_dash-component-suites/dash/../../../pyproject.toml",
    "/_dash-component-suites/dash/dcc/..%2f..%2f..%2fpyproject.toml",
    "/_glyphs/..%2f..%2fpyproject.toml/0-255.pbf", "/redraw?scenario=..%2f..%2fpyproject.toml",
])
def test_no_client_path_reaches_the_file_system(client, path):
    response = client.get(path)
    assert b"place-alignment-dashboard" not in response.data  # pyproject.toml's content
    assert response.status_code in (200, 404)  # 200: the app's own page-not-found page


def test_a_pack_cookie_that_is_a_path_serves_the_default_pack(client):
    client.set_cookie(COOKIE, "../../../etc")
    assert "Brackmoor" in client.get("/_dash-layout").get_data(as_text=True)
    client.delete_cookie(COOKIE)


def test_the_server_refuses_an_upload_over_the_limit(tmp_path):
    small = make(tmp_path, upload_mb=0.001)  # 1 kB per file: about 16 kB per request
    too_big = {"output": "x", "outputs": {}, "inputs": [{"value": "a" * 40_000}],
               "changedPropIds": []}
    assert small.post("/_dash-update-component", json=too_big).status_code == 413


def test_behind_a_proxy_links_use_the_public_address(tmp_path):
    proxied = make(tmp_path, proxy_hops=1, allowed_hosts=("maps.council.example",))
    style = proxied.get("/_style/blank.json", headers={
        "X-Forwarded-Proto": "https", "X-Forwarded-Host": "maps.council.example"}).json
    assert style["glyphs"].startswith("https://maps.council.example/_glyphs/")
    direct = make(tmp_path).get("/_style/blank.json", headers={
        "X-Forwarded-Proto": "https", "X-Forwarded-Host": "evil.example"}).json
    assert "evil.example" not in direct["glyphs"]  # not trusted unless configured


def test_the_pack_cookie_is_https_only_when_the_site_is_served_over_https(tmp_path):
    from dashboard.web import reference

    proxied = make(tmp_path, proxy_hops=1)
    pack_id = "b" * 32
    store = reference.store(proxied.application)
    (store.root / pack_id).mkdir(parents=True)
    (store.root / pack_id / "pack.toml").write_text("")
    over_https = proxied.get(f"/?pack={pack_id}", headers={"X-Forwarded-Proto": "https"})
    over_http = proxied.get(f"/?pack={pack_id}")
    assert "Secure" in over_https.headers["Set-Cookie"]
    assert "Secure" not in over_http.headers["Set-Cookie"]
    assert "HttpOnly" in over_http.headers["Set-Cookie"]


def test_a_foreign_host_header_is_refused_and_links_use_the_public_url(tmp_path):

    site = make(tmp_path, public_url="https://places.example.gov.uk",
                allowed_hosts=("localhost:8050",))
    evil = {"Host": "evil.example"}
    for path in ("/", "/_style/blank.json", "/_dash-layout", "/redraw"):
        answer = site.get(path, headers=evil)
        assert answer.status_code == 400 and b"evil.example" not in answer.data
    assert site.get("/healthz", headers=evil).status_code == 200  # probes use any name
    for host in ("places.example.gov.uk", "localhost:8050"):
        style = site.get("/_style/blank.json", headers={"Host": host}).json
        assert style["glyphs"].startswith("https://places.example.gov.uk/_glyphs/")
    with site.application.test_request_context("/", headers={"Host": "localhost:8050"}):
        assert scenarios.share_link("ab" * 12) == (
            "https://places.example.gov.uk/redraw?pack=demo&scenario=" + "ab" * 12)


def test_with_no_address_configured_only_this_machines_names_are_answered(tmp_path):
    import socket

    site = make(tmp_path)
    for host in ("evil.example", "evil.example:8050", "203.0.113.9", "0.0.0.0:8050",
                 "localhost.evil.example", "localhost:x"):
        answer = site.get("/_style/blank.json", headers={"Host": host})
        assert answer.status_code == 400 and b"DASHBOARD_PUBLIC_URL" in answer.data, host
    for host in ("localhost", "localhost:8050", "127.0.0.1:8050", "[::1]:8050",
                 f"{socket.gethostname()}:8050", "127.0.0.2"):
        style = site.get("/_style/blank.json", headers={"Host": host})
        assert style.status_code == 200 and host in style.json["glyphs"], host
    assert site.get("/healthz", headers={"Host": "evil.example"}).status_code == 200


def test_callback_bodies_are_small_except_the_imports_and_deep_json_is_refused(tmp_path):
    from dashboard.security import CALLBACK_MAX_BYTES
    from dashboard.web import ids

    site = make(tmp_path)
    big = "x" * (CALLBACK_MAX_BYTES + 10)
    body = json.dumps({"output": "map-graph.figure", "outputs": {}, "inputs": [big]})
    assert site.post("/_dash-update-component", data=body,
                     content_type="application/json").status_code == 413
    upload = json.dumps({"output": f"{ids.UPLOAD_REPORT}.children", "outputs": {},
                         "inputs": [big]})
    answer = site.post("/_dash-update-component", data=upload, content_type="application/json")
    assert answer.status_code != 413  # Dash itself then refuses the malformed callback
    deep = "[" * 100_000 + "]" * 100_000
    answer = site.post("/_dash-update-component", data=deep, content_type="application/json")
    assert answer.status_code == 400
    from werkzeug.test import EnvironBuilder

    environ = EnvironBuilder(path="/_dash-update-component", method="POST",
                             headers={"Transfer-Encoding": "chunked"}).get_environ()
    environ.pop("CONTENT_LENGTH", None)
    status = []
    site.application.wsgi_app(environ, lambda s, h: status.append(s))
    assert status[0].startswith("411")


def test_the_password_is_checked_once_per_session_and_guessing_backs_off(tmp_path, monkeypatch):
    from dashboard import security

    calls = []
    real = security.check_password_hash
    monkeypatch.setattr(security, "check_password_hash",
                        lambda h, p: calls.append(p) or real(h, p))
    site = make(tmp_path, auth_user="planner",
                auth_password_hash=generate_password_hash("correct horse battery"))

    def auth(password):
        token = base64.b64encode(f"planner:{password}".encode()).decode()
        return {"Authorization": f"Basic {token}"}

    good = auth("correct horse battery")
    assert site.get("/", headers=good).status_code == 200
    for path in ("/_dash-layout", "/_dash-dependencies", "/assets/style.css", "/data"):
        assert site.get(path, headers=good).status_code in (200, 304)
    assert len(calls) == 1  # the session cookie carries the rest
    cookie = site.get_cookie("dashboard_session")
    assert cookie is not None and cookie.http_only

    guesser = site.application.test_client()
    answers = [guesser.get("/", headers=auth(f"guess {i}"),
                           environ_base={"REMOTE_ADDR": "203.0.113.9"}).status_code
               for i in range(security.FREE_TRIES + 3)]
    assert answers[:security.FREE_TRIES] == [401] * security.FREE_TRIES
    assert set(answers[security.FREE_TRIES:]) == {429}
    checked = len(calls)
    guesser.get("/", headers=good, environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert len(calls) == checked  # while backing off, not even the right password is checked
    other = site.application.test_client()
    assert other.get("/", headers=good, environ_base={"REMOTE_ADDR": "198.51.100.7"}
                     ).status_code == 200
