import pytest

from harness import TOKEN, FakePeer, Service, start_gateway


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
