#!/usr/bin/env python3
"""Makes an identity provider's keys and tokens for bench/auth_hop.sh with the openssl command,
as tests/functional/test_auth_credentials.py does: an RSA-2048 and a P-256 key, their JWKS,
and one RS256 and one ES256 access token (both scopes, valid for two hours).
  make_jwts.py OUT_DIR ISSUER AUDIENCE   -> OUT_DIR/{jwks.json,rs256.jwt,es256.jwt}"""
import base64
import json
import subprocess
import sys
import time
from pathlib import Path


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def openssl(*args, data=None):
    return subprocess.run(["openssl", *args], input=data, capture_output=True, check=True).stdout


def der_ecdsa_to_raw(der):
    """ECDSA-Sig-Value (DER) -> r || s, 32 bytes each, as JWS ES256 wants."""
    i, out = 2, b""
    for _ in range(2):
        length = der[i + 1]
        out += der[i + 2:i + 2 + length].lstrip(b"\0").rjust(32, b"\0")
        i += 2 + length
    return out


def main(out_dir, issuer, audience):
    out = Path(out_dir)
    rsa_pem, ec_pem = out / "rsa.pem", out / "ec.pem"
    openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", str(rsa_pem))
    modulus = openssl("rsa", "-in", str(rsa_pem), "-noout", "-modulus").decode()
    n = bytes.fromhex(modulus.strip().split("=", 1)[1])
    openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", str(ec_pem))
    point = openssl("pkey", "-in", str(ec_pem), "-pubout", "-outform", "DER")[-65:]
    jwks = {"keys": [
        {"kty": "RSA", "kid": "bench-rsa", "use": "sig", "alg": "RS256",
         "n": b64url(n), "e": b64url((65537).to_bytes(3, "big"))},
        {"kty": "EC", "crv": "P-256", "kid": "bench-ec", "use": "sig",
         "x": b64url(point[1:33]), "y": b64url(point[33:])}]}
    (out / "jwks.json").write_text(json.dumps(jwks))

    now = int(time.time())
    claims = {"iss": issuer, "aud": audience, "sub": "bench@idp",
              "scope": "invoices:read invoices:write", "iat": now, "exp": now + 7200}
    for alg, kid, pem in (("RS256", "bench-rsa", rsa_pem), ("ES256", "bench-ec", ec_pem)):
        head = {"alg": alg, "typ": "JWT", "kid": kid}
        signing_input = (b64url(json.dumps(head).encode()) + "." +
                         b64url(json.dumps(claims).encode())).encode()
        signature = openssl("dgst", "-sha256", "-sign", str(pem), data=signing_input)
        if alg == "ES256":
            signature = der_ecdsa_to_raw(signature)
        (out / f"{alg.lower()}.jwt").write_text(signing_input.decode() + "." + b64url(signature))


if __name__ == "__main__":
    main(*sys.argv[1:4])
