"""Checks an answer against docs/openapi.yaml: its status must be documented for the operation,
the headers the document marks required must be there (and match their pattern), and a JSON
body must match that status's schema.

The request's path is taken as a client or a service's caller writes it: a service's own
`/api/invoices/…` is mapped back through the gateway's route file to the document's
`/invoices/…`. Paths and methods the document does not name are not checked here
(test_openapi_routes.py compares the routes themselves); neither are empty or non-JSON bodies.
"""

import json
import pathlib
import re
import threading

import jsonschema
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
DOCUMENT = ROOT / "docs" / "openapi.yaml"
ROUTES_FILE = ROOT / "kube" / "overlays" / "emissary" / "routes.yaml"

_lock = threading.Lock()
_loaded = None


def _load():
    global _loaded
    with _lock:
        if _loaded is None:
            document = yaml.safe_load(DOCUMENT.read_text())
            rewrites = []
            for doc in yaml.safe_load_all(ROUTES_FILE.read_text()):
                if doc and doc.get("kind") == "Mapping":
                    rewrites.append((doc["spec"].get("rewrite", "/"), doc["spec"]["prefix"]))
            templates = []
            for path in document["paths"]:
                pattern = "^" + re.sub(r"\\\{[^}/]+\\\}", "[^/]+", re.escape(path)) + "$"
                # Literal segments before parameters: /invoices/import is not /invoices/{id}.
                templates.append((path.count("{"), re.compile(pattern), path))
            templates.sort(key=lambda t: t[0])
            _loaded = (document, rewrites, templates)
        return _loaded


def _resolve(document, node):
    while isinstance(node, dict) and "$ref" in node and len(node) == 1:
        pointer = node["$ref"].removeprefix("#/").split("/")
        node = document
        for part in pointer:
            node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def document_path(path):
    """The document's path template for a request path, or None."""
    document, rewrites, templates = _load()
    path = path.split("?", 1)[0]
    candidates = [path]
    for rewrite, prefix in rewrites:
        if (path + "/").startswith(rewrite) and not path.startswith(prefix):
            candidates.append(prefix + (path + "/")[len(rewrite):])
    for candidate in candidates:
        for variant in (candidate, candidate.rstrip("/"), candidate.rstrip("/") + "/"):
            for _, pattern, template in templates:
                if pattern.match(variant):
                    return template
    return None


def problems(method, path, status, headers, body):
    """What in this answer the document does not allow ([] when it conforms or is not
    covered). headers: lower-case name -> list of values."""
    document, _, _ = _load()
    template = document_path(path)
    if template is None:
        return []
    operation = document["paths"][template].get(method.lower())
    if operation is None:
        return []
    responses = operation.get("responses", {})
    response = responses.get(str(status)) or responses.get(f"{str(status)[0]}XX") or responses.get("default")
    where = f"{method} {path} (docs/openapi.yaml {template} {method.lower()})"
    if response is None:
        return [f"{where}: status {status} is not documented"]
    response = _resolve(document, response)
    found = []
    for name, header in response.get("headers", {}).items():
        header = _resolve(document, header)
        if header.get("required") and name.lower() not in headers:
            found.append(f"{where}: status {status} lacks the required header {name}")
        elif name.lower() in headers and "pattern" in header.get("schema", {}):
            value = headers[name.lower()][0]
            if not re.fullmatch(header["schema"]["pattern"], value):
                found.append(f"{where}: header {name}: {value!r} does not match "
                             f"{header['schema']['pattern']}")
    content_type = (headers.get("content-type") or [""])[0].split(";")[0].strip().lower()
    if not body or content_type != "application/json":
        return found
    media = response.get("content", {}).get("application/json")
    if media is None:
        return found + [f"{where}: status {status} documents no application/json body"]
    try:
        value = json.loads(body)
    except ValueError as e:
        return found + [f"{where}: status {status} body is not JSON: {e}"]
    # The document is the root resource, so '#/components/…' references resolve.
    schema = dict(media["schema"])
    schema["components"] = document["components"]
    validator = jsonschema.Draft202012Validator(schema)
    return found + [
        f"{where}: status {status} body at {'/'.join(map(str, e.absolute_path)) or '(root)'}: "
        f"{e.message[:300]}"
        for e in validator.iter_errors(value)
    ]
