"""docs/openapi.yaml names exactly the routes the code serves.

Routes in code: every `router.get/post/put/patch/delete("…")` and `router.add("METHOD", "…")`
in services/*/src, and the server's own GET endpoints (`operational_path` in
libs/http/src/server.cpp), which all four services answer.

Routes in the document: each path and method; a path a client reaches through the gateway is
mapped through the gateway's route file (kube/overlays/emissary/routes.yaml: a Mapping's
`prefix` becomes its `rewrite`) onto the service that Mapping names. A path with its own
`servers` is a service's own endpoint, taken as it is.

`/api/invoices` and `/api/invoices/` are one endpoint (the gateway's prefix route arrives with
the slash, a direct caller may leave it out): trailing slashes are not compared.
"""

import copy
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DOCUMENT = ROOT / "docs" / "openapi.yaml"
ROUTES_FILE = ROOT / "kube" / "overlays" / "emissary" / "routes.yaml"
SERVER_SOURCE = ROOT / "libs" / "http" / "src" / "server.cpp"
SERVICES = ROOT / "services"

HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
REGISTRATION = re.compile(r'\brouter\.(get|post|put|patch|delete)\(\s*"([^"]+)"')
GENERIC_REGISTRATION = re.compile(r'\brouter\.add\(\s*"([A-Z]+)"\s*,\s*"([^"]+)"')
ANY_ROUTER_CALL = re.compile(r"\brouter\.\w+\(")


def normalize(path):
    """One spelling per route: parameters as {}, no trailing slash."""
    path = re.sub(r":[A-Za-z_][A-Za-z0-9_]*|\{[^}/]+\}", "{}", path)
    return path.rstrip("/") or "/"


def routes_in_sources(source_text):
    """(METHOD, path) of each registration; fails on a router call it cannot read."""
    routes = [(m.group(1).upper(), m.group(2)) for m in REGISTRATION.finditer(source_text)]
    routes += [(m.group(1), m.group(2)) for m in GENERIC_REGISTRATION.finditer(source_text)]
    calls = len(ANY_ROUTER_CALL.findall(source_text))
    assert calls == len(routes), (
        f"{calls} router calls but {len(routes)} read: a registration this test cannot parse"
    )
    return routes


def operational_paths(server_source):
    body = re.search(r"bool operational_path\([^)]*\)\s*\{(.*?)\n\}", server_source, re.S)
    assert body, "operational_path() not found in libs/http/src/server.cpp"
    paths = re.findall(r'path == "([^"]+)"', body.group(1))
    assert paths, "operational_path() names no path"
    return paths


def code_routes():
    """{service: {(METHOD, normalized path)}} for the four services."""
    shared = {("GET", normalize(p)) for p in operational_paths(SERVER_SOURCE.read_text())}
    routes = {}
    for service_dir in sorted(p for p in SERVICES.iterdir() if (p / "src").is_dir()):
        found = set(shared)
        for source in sorted((service_dir / "src").glob("*.cpp")):
            found |= {(m, normalize(p)) for m, p in routes_in_sources(source.read_text())}
        routes[service_dir.name] = found
    return routes


def gateway_mappings(routes_text):
    """[(prefix, rewrite, service dir name)] from the Emissary Mappings."""
    mappings = []
    for doc in yaml.safe_load_all(routes_text):
        if not doc or doc.get("kind") != "Mapping":
            continue
        spec = doc["spec"]
        service = spec["service"].split(":")[0].replace("-", "_")
        mappings.append((spec["prefix"], spec.get("rewrite", "/"), service))
    return mappings


def document_routes(document, mappings):
    """{service or None: {(METHOD, normalized path)}}: None for a service's own endpoint,
    which any service may serve (each names its servers)."""
    routes = {}
    problems = []
    for path, item in document["paths"].items():
        methods = [m.upper() for m in item if m in HTTP_METHODS]
        if "servers" in item:
            routes.setdefault(None, set()).update((m, normalize(path)) for m in methods)
            continue
        # Reached through the gateway: the longest prefix wins, as in Emissary.
        matching = [m for m in mappings if path.startswith(m[0])]
        if not matching:
            problems.append(f"{path}: no gateway Mapping routes it and it names no servers")
            continue
        prefix, rewrite, service = max(matching, key=lambda m: len(m[0]))
        upstream = normalize(rewrite + path[len(prefix):])
        routes.setdefault(service, set()).update((m, upstream) for m in methods)
    return routes, problems


def mismatches(code, documented, doc_problems):
    problems = list(doc_problems)
    own = documented.get(None, set())
    for service, served in documented.items():
        if service is None:
            continue
        if service not in code:
            problems.append(f"the gateway routes to {service}, which is not in services/")
            continue
        for method, path in sorted(served - code[service]):
            problems.append(f"document: {method} {path} on {service}, which the code does not serve")
    every_served = set().union(*code.values())
    for method, path in sorted(own - every_served):
        problems.append(f"document: {method} {path}, which no service serves")
    for service, served in sorted(code.items()):
        for method, path in sorted(served - documented.get(service, set()) - own):
            problems.append(f"code: {service} serves {method} {path}, which the document lacks")
    return problems


@pytest.fixture(scope="module")
def document():
    return yaml.safe_load(DOCUMENT.read_text())


@pytest.fixture(scope="module")
def mappings():
    return gateway_mappings(ROUTES_FILE.read_text())


def check(document, mappings, code=None):
    documented, doc_problems = document_routes(document, mappings)
    return mismatches(code if code is not None else code_routes(), documented, doc_problems)


def test_document_and_code_name_the_same_routes(document, mappings):
    assert check(document, mappings) == []


def test_sources_are_read():
    # The checks below mean something only if registrations are found at all.
    code = code_routes()
    assert ("PATCH", "/api/invoices/{}") in code["invoices_svc"]
    assert ("POST", "/api/expected-date/{}") in code["expected_date_svc"]
    assert ("GET", "/metrics") in code["gateway"]


def test_a_route_missing_from_the_document_is_found(document, mappings):
    doc = copy.deepcopy(document)
    del doc["paths"]["/invoices/{id}/credit-notes"]
    assert check(doc, mappings) == [
        "code: invoices_svc serves POST /api/invoices/{}/credit-notes, which the document lacks"
    ]


def test_a_method_missing_from_the_document_is_found(document, mappings):
    doc = copy.deepcopy(document)
    del doc["paths"]["/invoices/{id}"]["patch"]
    assert check(doc, mappings) == [
        "code: invoices_svc serves PATCH /api/invoices/{}, which the document lacks"
    ]


def test_a_documented_route_the_code_does_not_serve_is_found(document, mappings):
    doc = copy.deepcopy(document)
    doc["paths"]["/invoices/{id}/refunds"] = copy.deepcopy(doc["paths"]["/invoices/{id}/void"])
    doc["paths"]["/readyz"]["post"] = doc["paths"]["/readyz"]["get"]
    assert check(doc, mappings) == [
        "document: POST /api/invoices/{}/refunds on invoices_svc, which the code does not serve",
        "document: POST /readyz, which no service serves",
    ]


def test_a_path_no_gateway_route_reaches_is_found(document, mappings):
    doc = copy.deepcopy(document)
    doc["paths"]["/predictions/{id}"] = copy.deepcopy(doc["paths"]["/invoices/{id}"])
    problems = check(doc, mappings)
    assert problems == ["/predictions/{id}: no gateway Mapping routes it and it names no servers"]


def test_a_new_registration_in_code_is_found(document, mappings):
    code = code_routes()
    source = 'router.get(\n    "/api/invoices/:id/attachments", handler);\nrouter.add("DELETE", "/api/invoices/:id", h);'
    code["invoices_svc"] |= {(m, normalize(p)) for m, p in routes_in_sources(source)}
    assert check(document, mappings, code) == [
        "code: invoices_svc serves DELETE /api/invoices/{}, which the document lacks",
        "code: invoices_svc serves GET /api/invoices/{}/attachments, which the document lacks",
    ]


def test_an_unreadable_registration_fails_loudly():
    with pytest.raises(AssertionError, match="cannot parse"):
        routes_in_sources("router.get(kEventsPath, handler);")
