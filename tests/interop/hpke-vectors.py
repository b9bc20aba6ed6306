#!/usr/bin/env python3
"""The HPKE part of the independent v2 decoder (v2-decoder.py), checked against RFC 9180.

RFC 9180, Appendix A.3 ("DHKEM(P-256, HKDF-SHA256), HKDF-SHA256, AES-128-GCM"), base mode: the
decoder's DHKEM decapsulation, labeled HKDF and key schedule must give the vector's
shared_secret, key and base_nonce from its skRm and enc, and its single-shot open must return the
vector's first plaintext (sequence number 0). The protocol's suite uses AES-256-GCM (AEAD 0x0002);
the RFC's appendix has no P-256 vector with it, so the check runs the decoder's own functions
with the suite id and key length of AES-128-GCM (AEAD 0x0001, Nk 16): everything else (the KEM,
the KDF, the labels, the context) is the same code path the protocol uses. A ciphertext with one
bit flipped must be refused (InvalidTag).

The vector's values are the RFC's published test data (RFC 9180, Appendix A.3.1).

Usage: python3 hpke-vectors.py. Prints one JSON object ({"ok": true, "checked": [...]}) and
exits 0, or prints what differed and exits 1.
"""

import importlib.util
import json
import os
import struct
import sys

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

HERE = os.path.dirname(os.path.abspath(__file__))


def load_decoder():
    spec = importlib.util.spec_from_file_location("v2_decoder", os.path.join(HERE, "v2-decoder.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# RFC 9180, Appendix A.3.1 (base setup information and the encryption with sequence number 0).
A3 = {
    "info": "4f6465206f6e2061204772656369616e2055726e",
    "skRm": "f3ce7fdae57e1a310d87f1ebbde6f328be0a99cdbcadf4d6589cf29de4b8ffd2",
    "pkRm": "04fe8c19ce0905191ebc298a9245792531f26f0cece2460639e8bc39cb7f70"
    "6a826a779b4cf969b8a0e539c7f62fb3d30ad6aa8f80e30f1d128aafd68a2ce72ea0",
    "enc": "04a92719c6195d5085104f469a8b9814d5838ff72b60501e2c4466e5e67b325"
    "ac98536d7b61a1af4b78e5b7f951c0900be863c403ce65c9bfcb9382657222d18c4",
    "shared_secret": "c0d26aeab536609a572b07695d933b589dcf363ff9d93c93adea537aeabb8cb8",
    "key": "868c066ef58aae6dc589b6cfdd18f97e",
    "base_nonce": "4e0bc5018beba4bf004cca59",
    "pt": "4265617574792069732074727574682c20747275746820626561757479",
    "aad": "436f756e742d30",
    "ct": "5ad590bb8baa577f8619db35a36311226a896e7342a6d836d8b7bcd2f20b6c7f"
    "9076ac232e3ab2523f39513434",
}


def main():
    decoder = load_decoder()
    # The appendix's suite: the same KEM and KDF, AES-128-GCM.
    decoder.HPKE_SUITE = b"HPKE" + struct.pack(">HHH", decoder.KEM_ID, decoder.KDF_ID, 0x0001)
    decoder.N_K = 16
    v = {name: bytes.fromhex(value) for name, value in A3.items()}
    sk_r = ec.derive_private_key(int.from_bytes(v["skRm"], "big"), ec.SECP256R1())
    problems = []
    checked = []

    def same(name, got, want):
        checked.append(name)
        if got != want:
            problems.append(f"{name}: {got.hex()} != {want.hex()}")

    pk_r = sk_r.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    same("pkRm", pk_r, v["pkRm"])
    shared_secret = decoder.decap(v["enc"], sk_r)
    same("shared_secret", shared_secret, v["shared_secret"])
    key, base_nonce = decoder.key_schedule_base(shared_secret, v["info"])
    same("key", key, v["key"])
    same("base_nonce", base_nonce, v["base_nonce"])
    try:
        opened = decoder.hpke_open_base(sk_r, v["enc"], v["info"], v["aad"], v["ct"])
        same("open(seq 0)", opened, v["pt"])
    except InvalidTag:
        problems.append("open(seq 0): the vector's ciphertext was refused")
    tampered = bytearray(v["ct"])
    tampered[0] ^= 0x01
    checked.append("tampered ciphertext refused")
    try:
        decoder.hpke_open_base(sk_r, v["enc"], v["info"], v["aad"], bytes(tampered))
        problems.append("a ciphertext with one bit flipped was opened")
    except InvalidTag:
        pass
    print(json.dumps({"ok": not problems, "checked": checked, "problems": problems}))
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())
