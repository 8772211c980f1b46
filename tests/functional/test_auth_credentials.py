"""API keys and JWTs through the real gateway and the real auth_svc: API keys from the `keys` command,
scopes by method, JWTs from a JWKS file, the failure limiter, key file reload, logs."""

import base64
import json
import os
import subprocess
import time

from harness import TOKEN, get, keys_cli, request, wait_for


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def create_key(key_file, name, scopes):
    done = keys_cli("create", "--file", str(key_file), "--name", name, "--scopes", scopes)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


def test_keys_created_by_the_command_authenticate_with_their_scopes(guarded, tmp_path):
    key_file = tmp_path / "keys.json"
    reader = create_key(key_file, "reporting", "invoices:read")
    writer = create_key(key_file, "billing", "invoices:read,invoices:write")
    assert reader.startswith("tim_") and len(reader) == 47
    stack = guarded({"KEYS_FILE": str(key_file)})
    gw, upstream = stack.gateway.port, stack.upstream

    r = get(gw, "/invoices/1", {"authorization": reader})
    assert r.status == 200
    assert upstream.header_of(0, "x-auth-subject") == ["reporting"]
    assert upstream.header_of(0, "x-auth-scopes") == ["invoices:read"]
    assert get(gw, "/invoices/1", {"authorization": f"Bearer {writer}"}).status == 200
    assert request(gw, "HEAD", "/invoices/1", {"authorization": reader}).status == 200

    for method in ["POST", "PUT", "PATCH", "DELETE"]:
        denied = request(gw, method, "/invoices/1", {"authorization": reader}, body="{}")
        assert denied.status == 403, method
        assert denied.json() == {"ok": False, "error": "insufficient_scope"}
        assert "insufficient_scope" in denied.header("www-authenticate")
        assert request(gw, method, "/invoices/1", {"authorization": writer}, body="{}").status == 200
    # A method the rules do not know needs write; never the read scope alone.
    assert request(gw, "TRACE", "/invoices/1", {"authorization": reader}).status == 403
    assert [r["method"] for r in upstream.requests] == ["GET", "GET", "HEAD", "POST", "PUT",
                                                        "PATCH", "DELETE"]
    # The tutorial header still works next to the keys.
    assert get(gw, "/invoices/1", {"authorization": TOKEN}).status == 200
    assert upstream.header_of(len(upstream.requests) - 1, "x-auth-subject") == ["token"]


def test_list_shows_names_and_scopes_never_secrets_and_revoke_takes_effect_on_reload(guarded, tmp_path):
    key_file = tmp_path / "keys.json"
    keep = create_key(key_file, "keep", "invoices:read")
    gone = create_key(key_file, "gone", "invoices:read")
    listing = keys_cli("list", "--file", str(key_file))
    assert listing.returncode == 0
    assert "keep" in listing.stdout and "gone" in listing.stdout and "invoices:read" in listing.stdout
    assert keep not in listing.stdout and gone not in listing.stdout
    assert keep not in key_file.read_text() and gone not in key_file.read_text()

    stack = guarded({"KEYS_FILE": str(key_file)})
    gw = stack.gateway.port
    assert get(gw, "/invoices/1", {"authorization": gone}).status == 200

    assert keys_cli("revoke", "--file", str(key_file), "gone").returncode == 0
    assert wait_for(lambda: get(gw, "/invoices/1", {"authorization": gone}).status == 401,
                    timeout=5.0, interval=0.05)
    assert get(gw, "/invoices/1", {"authorization": keep}).status == 200
    # A key created while running works without a restart.
    fresh = create_key(key_file, "fresh", "invoices:write")
    assert wait_for(lambda: request(gw, "POST", "/invoices/1", {"authorization": fresh},
                                    body="{}").status == 200, timeout=5.0, interval=0.05)
    assert keys_cli("revoke", "--file", str(key_file), "nobody").returncode == 1


def test_broken_key_file_keeps_the_last_good_set_and_says_why(guarded, tmp_path):
    key_file = tmp_path / "keys.json"
    key = create_key(key_file, "ci", "invoices:read")
    stack = guarded({"KEYS_FILE": str(key_file)})
    gw, auth = stack.gateway.port, stack.auth
    good = get(auth.port, "/readyz").json()["detail"]
    assert "1 keys" in good

    key_file.write_text(key_file.read_text()[:40])  # a truncated copy
    assert wait_for(lambda: "last reload refused" in get(auth.port, "/readyz").json()["detail"],
                    timeout=5.0, interval=0.05)
    assert get(gw, "/invoices/1", {"authorization": key}).status == 200
    refused = auth.wait_for_log(lambda l: l.get("msg") == "credentials reload refused")
    assert refused[0]["file"] == "KEYS_FILE" and refused[0]["error"]

    other = create_key(tmp_path / "next.json", "next", "invoices:read")
    os.replace(tmp_path / "next.json", key_file)  # repaired: the new set replaces the old one
    assert wait_for(lambda: get(gw, "/invoices/1", {"authorization": other}).status == 200,
                    timeout=5.0, interval=0.05)
    assert get(gw, "/invoices/1", {"authorization": key}).status == 401


def test_a_secret_update_that_swaps_a_symlink_is_noticed(guarded, tmp_path):
    # The layout kubelet uses for a mounted Secret: keys.json -> ..data/keys.json, ..data -> v1.
    for version in ["v1", "v2"]:
        (tmp_path / version).mkdir()
    old = create_key(tmp_path / "v1" / "keys.json", "old", "invoices:read")
    new = create_key(tmp_path / "v2" / "keys.json", "new", "invoices:read")
    os.symlink("v1", tmp_path / "..data")
    os.symlink("..data/keys.json", tmp_path / "keys.json")
    stack = guarded({"KEYS_FILE": str(tmp_path / "keys.json")})
    gw = stack.gateway.port
    assert get(gw, "/invoices/1", {"authorization": old}).status == 200
    os.symlink("v2", tmp_path / "..data_tmp")
    os.replace(tmp_path / "..data_tmp", tmp_path / "..data")
    assert wait_for(lambda: get(gw, "/invoices/1", {"authorization": new}).status == 200,
                    timeout=5.0, interval=0.05)
    assert get(gw, "/invoices/1", {"authorization": old}).status == 401


def test_repeated_failures_from_one_address_get_429_with_retry_after(guarded, tmp_path):
    stack = guarded({"AUTH_FAILURE_BURST": "3", "AUTH_FAILURE_REFILL_MS": "60000"})
    gw = stack.gateway.port
    statuses = [get(gw, "/invoices/1", {"authorization": f"guess-{i}"}).status for i in range(3)]
    assert statuses == [401, 401, 401]
    limited = get(gw, "/invoices/1", {"authorization": "guess-3"})
    assert limited.status == 429
    assert int(limited.header("retry-after")) >= 1
    assert limited.json() == {"ok": False, "error": "rate_limited"}
    # A client cannot escape by claiming another address: the gateway's entry is the last one.
    spoofed = get(gw, "/invoices/1", {"authorization": "guess-4", "x-forwarded-for": "198.51.100.7"})
    assert spoofed.status == 429
    assert get(gw, "/invoices/1").status == 429  # no credential: slowed down too
    assert stack.upstream.requests == []


def test_a_valid_credential_from_a_limited_address_is_still_admitted(guarded, tmp_path):
    # Everyone behind one NAT shares 127.0.0.1 here: one client's failures must not lock out
    # another's valid token.
    stack = guarded({"AUTH_FAILURE_BURST": "3", "AUTH_FAILURE_REFILL_MS": "60000"})
    gw = stack.gateway.port
    for i in range(4):
        get(gw, "/invoices/1", {"authorization": f"guess-{i}"})
    assert get(gw, "/invoices/1", {"authorization": "guess-5"}).status == 429
    admitted = get(gw, "/invoices/1", {"authorization": TOKEN})
    assert admitted.status == 200
    assert len(stack.upstream.requests) == 1
    # The guesser is still slowed down after that.
    assert get(gw, "/invoices/1", {"authorization": "guess-6"}).status == 429


# --- JWT from a JWKS file, keys and signatures made with the openssl command -----------------

def openssl(*args, data=None):
    return subprocess.run(["openssl", *args], input=data, capture_output=True, check=True).stdout


def der_ecdsa_to_raw(der):
    """ECDSA-Sig-Value (DER) -> r || s, 32 bytes each, as JWS ES256 wants."""
    assert der[0] == 0x30
    i = 2
    out = b""
    for _ in range(2):
        assert der[i] == 0x02
        length = der[i + 1]
        value = der[i + 2:i + 2 + length].lstrip(b"\0")
        out += value.rjust(32, b"\0")
        i += 2 + length
    return out


class Signer:
    def __init__(self, tmp_path, kind, kid):
        self.kind, self.kid = kind, kid
        self.pem = tmp_path / f"{kid}.pem"
        if kind == "RS256":
            openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048",
                    "-out", str(self.pem))
            modulus = openssl("rsa", "-in", str(self.pem), "-noout", "-modulus").decode()
            n = bytes.fromhex(modulus.strip().split("=", 1)[1])
            self.jwk = {"kty": "RSA", "kid": kid, "use": "sig", "alg": "RS256",
                        "n": b64url(n), "e": b64url((65537).to_bytes(3, "big"))}
        else:
            openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256",
                    "-out", str(self.pem))
            point = openssl("pkey", "-in", str(self.pem), "-pubout", "-outform", "DER")[-65:]
            assert point[0] == 4
            self.jwk = {"kty": "EC", "crv": "P-256", "kid": kid, "use": "sig",
                        "x": b64url(point[1:33]), "y": b64url(point[33:])}

    def token(self, claims, header=None):
        head = header or {"alg": self.kind, "typ": "JWT", "kid": self.kid}
        signing_input = (b64url(json.dumps(head).encode()) + "." +
                         b64url(json.dumps(claims).encode())).encode()
        signature = openssl("dgst", "-sha256", "-sign", str(self.pem), data=signing_input)
        if self.kind == "ES256":
            signature = der_ecdsa_to_raw(signature)
        return signing_input.decode() + "." + b64url(signature)


def claims(scope, **extra):
    now = int(time.time())
    out = {"iss": "https://idp.example", "aud": "tim", "sub": "alice@idp", "scope": scope,
           "exp": now + 300, "iat": now}
    out.update(extra)
    return out


def test_jwt_rs256_and_es256_from_a_jwks_file(guarded, tmp_path):
    rsa, ec = Signer(tmp_path, "RS256", "rsa-1"), Signer(tmp_path, "ES256", "ec-1")
    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps({"keys": [rsa.jwk, ec.jwk]}))
    stack = guarded({"JWKS_FILE": str(jwks), "JWT_ISSUER": "https://idp.example",
                     "JWT_AUDIENCE": "tim", "JWT_LEEWAY_SECONDS": "30"})
    gw, upstream = stack.gateway.port, stack.upstream
    assert "JWKS_FILE" in get(stack.auth.port, "/readyz").json()["detail"]

    for signer in [rsa, ec]:
        read = signer.token(claims("invoices:read"))
        assert get(gw, "/invoices/1", {"authorization": f"Bearer {read}"}).status == 200
        assert upstream.header_of(len(upstream.requests) - 1, "x-auth-subject") == ["alice@idp"]
        assert request(gw, "POST", "/invoices/1", {"authorization": f"Bearer {read}"},
                       body="{}").status == 403
        write = signer.token(claims("openid invoices:read invoices:write"))
        assert request(gw, "POST", "/invoices/1", {"authorization": f"Bearer {write}"},
                       body="{}").status == 200

    now = int(time.time())
    refused = {
        "expired": rsa.token(claims("invoices:read", exp=now - 120)),
        "not yet valid": ec.token(claims("invoices:read", nbf=now + 120)),
        "other issuer": rsa.token(claims("invoices:read", iss="https://evil.example")),
        "other audience": ec.token(claims("invoices:read", aud="someone-else")),
        "alg none": b64url(b'{"alg":"none","kid":"rsa-1"}') + "." +
                    b64url(json.dumps(claims("invoices:read")).encode()) + ".",
        "RS256 header on the EC key": ec.token(claims("invoices:read"),
                                               {"alg": "RS256", "kid": "ec-1"}),
        "tampered": rsa.token(claims("invoices:read"))[:-6] + "AAAAAA",
    }
    seen = len(upstream.requests)
    for why, token in refused.items():
        r = get(gw, "/invoices/1", {"authorization": f"Bearer {token}"})
        assert r.status == 401, why
        assert r.json() == {"ok": False}
        assert 'error="invalid_token"' in r.header("www-authenticate"), why
    # Within the leeway is fine (small clock skew).
    assert get(gw, "/invoices/1", {"authorization": "Bearer " + rsa.token(
        claims("invoices:read", exp=now - 5))}).status == 200
    assert len(upstream.requests) == seen + 1


def test_hs256_signed_with_the_public_key_is_refused(guarded, tmp_path):
    rsa = Signer(tmp_path, "RS256", "rsa-1")
    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps({"keys": [rsa.jwk]}))
    stack = guarded({"JWKS_FILE": str(jwks), "JWT_ISSUER": "https://idp.example",
                     "JWT_AUDIENCE": "tim"})
    import hashlib
    import hmac
    head = b64url(b'{"alg":"HS256","kid":"rsa-1"}')
    body = b64url(json.dumps(claims("invoices:read invoices:write")).encode())
    public_pem = openssl("pkey", "-in", str(rsa.pem), "-pubout")
    mac = hmac.new(public_pem, f"{head}.{body}".encode(), hashlib.sha256).digest()
    r = get(stack.gateway.port, "/invoices/1", {"authorization": f"Bearer {head}.{body}.{b64url(mac)}"})
    assert r.status == 401
    assert stack.upstream.requests == []


def test_logs_name_the_subject_never_the_credential(guarded, tmp_path):
    key_file = tmp_path / "keys.json"
    key = create_key(key_file, "audited", "invoices:read")
    stack = guarded({"KEYS_FILE": str(key_file)})
    gw = stack.gateway.port
    get(gw, "/invoices/1", {"authorization": key})
    get(gw, "/invoices/1", {"authorization": f"Bearer {key}x"})
    request(gw, "POST", "/invoices/1", {"authorization": key}, body="{}")
    get(gw, "/invoices/1", {"authorization": TOKEN})
    decisions = stack.auth.wait_for_log(lambda l: l.get("msg") == "auth decision", count=4)
    assert {(l["status"], l["subject"]) for l in decisions} >= {
        (200, "audited"), (401, "unknown"), (403, "audited"), (200, "token")}
    everything = stack.auth.logs() + stack.gateway.logs()
    assert key not in everything and key[4:20] not in everything and TOKEN not in everything


def test_auth_svc_refuses_to_start_without_any_credential_or_with_a_broken_key_file(tmp_path):
    from harness import BIN_DIR, free_port
    binary = str(BIN_DIR / "auth_svc" / "auth_svc")
    base = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOST": "127.0.0.1",
            "PORT": str(free_port())}
    done = subprocess.run([binary], env=base, capture_output=True, text=True, timeout=10)
    assert done.returncode == 2
    (tmp_path / "keys.json").write_text("{")
    done = subprocess.run([binary], env={**base, "KEYS_FILE": str(tmp_path / "keys.json")},
                          capture_output=True, text=True, timeout=10)
    assert done.returncode == 2 and "KEYS_FILE" in done.stderr


def test_sigterm_stops_the_reloading_service_promptly(guarded, tmp_path):
    key_file = tmp_path / "keys.json"
    create_key(key_file, "ci", "invoices:read")
    # A reload wait that SIGTERM did not cut short would hold the exit for the whole interval.
    interval_s = 60
    stack = guarded({"KEYS_FILE": str(key_file), "RELOAD_INTERVAL_MS": str(interval_s * 1000)})
    started = time.monotonic()
    assert stack.auth.stop(timeout=interval_s) == 0
    assert time.monotonic() - started < interval_s / 2
