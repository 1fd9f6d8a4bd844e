"""The main pages are valid HTML, by the Nu HTML Checker (the W3C's validator, npm ``vnu-jar``).

The pages are rendered by the Django test client on the seeded demo place and checked in one
run of ``java -jar vnu.jar --format json``. The jar is installed once into ``var/tools/vnu/``
(``.ci/run`` does it in CI; here the test does it with npm if it is missing). Without Java
the test skips, saying so; under CI=true a skip fails the run, and ``.ci/run`` installs Java.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.test import Client

from places.demo import seed_demo
from tests.browser.screenshots import demo_user, main_pages
from tests.harness.clients import sign_in

BASE_DIR = Path(__file__).resolve().parents[1]
VNU_VERSION = "26.9.27"
VNU_DIR = BASE_DIR / "var" / "tools" / "vnu"
#: htmx's own attributes (hx-get, hx-target, …) are not in the HTML standard, so the checker
#: reports each one; they are how this project uses htmx (DESIGN.md), so those messages alone
#: are set aside. Everything else the checker calls an error fails the test.
HTMX_ATTRIBUTE = re.compile(r"^Attribute “hx-[a-z-]+” not allowed on element")
VNU_JAR = VNU_DIR / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def vnu_jar() -> Path:
    """The checker's jar, installing the pinned ``vnu-jar`` with npm if it is not there yet."""
    if VNU_JAR.is_file():
        return VNU_JAR
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip("npm is not installed, so the Nu HTML Checker (vnu-jar) cannot be fetched")
    VNU_DIR.mkdir(parents=True, exist_ok=True)
    # --ignore-scripts: the package's postinstall would download a Java runtime; we use the
    # machine's.
    subprocess.run(
        [npm, "install", "--prefix", str(VNU_DIR), f"vnu-jar@{VNU_VERSION}", "--no-save",
         "--no-audit", "--no-fund", "--ignore-scripts"],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    assert VNU_JAR.is_file(), f"npm installed vnu-jar but {VNU_JAR} is missing"
    return VNU_JAR


def test_the_main_pages_are_valid_html(db: None, tmp_path: Path) -> None:
    java = shutil.which("java")
    if java is None:
        pytest.skip(
            "no Java here, so the Nu HTML Checker cannot run (apt-get install -y "
            "default-jre-headless; .ci/run does this in CI)"
        )
    jar = vnu_jar()
    seed_demo()
    clients: dict[str | None, Client] = {}
    files: dict[str, str] = {}
    for page in [*main_pages()]:
        if page.as_who not in clients:
            client = Client()
            if page.as_who is not None:
                sign_in(client, demo_user(page.as_who))
            clients[page.as_who] = client
        response = clients[page.as_who].get(page.path)
        assert response.status_code == 200, (page, response.status_code)
        path = tmp_path / f"{page.name}.html"
        path.write_bytes(response.content)
        files[str(path)] = page.path
    not_found = clients[None].get("/no-such-page/")
    assert not_found.status_code == 404
    (tmp_path / "404.html").write_bytes(not_found.content)
    files[str(tmp_path / "404.html")] = "/no-such-page/ (404)"

    run = subprocess.run(
        [java, "-jar", str(jar), "--format", "json", *sorted(files)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    messages = json.loads(run.stderr or run.stdout or '{"messages": []}')["messages"]
    errors = [
        m
        for m in messages
        if (m.get("type") == "error" or m.get("subType") == "fatal")
        and not HTMX_ATTRIBUTE.match(m.get("message", ""))
    ]
    lines = [
        f"{files.get(m.get('url', '').removeprefix('file:'), m.get('url'))} line "
        f"{m.get('lastLine')}: {m.get('message')}\n    {(m.get('extract') or '').strip()[:160]}"
        for m in errors
    ]
    print(f"\nNu HTML Checker: {len(files)} pages, {len(errors)} errors")
    assert not errors, "The Nu HTML Checker found errors:\n" + "\n".join(lines)
