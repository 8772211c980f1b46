import pytest

from harness import TOKEN, FakePeer, Service, recording_upstream, start_gateway


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
        expected_date = services.service("expected_date_svc")
        auth = services.service("auth_svc", {"TOKEN": TOKEN})
        invoices = services.service("invoices_svc", {
            "EXPECTED_DATE_URI": f"http://127.0.0.1:{expected_date.port}"})
        gateway = services.gateway(tmp_path, invoices.port, auth.port)

    return Chain


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
