import os
import subprocess
import uuid

import pytest

import harness
from harness import ROOT, TOKEN, FakePeer, Service, recording_upstream, start_gateway

DEMO_MODEL = ROOT / "services" / "expected_date_svc" / "model" / "demo-model.json"


@pytest.fixture(autouse=True)
def every_service_is_checked_when_it_stops():
    """Every service a test started, however it started it, is stopped (SIGTERM) if still
    running and must have ended well: exit code 0 after SIGTERM or SIGINT, no exit the test did
    not cause, no crash or sanitizer report, JSON log lines only. Autouse fixtures are set up
    first, so this runs after every other fixture has stopped its services."""
    first = len(harness.STARTED)
    yield
    failures = []
    for service in harness.STARTED[first:]:
        try:
            service.check_stopped()
        except AssertionError as e:
            failures.append(str(e))
    del harness.STARTED[first:]
    if failures:
        pytest.fail("\n\n".join(failures), pytrace=False)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A failing test whose services died says which one and shows its last log lines."""
    outcome = yield
    report = outcome.get_result()
    if report.when == "call" and report.failed:
        for service in harness.STARTED:
            for process in service.processes:
                code = process.poll()
                if code is not None and not process.signals_sent:
                    report.sections.append((f"{service.name} (port {service.port}) died with {code}",
                                            service.last_log_lines()))


@pytest.fixture
def services():
    """Starts services (and fake peers) for one test and stops whatever is left afterwards."""
    started = []

    class Launcher:
        def service(self, name, env=None, port=None):
            s = Service(name, env, port)
            started.append(s)
            return s

        def fake(self, behaviour):
            f = FakePeer(behaviour)
            started.append(f)
            return f

        def started_fake(self, fake):
            started.append(fake)

        def gateway(self, tmp_path, invoices_port, auth_port, **route_options):
            g = start_gateway(tmp_path, invoices_port, auth_port, **route_options)
            started.append(g)
            return g

    yield Launcher()
    for s in reversed(started):
        s.stop()


@pytest.fixture
def chain(services, tmp_path):
    """The tutorial's whole system: four real services wired as on one machine."""

    class Chain:
        expected_date = services.service("expected_date_svc", {"MODEL_FILE": str(DEMO_MODEL)})
        auth = services.service("auth_svc", {"TOKEN": TOKEN})
        invoices = services.service("invoices_svc", {
            "EXPECTED_DATE_URI": f"http://127.0.0.1:{expected_date.port}"})
        gateway = services.gateway(tmp_path, invoices.port, auth.port)

    return Chain


def _with_database(url, name):
    """The PostgreSQL URL with its database name replaced."""
    scheme, rest = url.split("://", 1)
    authority, _, tail = rest.partition("/")
    query = tail.partition("?")[2]
    return f"{scheme}://{authority}/{name}" + (f"?{query}" if query else "")


@pytest.fixture(params=["sqlite", "postgres"])
def store_env(request, tmp_path):
    """The environment choosing a fresh, empty invoice store: SQLite under a new DATA_DIR, or a
    new database on the PostgreSQL server TIM_TEST_DATABASE_URL names (skipped when unset)."""
    if request.param == "sqlite":
        yield {"DATA_DIR": str(tmp_path / "data"), "SEED_DEMO_DATA": "false"}
        return
    admin_url = os.environ.get("TIM_TEST_DATABASE_URL")
    if not admin_url:
        pytest.skip("TIM_TEST_DATABASE_URL is not set (scripts/test-postgres.sh start)")
    name = f"tim_ft_{uuid.uuid4().hex[:12]}"
    subprocess.run(["psql", admin_url, "-q", "-c", f"CREATE DATABASE {name}"], check=True)
    try:
        yield {"DATABASE_URL": _with_database(admin_url, name), "SEED_DEMO_DATA": "false"}
    finally:
        subprocess.run(["psql", admin_url, "-q", "-c", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"],
                       check=False)


@pytest.fixture
def guarded(services, tmp_path):
    """The real gateway and the real auth_svc in front of a recording fake back end.

    `guarded(env)` starts them; env goes to auth_svc on top of TOKEN, a fast reload and a
    failure budget large enough that attack tests are not slowed down by 429s.
    """

    def start(env=None, **route_options):
        auth_env = {"TOKEN": TOKEN, "RELOAD_INTERVAL_MS": "100", "AUTH_FAILURE_BURST": "10000"}
        auth_env.update(env or {})

        class Stack:
            auth = services.service("auth_svc", auth_env)
            upstream = recording_upstream()
            gateway = services.gateway(tmp_path, upstream.port, auth.port, **route_options)

        services.started_fake(Stack.upstream)
        return Stack

    return start
