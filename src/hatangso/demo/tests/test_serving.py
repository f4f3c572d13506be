"""`hatangso demo` hands its server to a fresh process."""

import sys

import pytest

from hatangso.demo.management.commands import demo


class Replaced(Exception):
    """os.execv does not return: the process became the program it names."""


def test_the_demo_is_served_by_a_fresh_process_not_forked_from_the_one_that_built_it(monkeypatch):
    """Building the demo renders its report's charts: vl-convert's runtime then has threads in that
    process, and a server worker forked from it waited forever on its first chart."""
    called = []

    def execv(path, argv):
        called.append((path, argv))
        raise Replaced

    monkeypatch.setattr(demo.os, "execv", execv)
    with pytest.raises(Replaced):
        demo.Command()._serve(no_serve=False, port=8765)
    assert called == [(sys.executable, [sys.executable, "-m", "hatangso.cli", "serve", "--port", "8765"])]


def test_no_serve_serves_nothing(monkeypatch):
    monkeypatch.setattr(demo.os, "execv", lambda *args: pytest.fail("served"))
    demo.Command()._serve(no_serve=True, port=8765)
