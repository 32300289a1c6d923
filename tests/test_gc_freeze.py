"""The server process freezes its warm objects out of the garbage collector (thiduabloc/gc_freeze.py)."""

import gc
import weakref
from io import BytesIO

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished
from django.test import override_settings

from tests.test_settings import manage
from thiduabloc import gc_freeze
from thiduabloc.env import env_int_list


@pytest.fixture
def unfrozen():
    """Each test starts and ends with nothing frozen and Python's thresholds: the test process keeps the
    collector as Python sets it."""
    thresholds = gc.get_threshold()
    gc.unfreeze()
    yield thresholds
    gc.unfreeze()
    gc.set_threshold(*thresholds)


def call(application, path="/login/"):
    """One request through the WSGI application, as a server makes it: iterate the body, then close it."""
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "wsgi.url_scheme": "http",
        "wsgi.input": BytesIO(),
        "wsgi.errors": BytesIO(),
    }
    started = []
    response = application(environ, lambda status, headers, exc_info=None: started.append(status))
    try:
        body = b"".join(response)
    finally:
        response.close()
    return started[0], body


@pytest.mark.django_db
def test_the_process_freezes_after_the_named_requests_only(unfrozen):
    application = gc_freeze.FreezeWhenWarm(WSGIHandler(), after=[2, 4])
    froze = []
    for number in range(1, 6):
        marker = [number]  # made before the request: out of the collector's sight if the request freezes
        status, body = call(application)
        assert status == "200 OK" and "Đăng nhập".encode() in body
        froze.append(not any(o is marker for o in gc.get_objects()))
    assert froze == [False, True, False, True, False]


@pytest.mark.django_db
def test_the_first_freeze_raises_the_young_generations_threshold_only(unfrozen):
    young, middle, old = unfrozen
    assert young < gc_freeze.YOUNG_THRESHOLD
    application = gc_freeze.FreezeWhenWarm(WSGIHandler(), after=[2])
    call(application)
    assert gc.get_threshold() == (young, middle, old)  # not warm yet: as Python sets it
    call(application)
    assert gc.get_threshold() == (gc_freeze.YOUNG_THRESHOLD, middle, old)
    gc.set_threshold(3 * gc_freeze.YOUNG_THRESHOLD, middle, old)
    gc_freeze.freeze()
    assert gc.get_threshold()[0] == 3 * gc_freeze.YOUNG_THRESHOLD  # never lowered


@pytest.mark.django_db
def test_the_freeze_comes_after_the_response_is_closed_and_its_garbage_collected(unfrozen):
    """The freezing request's response is closed as usual (Django's request_finished is sent), then the
    collection before the freeze takes the finished request's cycles: they are not kept forever."""
    finished = []

    def on_finished(**kwargs):
        finished.append(gc.get_freeze_count())

    class Cycle:
        pass

    def app_with_a_cycle(environ, start_response):
        cycle = Cycle()
        cycle.me = cycle  # garbage only the cyclic collector frees
        app_with_a_cycle.left = weakref.ref(cycle)
        return WSGIHandler()(environ, start_response)

    request_finished.connect(on_finished)
    try:
        call(gc_freeze.FreezeWhenWarm(app_with_a_cycle, after=[1]))
    finally:
        request_finished.disconnect(on_finished)
    assert finished == [0]  # closed before anything was frozen
    assert gc.get_freeze_count() > 0
    assert app_with_a_cycle.left() is None  # collected, not frozen


def test_no_requests_named_means_the_application_itself(unfrozen):
    handler = WSGIHandler()
    with override_settings(GC_FREEZE_AFTER_REQUESTS=[]):
        assert gc_freeze.wrap(handler) is handler
    with override_settings(GC_FREEZE_AFTER_REQUESTS=[100, 1000]):
        wrapped = gc_freeze.wrap(handler)
    assert wrapped.application is handler and wrapped.pending == [100, 1000]


def test_the_requests_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("GC_FREEZE_AFTER_REQUESTS", " 50, 500 ")
    assert env_int_list("GC_FREEZE_AFTER_REQUESTS", [100]) == [50, 500]
    monkeypatch.setenv("GC_FREEZE_AFTER_REQUESTS", "")
    assert env_int_list("GC_FREEZE_AFTER_REQUESTS", [100]) == []
    monkeypatch.delenv("GC_FREEZE_AFTER_REQUESTS")
    assert env_int_list("GC_FREEZE_AFTER_REQUESTS", [100]) == [100]


def test_a_bad_list_stops_start_up():
    result = manage("check", env={"GC_FREEZE_AFTER_REQUESTS": "100,many"})
    assert result.returncode != 0
    assert "GC_FREEZE_AFTER_REQUESTS must be whole numbers separated by commas" in result.stderr
