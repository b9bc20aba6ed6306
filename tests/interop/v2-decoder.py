#!/usr/bin/env python3
"""An independent gateway-side decoder and verifier of a sync protocol v2 batch.

Written from the documentation alone (build/docs/sync.md, "Sync protocol v2" and "Signed
requests"; sync/protocol/openapi.json, POST /v2/kiosks/{kioskId}/batches; RFC 9180), in another
language than the kiosk and the reference gateway, on the Debian package python3-cryptography
and the standard library only. It shows that a ministry can implement the gateway side from the
docs: tests/integration/sync/protocol-v2-interop.test.ts runs it on batches the kiosk's own
code made. Its first version, written before its author read any of the TypeScript, rebuilt a
real batch hash for hash; the refusal rules it lacked then (an entry's exact shape, its field
ids, unexpected-personal, the order of refusals) were read from the reference gateway and added
to the docs, which it now follows.

Usage:
    python3 v2-decoder.py BODY KIOSK_ID GATEWAY_PRIVATE_JWK DEVICE_PUBLIC_JWK

BODY is the request body (JSON, or its gzip); the keys are P-256 JWK files. Prints one JSON
object: "records", every record rebuilt as the kiosk made it (sig on each segment's last
record); "segments", each segment's first seq, record count and the reason it is refused whole
(null when its signature verifies); "refused", the reason of every refused record by seq;
"entries", the opened personal entries; "ok", nothing refused. Exits 0 when nothing is refused,
1 when anything is (the reasons are in the output, and on stderr), 2 on a malformed batch or bad
arguments. The reasons are the reference gateway's (build/docs/sync.md, "Decoding a v2
batch"). Not done here: checking each rebuilt record against the v1 record schema (the
reference answers 400 for a batch with a record that is not a valid v1 record) and the signed
request's headers (sync.md, "Signed requests").
"""

import base64
import gzip
import hashlib
import hmac
import json
import struct
import sys
import zlib

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDFExpand
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

MAX_PLAINTEXT = 16 * 1024 * 1024
INFO = b"service-point/personal/v2"


class Malformed(Exception):
    """The batch cannot be read at all (the reference gateway answers 400)."""


# --- encodings ---------------------------------------------------------------------------------


def b64url_decode(text):
    if not isinstance(text, str) or not all(c.isalnum() or c in "-_" for c in text):
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def b64url_encode(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def canonical_json(value):
    """Canonical JSON as the docs define it: object keys sorted by UTF-16 code units, no
    whitespace, strings as JSON.stringify writes them (non-ASCII characters as they are), integers
    in decimal. Only what a record or an entry can hold: objects, arrays, strings, integers,
    booleans, null."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError("not a JSON number")
        if value.is_integer() and abs(value) < 2**53:
            return str(int(value))
        return repr(value)
    if isinstance(value, str):
        return json_string(value)
    if isinstance(value, list):
        return "[" + ",".join(canonical_json(item) for item in value) + "]"
    if isinstance(value, dict):
        keys = sorted(value.keys(), key=utf16_units)
        return (
            "{" + ",".join(json_string(k) + ":" + canonical_json(value[k]) for k in keys) + "}"
        )
    raise ValueError(f"not JSON: {type(value).__name__}")


def utf16_units(text):
    return text.encode("utf-16-be", "surrogatepass")


def json_string(text):
    out = ['"']
    for ch in text:
        code = ord(ch)
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\b":
            out.append("\\b")
        elif ch == "\f":
            out.append("\\f")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        elif code < 0x20 or 0xD800 <= code <= 0xDFFF:
            out.append("\\u%04x" % code)
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def sha256_hex(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# --- keys --------------------------------------------------------------------------------------


def jwk_int(jwk, name):
    return int.from_bytes(b64url_decode(jwk[name]), "big")


def public_key_from_jwk(jwk):
    if jwk.get("kty") != "EC" or jwk.get("crv") != "P-256":
        raise Malformed("not a P-256 JWK")
    numbers = ec.EllipticCurvePublicNumbers(jwk_int(jwk, "x"), jwk_int(jwk, "y"), ec.SECP256R1())
    return numbers.public_key()


def private_key_from_jwk(jwk):
    return ec.derive_private_key(jwk_int(jwk, "d"), ec.SECP256R1())


# --- HPKE (RFC 9180), base mode, DHKEM(P-256, HKDF-SHA256), HKDF-SHA256, AES-256-GCM ----------

KEM_ID, KDF_ID, AEAD_ID = 0x0010, 0x0001, 0x0002
KEM_SUITE = b"KEM" + struct.pack(">H", KEM_ID)
HPKE_SUITE = b"HPKE" + struct.pack(">HHH", KEM_ID, KDF_ID, AEAD_ID)
N_SECRET, N_K, N_N, N_H = 32, 32, 12, 32


def hkdf_extract(salt, ikm):
    return hmac.new(salt or bytes(N_H), ikm, hashlib.sha256).digest()


def hkdf_expand(prk, info, length):
    return HKDFExpand(algorithm=hashes.SHA256(), length=length, info=info).derive(prk)


def labeled_extract(suite, salt, label, ikm):
    return hkdf_extract(salt, b"HPKE-v1" + suite + label + ikm)


def labeled_expand(suite, prk, label, info, length):
    return hkdf_expand(prk, struct.pack(">H", length) + b"HPKE-v1" + suite + label + info, length)


def decap(enc, sk_r):
    pk_e = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), enc)
    dh = sk_r.exchange(ec.ECDH(), pk_e)
    pk_rm = sk_r.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    eae_prk = labeled_extract(KEM_SUITE, b"", b"eae_prk", dh)
    return labeled_expand(KEM_SUITE, eae_prk, b"shared_secret", enc + pk_rm, N_SECRET)


def key_schedule_base(shared_secret, info):
    psk_id_hash = labeled_extract(HPKE_SUITE, b"", b"psk_id_hash", b"")
    info_hash = labeled_extract(HPKE_SUITE, b"", b"info_hash", info)
    context = b"\x00" + psk_id_hash + info_hash
    secret = labeled_extract(HPKE_SUITE, shared_secret, b"secret", b"")
    key = labeled_expand(HPKE_SUITE, secret, b"key", context, N_K)
    base_nonce = labeled_expand(HPKE_SUITE, secret, b"base_nonce", context, N_N)
    return key, base_nonce


def hpke_open_base(sk_r, enc, info, aad, ct):
    """Single-shot open: the first (sequence number 0) message of the context."""
    key, base_nonce = key_schedule_base(decap(enc, sk_r), info)
    return AESGCM(key).decrypt(base_nonce, ct, aad)


# --- the batch ---------------------------------------------------------------------------------


def open_personal(batch, kiosk_id, gateway_key):
    """The sealed personal entries (a list), or None when they cannot be opened or read."""
    sealed = batch["personal"]
    aad = f"service-point/batch/v2\n{kiosk_id}\n{batch['batchId']}".encode("utf-8")
    try:
        enc = b64url_decode(sealed["enc"])
        ct = b64url_decode(sealed["ct"])
        compressed = hpke_open_base(gateway_key, enc, INFO, aad, ct)
        inflater = zlib.decompressobj(-15)
        plain = inflater.decompress(compressed, MAX_PLAINTEXT + 1)
        if len(plain) > MAX_PLAINTEXT or inflater.unconsumed_tail or not inflater.eof:
            return None
        entries = json.loads(plain.decode("utf-8"))
    except (ValueError, InvalidTag, zlib.error, UnicodeDecodeError, KeyError, TypeError):
        return None
    return entries if isinstance(entries, list) else None


def declares_personal(wire):
    """A transaction whose body has a `personal` declaration: it has one sealed entry."""
    if wire.get("kind") != "transaction" or wire["body"].get("personal") in (None, False, 0, ""):
        return False
    if not isinstance(wire["body"]["personal"], dict):
        raise Malformed("body.personal is not an object")
    return True


SALT_CHARS = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def is_payload(entry):
    """An entry that is a personal-fields payload: exactly {salt, fields}, the salt 22 base64url
    characters (16 bytes), fields a map of string ids (at most 100 UTF-16 code units) to string
    values (at most 20,000)."""
    if not isinstance(entry, dict) or set(entry) != {"salt", "fields"}:
        return False
    salt, fields = entry["salt"], entry["fields"]
    if not isinstance(salt, str) or len(salt) != 22 or not set(salt) <= SALT_CHARS:
        return False
    if not isinstance(fields, dict):
        return False
    return all(
        utf16_length(k) <= 100 and isinstance(v, str) and utf16_length(v) <= 20000
        for k, v in fields.items()
    )


def utf16_length(text):
    """A string's length as the docs count it: in UTF-16 code units."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def payload_digest(entry):
    """Hex SHA-256 of the canonical JSON of a payload, or None when the entry is not one."""
    return sha256_hex(canonical_json(entry)) if is_payload(entry) else None


def verify_segment_sig(device_key, last_hash_hex, sig_b64url):
    """ECDSA P-256 with SHA-256, IEEE P1363 (r || s), over the last record's hash: the UTF-8
    bytes of its 64-character lower-case hex text."""
    try:
        raw = b64url_decode(sig_b64url)
    except ValueError:
        return False
    if len(raw) != 64:
        return False
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    try:
        device_key.verify(der, last_hash_hex.encode("ascii"), ec.ECDSA(hashes.SHA256()))
        return True
    except InvalidSignature:
        return False


def batch_personal(batch, kiosk_id, gateway_key, declaring):
    """The opened entries and the batch's own personal failure, if any."""
    if declaring == 0:
        return None, ("unexpected-personal" if "personal" in batch else None)
    if "personal" not in batch:
        return None, "personal-missing"
    entries = open_personal(batch, kiosk_id, gateway_key)
    if entries is None:
        return None, "personal-unreadable"
    if len(entries) != declaring:
        return entries, "personal-mismatch"
    return entries, None


def rebuild_segment(segment, kiosk_id, entries, failure, first_entry):
    """The segment's records as the kiosk made them, the positions whose content does not hash to
    the hash they carry, and the reason the segment cannot be proven (a left-out digest that
    cannot be derived), if any."""
    prev_hash = b64url_decode(segment["prevHash"]).hex()
    records, altered, unproven, index = [], set(), None, first_entry
    for position, wire in enumerate(segment["records"]):
        body = json.loads(json.dumps(wire["body"]))
        if declares_personal(wire):
            personal = body["personal"]
            entry = entries[index] if entries is not None and index < len(entries) else None
            index += 1
            if "digest" in personal:
                personal["digest"] = b64url_decode(personal["digest"]).hex()
            else:
                derived = None if failure else payload_digest(entry)
                if derived is None and unproven is None:
                    unproven = failure or (
                        "personal-missing" if entry is None else "personal-unreadable"
                    )
                personal["digest"] = derived or "0" * 64
        record = {
            "v": 1,
            "kioskId": kiosk_id,
            "seq": segment["seq"] + position,
            "prevHash": prev_hash,
            "createdAt": wire["createdAt"],
            "kind": wire["kind"],
            "body": body,
        }
        computed = sha256_hex(canonical_json(record))
        # A record the kiosk found altered since signing carries the hash it was signed with:
        # the chain goes on from that hash, and only this record is refused.
        record["hash"] = b64url_decode(wire["hash"]).hex() if "hash" in wire else computed
        if record["hash"] != computed:
            altered.add(position)
        records.append(record)
        prev_hash = record["hash"]
    records[-1]["sig"] = segment["sig"]
    return records, altered, unproven, index


def check_entry(declared, entry):
    """Why an opened entry does not match its record's declaration, or None."""
    if entry is None:
        return "personal-missing"
    if not is_payload(entry):
        return "personal-unreadable"
    if sorted(entry["fields"], key=utf16_units) != sorted(declared["fieldIds"], key=utf16_units):
        return "personal-mismatch"
    return None if payload_digest(entry) == declared["digest"] else "personal-mismatch"


def decode(batch, kiosk_id, gateway_key, device_key):
    if not isinstance(batch, dict) or not isinstance(batch.get("segments"), list):
        raise Malformed("no segments")
    wires = [wire for segment in batch["segments"] for wire in segment["records"]]
    entries, failure = batch_personal(
        batch, kiosk_id, gateway_key, sum(1 for wire in wires if declares_personal(wire))
    )
    records, verdicts, refused, next_entry = [], [], {}, 0
    for segment in batch["segments"]:
        first_entry = next_entry
        rebuilt, altered, unproven, next_entry = rebuild_segment(
            segment, kiosk_id, entries, failure, first_entry
        )
        signed = unproven is None and verify_segment_sig(
            device_key, rebuilt[-1]["hash"], segment["sig"]
        )
        reason = unproven or (None if signed else "bad-signature")
        index = first_entry
        for position, record in enumerate(rebuilt):
            declared = record["body"].get("personal") if record["kind"] == "transaction" else None
            entry = None
            if declared:
                entry = entries[index] if entries is not None and index < len(entries) else None
                index += 1
            why = reason
            if why is None and position in altered:
                why = "hash-mismatch"
            if why is None and not declared and failure == "unexpected-personal":
                why = failure
            if why is None and declared:
                why = failure or check_entry(declared, entry)
            if why is not None:
                refused[str(record["seq"])] = why
        verdicts.append({"seq": segment["seq"], "count": len(rebuilt), "reason": reason})
        records.extend(rebuilt)
    return {
        "ok": not refused,
        "records": records,
        "segments": verdicts,
        "refused": refused,
        "entries": entries,
    }


def reject_constant(name):
    raise ValueError(f"{name} is not JSON")


def main(argv):
    if len(argv) != 5:
        print(__doc__, file=sys.stderr)
        return 2
    body_path, kiosk_id, gateway_jwk_path, device_jwk_path = argv[1:]
    with open(body_path, "rb") as handle:
        raw = handle.read()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    try:
        batch = json.loads(raw.decode("utf-8"), parse_constant=reject_constant)
        with open(gateway_jwk_path, encoding="utf-8") as handle:
            gateway_key = private_key_from_jwk(json.load(handle))
        with open(device_jwk_path, encoding="utf-8") as handle:
            device_key = public_key_from_jwk(json.load(handle))
        result = decode(batch, kiosk_id, gateway_key, device_key)
    except (Malformed, KeyError, TypeError, ValueError) as error:
        print(f"malformed: {error!r}", file=sys.stderr)
        return 2
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")
    if not result["ok"]:
        print("refused: " + json.dumps(result["refused"]), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
