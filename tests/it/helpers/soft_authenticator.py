"""A software passkey authenticator for the tests, independent of the server's WebAuthn crate.

It answers the JSON options the server sends as a browser and a platform authenticator would
(RegistrationResponseJSON, AuthenticationResponseJSON): a P-256 key from Python's
`cryptography`, "none" attestation, user present and verified. Its state (key, credential id,
user handle, counter) goes in and out as JSON so the Rust test keeps it between calls.

    python3 soft_authenticator.py create '{"origin": …, "options": {…}}'
    python3 soft_authenticator.py get '{"origin": …, "options": {…}, "state": {…}}'

Optional fields to make wrong answers: "rp_id" (sign for another relying party), "other_key"
(sign with a key other than the registered one).
"""

import base64
import hashlib
import json
import os
import struct
import sys

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


# --- the little CBOR an authenticator writes (RFC 8949, canonical as CTAP2 asks) ---

def cbor_head(major: int, n: int) -> bytes:
    if n < 24:
        return bytes([major << 5 | n])
    if n < 256:
        return bytes([major << 5 | 24, n])
    if n < 65536:
        return bytes([major << 5 | 25]) + struct.pack(">H", n)
    return bytes([major << 5 | 26]) + struct.pack(">I", n)


def cbor(value) -> bytes:
    if isinstance(value, int):
        return cbor_head(0, value) if value >= 0 else cbor_head(1, -1 - value)
    if isinstance(value, bytes):
        return cbor_head(2, len(value)) + value
    if isinstance(value, str):
        raw = value.encode()
        return cbor_head(3, len(raw)) + raw
    if isinstance(value, dict):
        items = sorted((cbor(k), cbor(v)) for k, v in value.items())
        # canonical order: shorter encoded keys first, then bytewise
        items.sort(key=lambda kv: (len(kv[0]), kv[0]))
        return cbor_head(5, len(items)) + b"".join(k + v for k, v in items)
    raise TypeError(type(value))


def load_key(pem: str):
    return serialization.load_pem_private_key(pem.encode(), password=None)


def pem(key) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def client_data(kind: str, challenge: str, origin: str) -> bytes:
    return json.dumps(
        {"type": kind, "challenge": challenge, "origin": origin, "crossOrigin": False},
        separators=(",", ":"),
    ).encode()


UP, UV, AT = 0x01, 0x04, 0x40


def create(request: dict) -> dict:
    options = request["options"]
    rp_id = request.get("rp_id") or options["rp"]["id"]
    key = ec.generate_private_key(ec.SECP256R1())
    numbers = key.public_key().public_numbers()
    cose = cbor({1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"), -3: numbers.y.to_bytes(32, "big")})
    credential_id = os.urandom(16)
    auth_data = (
        hashlib.sha256(rp_id.encode()).digest()
        + bytes([UP | UV | AT])
        + struct.pack(">I", 0)
        + bytes(16)  # AAGUID: none
        + struct.pack(">H", len(credential_id))
        + credential_id
        + cose
    )
    attestation = cbor({"fmt": "none", "attStmt": {}, "authData": auth_data})
    data = client_data("webauthn.create", options["challenge"], request["origin"])
    state = {
        "key": pem(key),
        "credential_id": b64(credential_id),
        "user_handle": options["user"]["id"],
        "rp_id": rp_id,
        "counter": 0,
    }
    response = {
        "id": b64(credential_id),
        "rawId": b64(credential_id),
        "type": "public-key",
        "authenticatorAttachment": "platform",
        "clientExtensionResults": {},
        "response": {
            "clientDataJSON": b64(data),
            "attestationObject": b64(attestation),
            "transports": ["internal"],
        },
    }
    return {"state": state, "response": response}


def get(request: dict) -> dict:
    options, state = request["options"], dict(request["state"])
    rp_id = request.get("rp_id") or state["rp_id"]
    key = ec.generate_private_key(ec.SECP256R1()) if request.get("other_key") else load_key(state["key"])
    state["counter"] += 1
    auth_data = hashlib.sha256(rp_id.encode()).digest() + bytes([UP | UV]) + struct.pack(">I", state["counter"])
    data = client_data("webauthn.get", options["challenge"], request["origin"])
    signature = key.sign(auth_data + hashlib.sha256(data).digest(), ec.ECDSA(hashes.SHA256()))
    response = {
        "id": state["credential_id"],
        "rawId": state["credential_id"],
        "type": "public-key",
        "authenticatorAttachment": "platform",
        "clientExtensionResults": {},
        "response": {
            "clientDataJSON": b64(data),
            "authenticatorData": b64(auth_data),
            "signature": b64(signature),
            "userHandle": state["user_handle"],
        },
    }
    return {"state": state, "response": response}


if __name__ == "__main__":
    command, argument = sys.argv[1], json.loads(sys.argv[2])
    print(json.dumps({"create": create, "get": get}[command](argument)))
