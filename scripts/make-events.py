#!/usr/bin/env python3
"""Regenerates events/*.json: API Gateway HTTP API (payload v2) events, one per documented case.

Their tokens are signed with the committed dev-only keys (through the admin CLI) and name the
fixed ids of `admin seed`, with an expiry of 2100-01-01, so they answer as named after `make dev`.
Run from the repository root: python3 scripts/make-events.py
"""
import json
import subprocess
import time

TENANT = "0f8fad5b-d9cb-469f-a165-70867728950e"
API_KEY = "cuk_5f1d0c2a9e8b4c7d8a6f3e2d1c0b9a87"
API_SECRET = "cus_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
OTHER_TENANT = "3b241101-e2bb-4255-8caf-4136c566a962"
ADA, ADA_SESSION, ADA_REVOKED = "7c9e6679-7425-40de-944b-e07fc1f90ae7", "9b2f7c1e-3a4d-4e5f-8a6b-7c8d9e0f1a2b", "5d6e7f80-9a1b-4c2d-9e3f-4a5b6c7d8e9f"
GRACE, GRACE_SESSION = "16fd2706-8baf-433b-82eb-8c7fada847da", "c3d4e5f6-a7b8-4c9d-8e0f-1a2b3c4d5e6f"
EXPIRY_2100 = 4102444800


def token(user, session, ttl=None, alg="es256"):
    ttl = EXPIRY_2100 - int(time.time()) if ttl is None else ttl
    out = subprocess.run(
        ["cargo", "run", "-q", "-p", "admin", "--", "token", "--json", "--tenant", TENANT, "--user", user,
         "--session", session, "--ttl", str(ttl), "--alg", alg, "--issuer", "https://dev.current-user.invalid"],
        check=True, capture_output=True, text=True).stdout
    return json.loads(out)["token"]


def event(name, method="GET", path="/me", headers=None, cookies=None, query=""):
    base_headers = {
        "accept": "application/json",
        "host": "abc123example.execute-api.us-east-1.amazonaws.com",
        "user-agent": "curl/8.5.0",
        "x-forwarded-for": "203.0.113.10",
        "x-forwarded-port": "443",
        "x-forwarded-proto": "https",
    }
    base_headers.update(headers or {})
    body = {
        "version": "2.0",
        "routeKey": f"GET {path}",
        "rawPath": path,
        "rawQueryString": query,
        "headers": base_headers,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "abc123example",
            "domainName": "abc123example.execute-api.us-east-1.amazonaws.com",
            "domainPrefix": "abc123example",
            "http": {"method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "203.0.113.10", "userAgent": "curl/8.5.0"},
            "requestId": f"{name}-event-request-id",
            "routeKey": f"GET {path}",
            "stage": "$default",
            "time": "22/Nov/2026:12:00:00 +0000",
            "timeEpoch": 1795348800000,
        },
        "isBase64Encoded": False,
    }
    if cookies:
        body["cookies"] = cookies
    if query:
        body["queryStringParameters"] = dict(pair.split("=", 1) for pair in query.split("&"))
    with open(f"events/{name}.json", "w") as f:
        json.dump(body, f, indent=2)
        f.write("\n")


ada = token(ADA, ADA_SESSION)
event("get-me", cookies=["theme=dark", f"__session={ada}"])
event("get-me-bearer", headers={"authorization": f"Bearer {token(GRACE, GRACE_SESSION, alg='rs256')}"})
event("get-me-no-cookie", cookies=["theme=dark"])
event("get-me-expired", cookies=[f"__session={token(ADA, ADA_SESSION, ttl=-3600)}"])
event("get-me-revoked-session", cookies=[f"__session={token(ADA, ADA_REVOKED)}"])
head, payload, signature = ada.split(".")
tampered = signature[:-4] + ("AAAA" if not signature.endswith("AAAA") else "BBBB")
event("get-me-bad-signature", headers={"authorization": f"Bearer {head}.{payload}.{tampered}"})
event("get-me-ambiguous-cookies", cookies=[f"__session={ada}", "__session=another.value.here"])
event("get-me-post", method="POST", cookies=[f"__session={ada}"])

api = {"accept": "application/vnd.api+json", "x-domain": TENANT}
key_pair = {"x-api-key": API_KEY, "x-api-secret": API_SECRET}
event("get-users-me-jwt", path="/users/me", headers={**api, "authorization": f"Bearer {ada}"})
event("get-users-me-api-key", path="/users/me", headers={**api, **key_pair})
event("get-users-me-include-profile", path="/users/me", headers={**api, **key_pair}, query="include=profile")
event("get-users-me-sparse-fields", path="/users/me", headers={**api, **key_pair},
      query="include=profile&fields%5Busers%5D=email,profile&fields%5Busers_profile%5D=first_name,last_name")
event("get-users-me-no-domain", path="/users/me", headers={"accept": "application/vnd.api+json", **key_pair})
event("get-users-me-wrong-secret", path="/users/me", headers={**api, "x-api-key": API_KEY, "x-api-secret": "cus_" + "f" * 64})
event("get-users-me-other-tenant", path="/users/me", headers={**api, "x-domain": OTHER_TENANT, "authorization": f"Bearer {ada}"})
event("get-users-me-unknown-include", path="/users/me", headers={**api, **key_pair}, query="include=friends")
