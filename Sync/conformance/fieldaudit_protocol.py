"""A second, independent implementation of the FieldAudit sync protocol (Sync/PROTOCOL.md).

Written from Sync/PROTOCOL.md, Sync/openapi.yaml and Sync/vectors/ alone (clean room), so that
the specification is shown to be enough to interoperate with the reference implementation.
Where the specification was silent or unclear, the guess made is named in GAPS.md with the
section it concerns.

Part one: change records, canonical encoding, hash chains, the multi-value register, the state
digest (§2–§9). Part two: bundle reading (every check of §11–§17 and the importer's chain and
checkpoint checks of §15 and §21 step 1) and writing, sealed bodies (§16). Part three: request
signatures (§25) and the answer proofs (§24).

Requires Python 3.11 and the `cryptography` package.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import os
import struct
import uuid
import zlib
from typing import Iterable

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

U64 = 1 << 64
MAX_SEQ = (1 << 63) - 1
GENESIS = bytes(32)


class ProtocolError(Exception):
    """A refusal, with a short machine-readable reason (`kind`) and a message."""

    def __init__(self, kind: str, message: str):
        super().__init__(f"{kind}: {message}")
        self.kind = kind


def sha256(*parts: bytes) -> bytes:
    h = hashlib.sha256()
    for p in parts:
        h.update(p)
    return h.digest()


# ---------------------------------------------------------------------------------------------
# §2 identifiers and keys


def replica_id(public_key: bytes) -> bytes:
    return sha256(public_key)[:16]


def uuid_text(b: bytes) -> str:
    return str(uuid.UUID(bytes=b))


def uuid_bytes(s: str) -> bytes:
    return uuid.UUID(s).bytes


def public_key_of(private: Ed25519PrivateKey) -> bytes:
    return private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def seed_of(private: Ed25519PrivateKey) -> bytes:
    return private.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                 serialization.NoEncryption())


def verify_ed25519(public_key: bytes, signature: bytes, message: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
        return True
    except (InvalidSignature, ValueError):
        return False


def creator_tag(first10: bytes, creator: bytes) -> bytes:
    """§2: the last 6 bytes of an id that names its creator."""
    return sha256(b"fieldaudit.creator", b"\x00", first10, creator)[:6]


def new_entity_id(creator: bytes, ms: int) -> bytes:
    """A creator-bound UUIDv7 (§2)."""
    rand = bytearray(os.urandom(4))
    first = bytearray(ms.to_bytes(6, "big")) + rand
    first[6] = 0x70 | (first[6] & 0x0F)   # version 7
    first[8] = 0x80 | (first[8] & 0x3F)   # variant 10
    first10 = bytes(first[:10])
    return first10 + creator_tag(first10, creator)


def member_id(engagement: bytes, replica: bytes, label: bytes = b"fieldaudit.member") -> bytes:
    """§22 member id bytes (name-based UUIDv8)."""
    b = bytearray(sha256(label, b"\x00", struct.pack(">I", 16), engagement,
                         struct.pack(">I", 16), replica)[:16])
    b[6] = 0x80 | (b[6] & 0x0F)
    b[8] = 0x80 | (b[8] & 0x3F)
    return bytes(b)


KEY_BEGIN = "-----BEGIN FIELDAUDIT ED25519 PRIVATE KEY-----"
KEY_END = "-----END FIELDAUDIT ED25519 PRIVATE KEY-----"


def key_file_text(private: Ed25519PrivateKey) -> str:
    """§2 key file."""
    return f"{KEY_BEGIN}\n{base64.b64encode(seed_of(private)).decode()}\n{KEY_END}\n"


def agreement_private(seed: bytes) -> X25519PrivateKey:
    """§16.1: the X25519 agreement key derived from the Ed25519 seed."""
    k = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"",
             info=b"fieldaudit-agreement-key-v1").derive(seed)
    return X25519PrivateKey.from_private_bytes(k)


def x25519_public(private: X25519PrivateKey) -> bytes:
    return private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def fingerprint(public_key: bytes) -> str:
    """The identity card's fingerprint (openapi IdentityCard: `^SHA256:`); the rest is a guess
    spelled out in GAPS.md (OpenSSH style: unpadded standard base64 of SHA-256 of the key)."""
    return "SHA256:" + base64.b64encode(sha256(public_key)).decode().rstrip("=")


def identity_card(private: Ed25519PrivateKey, name: str) -> dict:
    pub = public_key_of(private)
    return {
        "format": "fieldaudit-identity-card",
        "version": 1,
        "name": name,
        "replicaID": replica_id(pub).hex(),
        "publicKey": base64.b64encode(pub).decode(),
        "fingerprint": fingerprint(pub),
        "agreementKey": base64.b64encode(x25519_public(agreement_private(seed_of(private)))).decode(),
    }


# ---------------------------------------------------------------------------------------------
# §3 change records and values

NULL, INTEGER, REAL, TEXT, BYTES, BLOB, JSON = range(7)
TYPE_NAMES = ["null", "integer", "real", "text", "bytes", "blob", "json"]


@dataclasses.dataclass(frozen=True)
class Value:
    """A typed value; `v` is None, an int (integer: signed; real: the u64 bit pattern), a str
    (text, json) or bytes (bytes, blob)."""

    tag: int
    v: object = None

    def canonical(self) -> bytes:
        t, v = self.tag, self.v
        if t == NULL:
            return b"\x00"
        if t == INTEGER:
            return b"\x01" + (v % U64).to_bytes(8, "big")
        if t == REAL:
            return b"\x02" + v.to_bytes(8, "big")
        if t in (TEXT, JSON):
            b = v.encode("utf-8")
            return bytes([t]) + struct.pack(">I", len(b)) + b
        if t == BYTES:
            return b"\x04" + struct.pack(">I", len(v)) + v
        if t == BLOB:
            return b"\x05" + v
        raise ProtocolError("invalidChange", f"unknown value tag {t}")

    def is_true(self) -> bool:
        return self.tag == INTEGER and self.v != 0

    def to_json(self) -> dict:
        name = TYPE_NAMES[self.tag]
        if self.tag == NULL:
            return {"type": name}
        if self.tag == INTEGER:
            return {"type": name, "value": str(self.v)}
        if self.tag == REAL:
            return {"type": name, "value": f"{self.v:016x}"}
        if self.tag in (TEXT, JSON):
            return {"type": name, "value": self.v}
        return {"type": name, "value": self.v.hex()}

    @staticmethod
    def from_json(d: dict) -> "Value":
        t = TYPE_NAMES.index(d["type"])
        if t == NULL:
            return Value(NULL)
        if t == INTEGER:
            return Value(INTEGER, int(d["value"]))
        if t == REAL:
            return Value(REAL, int(d["value"], 16))
        if t in (TEXT, JSON):
            return Value(t, d["value"])
        return Value(t, bytes.fromhex(d["value"]))

    @staticmethod
    def real(x: float) -> "Value":
        return Value(REAL, struct.unpack(">Q", struct.pack(">d", x))[0])


@dataclasses.dataclass(frozen=True)
class Change:
    origin: bytes
    seq: int
    stamp: int
    transaction: int
    engagement: bytes
    kind: str
    entity: bytes
    field: str
    value: Value
    supersedes: tuple = ()  # ((origin bytes, seq), ...)

    @property
    def id(self) -> tuple:
        return (self.origin, self.seq)

    def canonical(self) -> bytes:
        k, f = self.kind.encode(), self.field.encode()
        out = [self.origin, struct.pack(">QQQ", self.seq, self.stamp, self.transaction),
               self.engagement, self.entity, struct.pack(">H", len(k)), k,
               struct.pack(">H", len(f)), f, self.value.canonical(),
               struct.pack(">I", len(self.supersedes))]
        for o, s in self.supersedes:
            out += [o, struct.pack(">Q", s)]
        return b"".join(out)

    def content(self) -> bytes:
        return sha256(self.canonical())

    def validate(self) -> None:
        """§3: every constraint of the change record table."""
        def bad(msg):
            raise ProtocolError("invalidChange", f"change {self.origin.hex()[:8]}:{self.seq}: {msg}")
        if len(self.origin) != 16 or len(self.engagement) != 16 or len(self.entity) != 16:
            bad("an id is not 16 bytes")
        if not 1 <= self.seq <= MAX_SEQ:
            bad("seq out of range")
        if not 0 <= self.stamp < U64:
            bad("stamp out of range")
        if not 1 <= self.transaction <= self.seq:
            bad("transaction out of range")
        for name, s in (("kind", self.kind), ("field", self.field)):
            if not 1 <= len(s.encode()) <= 255:
                bad(f"{name} is not 1-255 bytes")
        prev = None
        for sid in self.supersedes:
            if len(sid[0]) != 16 or not 1 <= sid[1] <= MAX_SEQ:
                bad("a superseded id is out of range")
            if sid == self.id:
                bad("supersedes itself")
            if prev is not None and not prev < sid:
                bad("supersedes is not strictly ascending")
            prev = sid
        v = self.value
        if v.tag == INTEGER and not -(1 << 63) <= v.v < (1 << 63):
            bad("integer out of range")
        if v.tag == BLOB and len(v.v) != 32:
            bad("blob is not 32 bytes")

    def to_json(self) -> dict:
        return {
            "canonical": self.canonical().hex(),
            "content": self.content().hex(),
            "engagement": uuid_text(self.engagement),
            "entity": uuid_text(self.entity),
            "field": self.field,
            "kind": self.kind,
            "origin": self.origin.hex(),
            "seq": str(self.seq),
            "stamp": str(self.stamp),
            "supersedes": [{"origin": o.hex(), "seq": str(s)} for o, s in self.supersedes],
            "transaction": str(self.transaction),
            "value": self.value.to_json(),
        }

    @staticmethod
    def from_json(d: dict) -> "Change":
        return Change(bytes.fromhex(d["origin"]), int(d["seq"]), int(d["stamp"]), int(d["transaction"]),
                      uuid_bytes(d["engagement"]), d["kind"], uuid_bytes(d["entity"]), d["field"],
                      Value.from_json(d["value"]),
                      tuple((bytes.fromhex(s["origin"]), int(s["seq"])) for s in d["supersedes"]))


def chain_hash(previous: bytes, content: bytes) -> bytes:
    """§3.1: hash(n) = SHA-256(hash(n-1) || content(n))."""
    return sha256(previous, content)


@dataclasses.dataclass(frozen=True)
class Placeholder:
    """A withheld change: its id and content digest only (§13.8)."""

    origin: bytes
    seq: int
    content_digest: bytes

    def content(self) -> bytes:
        return self.content_digest


# ---------------------------------------------------------------------------------------------
# §5–§9 the state


class State:
    """A replica's state: a pure function of the set of links it holds."""

    def __init__(self):
        self.log: dict = {}          # (origin, seq) -> Change | Placeholder
        self.entities: dict = {}     # entity -> (kind, engagement)
        self.writes: dict = {}       # (entity, field) -> {id: Change}
        self.superseded: dict = {}   # (entity, field) -> set of ids
        self.prefix: dict = {}       # origin -> (n, hash n)

    # §9 step 1: validate, equivocation, entity mismatch, for the whole batch first
    def apply(self, links: Iterable) -> int:
        links = list(links)
        seen: dict = {}
        new_entities: dict = {}
        fresh = []
        for link in links:
            if isinstance(link, Change):
                link.validate()
            key = (link.origin, link.seq)
            held = self.log.get(key, seen.get(key))
            if held is not None:
                if held == link:
                    continue  # duplicate
                if isinstance(held, Placeholder) and isinstance(link, Change) \
                        and held.content_digest == link.content():
                    pass  # the full change replaces its placeholder (§13.8)
                else:
                    raise ProtocolError("equivocation", f"two different changes {link.origin.hex()[:8]}:{link.seq}")
            if isinstance(link, Change):
                first = self.entities.get(link.entity, new_entities.get(link.entity))
                if first is None:
                    new_entities[link.entity] = (link.kind, link.engagement)
                elif first != (link.kind, link.engagement):
                    raise ProtocolError("entityMismatch",
                                        f"change {link.origin.hex()[:8]}:{link.seq} contradicts its entity's kind or engagement")
            seen[key] = link
            fresh.append(link)
        for link in fresh:
            self._apply_one(link)
        return len(fresh)

    def _apply_one(self, link) -> None:
        self.log[(link.origin, link.seq)] = link
        if isinstance(link, Change):
            self.entities.setdefault(link.entity, (link.kind, link.engagement))
            key = (link.entity, link.field)
            w = self.writes.setdefault(key, {})
            s = self.superseded.setdefault(key, set())
            s.update(link.supersedes)
            w[link.id] = link
        self.prefix.setdefault(link.origin, (0, GENESIS))
        self._extend(link.origin)

    def _extend(self, origin: bytes) -> None:
        n, h = self.prefix[origin]
        while (origin, n + 1) in self.log:
            n += 1
            h = chain_hash(h, self.log[(origin, n)].content())
        self.prefix[origin] = (n, h)

    def chain_hash_of(self, origin: bytes, seq: int) -> bytes | None:
        n, _ = self.prefix.get(origin, (0, GENESIS))
        if seq > n:
            return None
        h = GENESIS
        for i in range(1, seq + 1):
            h = chain_hash(h, self.log[(origin, i)].content())
        return h

    def vector(self) -> dict:
        return {o: n for o, (n, _) in self.prefix.items() if n > 0}

    @staticmethod
    def _display_key(c: Change):
        return (c.stamp, c.origin, c.seq)

    def visible(self, entity: bytes, field: str) -> list:
        """§5: visible values in display order, winner first."""
        key = (entity, field)
        s = self.superseded.get(key, set())
        vis = [c for i, c in self.writes.get(key, {}).items() if i not in s]
        return sorted(vis, key=self._display_key, reverse=True)

    def is_deleted(self, entity: bytes) -> bool:
        v = self.visible(entity, "deleted")
        return bool(v) and v[0].value.is_true()

    def digest(self) -> bytes:
        """§8."""
        h = hashlib.sha256()
        for e in sorted(self.entities):
            kind, eng = self.entities[e]
            k = kind.encode()
            h.update(b"\x01" + e + struct.pack(">H", len(k)) + k + eng + bytes([1 if self.is_deleted(e) else 0]))
        fields = sorted(set(self.writes) | set(self.superseded), key=lambda ef: (ef[0], ef[1].encode()))
        for e, f in fields:
            fb = f.encode()
            s = self.superseded.get((e, f), set())
            for c in sorted((c for i, c in self.writes.get((e, f), {}).items() if i not in s),
                            key=lambda c: c.id):
                h.update(b"\x02" + e + struct.pack(">H", len(fb)) + fb + c.origin
                         + struct.pack(">QQ", c.seq, c.stamp) + c.value.canonical())
        for e, f in fields:
            fb = f.encode()
            for o, sq in sorted(self.superseded.get((e, f), set())):
                h.update(b"\x03" + e + struct.pack(">H", len(fb)) + fb + o + struct.pack(">Q", sq))
        for o in sorted(self.prefix):
            n, hh = self.prefix[o]
            h.update(b"\x04" + o + struct.pack(">Q", n) + hh)
        return h.digest()


# ---------------------------------------------------------------------------------------------
# §13.1 varints


def put_varint(n: int) -> bytes:
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def zigzag(d: int) -> int:
    d %= U64
    if d >= 1 << 63:
        d -= U64
    return ((d << 1) ^ (d >> 63)) % U64


def unzigzag(z: int) -> int:
    return (z >> 1) ^ -(z & 1)


class Reader:
    """A cursor over bytes; errors name where they happened."""

    def __init__(self, data: bytes, where: str = "", base: int = 0):
        self.data, self.pos, self.where, self.base = data, 0, where, base

    def fail(self, kind, msg):
        raise ProtocolError(kind, f"{self.where}at offset {self.base + self.pos}: {msg}")

    def take(self, n: int) -> bytes:
        if n < 0 or self.pos + n > len(self.data):
            self.fail("malformed", f"needs {n} bytes, {len(self.data) - self.pos} left")
        b = self.data[self.pos:self.pos + n]
        self.pos += n
        return b

    def u8(self):
        return self.take(1)[0]

    def u16(self):
        return struct.unpack(">H", self.take(2))[0]

    def u32(self):
        return struct.unpack(">I", self.take(4))[0]

    def u64(self):
        return struct.unpack(">Q", self.take(8))[0]

    def varint(self, max_bytes: int = 10) -> int:
        n = shift = 0
        for i in range(max_bytes):
            if self.pos >= len(self.data):
                self.fail("malformed", "varint cut short")
            b = self.data[self.pos]
            self.pos += 1
            if i == 9 and b > 1:
                self.fail("malformed", "varint beyond 64 bits")
            n |= (b & 0x7F) << shift
            shift += 7
            if not b & 0x80:
                if b == 0 and i > 0:
                    self.fail("malformed", "varint not minimal")
                return n
        self.fail("malformed", f"varint longer than {max_bytes} bytes")

    def zigzag(self) -> int:
        return unzigzag(self.varint())

    def remaining(self) -> int:
        return len(self.data) - self.pos

    def at_end(self) -> bool:
        return self.pos == len(self.data)


def decode_utf8(b: bytes, r: Reader, what: str) -> str:
    try:
        return b.decode("utf-8")
    except UnicodeDecodeError:
        r.fail("malformed", f"{what} is not valid UTF-8")


# ---------------------------------------------------------------------------------------------
# §12–§19 bundles

MAGIC = b"FABUNDLE"
FORMAT_VERSION = 1
MAX_HEADER = 4_194_304
MAX_FRAME = 16_777_216
MAX_CHUNK = 262_144
SEAL_CHUNK = 65_536
SEALED_CAP = "sealed-body-v1"
KNOWN_REQUIRED = {SEALED_CAP}
NAME_CAPACITY, ENTITY_CAPACITY = 4096, 65536


class RefTable:
    """§13.3 reference tables."""

    def __init__(self, capacity: int):
        self.capacity, self.slots, self.count, self.index = capacity, [None] * capacity, 0, {}

    def add(self, key, value) -> None:
        slot = self.count % self.capacity
        old = self.slots[slot]
        if old is not None and self.index.get(old[0]) == self.count - self.capacity:
            del self.index[old[0]]
        self.slots[slot] = (key, value)
        self.index[key] = self.count
        self.count += 1

    def get(self, r: int):
        if r < 1 or r > min(self.count, self.capacity):
            return None
        return self.slots[(self.count - r) % self.capacity]

    def ref(self, key):
        k = self.index.get(key)
        if k is None or self.count - k > self.capacity:
            return None
        return self.count - k


@dataclasses.dataclass
class Header:
    flags: int
    capabilities: list           # [(name, required)], peer-head parts removed
    exporter_key: bytes
    exporter: bytes
    created: int
    engagements: list
    ranges: list                 # [(origin, after, through)]
    ephemeral: bytes | None = None
    recipients: list = dataclasses.field(default_factory=list)  # [(R, wrapped)]
    peer_head: tuple | None = None  # (key, seq, hash, signature)
    raw: bytes = b""

    def to_json(self) -> dict:
        return {
            "capabilities": [{"name": n, "required": bool(r)} for n, r in self.capabilities],
            "createdAt": str(self.created),
            "engagements": [uuid_text(e) for e in self.engagements],
            "exporter": self.exporter.hex(),
            "exporterPublicKey": self.exporter_key.hex(),
            "formatVersion": FORMAT_VERSION,
            "includesEvidence": bool(self.flags & 1),
            "ranges": [{"after": str(a), "origin": o.hex(), "through": str(t)} for o, a, t in self.ranges],
            "sealedFor": [r.hex() for r, _ in self.recipients],
        }


@dataclasses.dataclass
class Checkpoint:
    key: bytes
    seq: int
    hash: bytes
    signature: bytes

    @property
    def origin(self) -> bytes:
        return replica_id(self.key)

    def message(self) -> bytes:
        return b"fieldaudit-checkpoint-v1" + self.origin + struct.pack(">Q", self.seq) + self.hash

    def verify(self) -> bool:
        return verify_ed25519(self.key, self.signature, self.message())

    @staticmethod
    def sign(private: Ed25519PrivateKey, seq: int, h: bytes) -> "Checkpoint":
        c = Checkpoint(public_key_of(private), seq, h, b"")
        return dataclasses.replace(c, signature=private.sign(c.message()))

    def to_json(self) -> dict:
        return {"hash": self.hash.hex(), "origin": self.origin.hex(), "seq": str(self.seq),
                "signature": self.signature.hex(), "signerPublicKey": self.key.hex()}


@dataclasses.dataclass
class BlobChunk:
    digest: bytes
    total: int
    offset: int
    data: bytes

    def to_json(self) -> dict:
        return {"bytes": self.data.hex(), "digest": self.digest.hex(), "offset": str(self.offset),
                "totalSize": str(self.total)}


@dataclasses.dataclass
class Bundle:
    header: Header
    records: list                 # Change | Placeholder | BlobChunk | Checkpoint, in order
    end_counts: tuple
    digest: bytes
    signature: bytes
    size: int
    files: dict                   # digest -> bytes (assembled evidence)

    def records_json(self) -> list:
        out, hashes = [], {}
        for r in self.records:
            if isinstance(r, Change):
                j = r.to_json()
                prev = hashes.get(r.origin)
                if prev is not None and prev[0] == r.seq - 1:
                    h = chain_hash(prev[1], r.content())
                elif r.seq == 1:
                    h = chain_hash(GENESIS, r.content())
                else:
                    h = None
                if h is not None:
                    hashes[r.origin] = (r.seq, h)
                    j["hash"] = h.hex()
                out.append({"type": "change", "change": j})
            elif isinstance(r, Placeholder):
                prev = hashes.get(r.origin)
                if prev is not None and prev[0] == r.seq - 1:
                    hashes[r.origin] = (r.seq, chain_hash(prev[1], r.content_digest))
                out.append({"type": "redacted", "redacted": {"content": r.content_digest.hex(),
                                                            "origin": r.origin.hex(), "seq": str(r.seq)}})
            elif isinstance(r, BlobChunk):
                out.append({"type": "blobChunk", "blobChunk": r.to_json()})
            else:
                out.append({"type": "checkpoint", "checkpoint": r.to_json()})
        return out

    def links(self) -> list:
        return [r for r in self.records if isinstance(r, (Change, Placeholder))]

    def checkpoints(self) -> list:
        return [r for r in self.records if isinstance(r, Checkpoint)]

    def summary_json(self) -> dict:
        c, chunks, blob_bytes, cps = self.end_counts
        return {"blobBytes": str(blob_bytes), "blobChunks": str(chunks), "byteCount": str(self.size),
                "changes": str(c), "checkpoints": str(cps), "digest": self.digest.hex()}


def _parse_peer_head(caps: list):
    """§12.2: assemble `peer-head.K.HEX` parts; return (checkpoint or None, remaining caps)."""
    parts, others = {}, []
    for name, req in caps:
        if name.startswith("peer-head."):
            rest = name[len("peer-head."):]
            k, dot, digits = rest.partition(".")
            if dot and k.isdigit() and (k == "0" or not k.startswith("0")) and req == 0:
                parts.setdefault(int(k), []).append((name, digits))
                continue
        others.append((name, req))
    if not parts:
        return None, caps
    n = len(parts)
    ok = sorted(parts) == list(range(n)) and all(len(v) == 1 for v in parts.values())
    if ok:
        hexs = "".join(parts[i][0][1] for i in range(n))
        ok = len(hexs) == 272 and all(ch in "0123456789abcdef" for ch in hexs)
    if ok:
        raw = bytes.fromhex(hexs)
        key, seq, h, sig = raw[:32], int.from_bytes(raw[32:40], "big"), raw[40:72], raw[72:]
        try:
            Ed25519PublicKey.from_public_bytes(key)
        except ValueError:
            ok = False
        if ok and 1 <= seq <= MAX_SEQ:
            return Checkpoint(key, seq, h, sig), others
    return None, caps


def parse_header(data: bytes) -> tuple:
    """§11–§12: returns (Header, the header's length in bytes)."""
    r = Reader(data, "header ")
    if len(data) < 8 or data[:8] != MAGIC:
        raise ProtocolError("notABundle", "not a bundle (wrong magic)")
    r.take(8)
    if len(data) < 10:
        raise ProtocolError("truncated", "the bundle ends inside its header")
    version = r.u16()
    if version != FORMAT_VERSION:
        raise ProtocolError("unsupportedVersion",
                            f"bundle format version {version} is newer than this build reads (up to 1)")
    if len(data) < 14:
        raise ProtocolError("truncated", "the bundle ends inside its header")
    h = r.u32()
    if h > MAX_HEADER:
        raise ProtocolError("malformedHeader", f"header length {h} beyond {MAX_HEADER}")
    if len(data) < 14 + h:
        raise ProtocolError("truncated", "the bundle ends inside its header")
    f = Reader(data[14:14 + h], "header ", 14)
    try:
        flags = f.u16()
        if flags & ~0x3:
            f.fail("malformedHeader", f"unknown flag bits {flags:#06x}")
        ncaps = f.u8()
        caps, names = [], set()
        for _ in range(ncaps):
            n = f.u8()
            if not 1 <= n <= 64:
                f.fail("malformedHeader", "capability name length")
            name = f.take(n)
            if any(c not in b"abcdefghijklmnopqrstuvwxyz0123456789-." for c in name):
                f.fail("malformedHeader", "capability name has a byte outside a-z 0-9 - .")
            name = name.decode()
            req = f.u8()
            if req > 1:
                f.fail("malformedHeader", "capability required flag is not 0 or 1")
            if name in names:
                f.fail("malformedHeader", f"capability {name} listed twice")
            names.add(name)
            caps.append((name, req))
        key = f.take(32)
        exporter = f.take(16)
        if replica_id(key) != exporter:
            raise ProtocolError("exporterMismatch", "the exporter id is not derived from its key")
        created = f.u64()
        e = f.u32()
        if e > 65536 or e * 16 > f.remaining():
            f.fail("malformedHeader", f"{e} engagements")
        engagements = [f.take(16) for _ in range(e)]
        if any(not a < b for a, b in zip(engagements, engagements[1:])):
            f.fail("malformedHeader", "engagements are not strictly ascending")
        nr = f.u32()
        if nr > 65536 or nr * 32 > f.remaining():
            f.fail("malformedHeader", f"{nr} origin ranges")
        ranges = []
        for _ in range(nr):
            o, a, t = f.take(16), f.u64(), f.u64()
            if not a < t <= MAX_SEQ:
                f.fail("malformedHeader", "a range is not 0 <= after < through < 2^63")
            ranges.append((o, a, t))
        if any(not a[0] < b[0] for a, b in zip(ranges, ranges[1:])):
            f.fail("malformedHeader", "ranges are not strictly ascending by origin")
        ephemeral, recipients = None, []
        if flags & 2:
            ephemeral = f.take(32)
            k = f.u16()
            if not 1 <= k <= 4096 or k * 80 > f.remaining():
                f.fail("malformedHeader", f"{k} recipients")
            recipients = [(f.take(32), f.take(48)) for _ in range(k)]
            if any(not a[0] < b[0] for a, b in zip(recipients, recipients[1:])):
                f.fail("malformedHeader", "recipients are not strictly ascending")
        if not f.at_end():
            f.fail("malformedHeader", "bytes after the header's last field")
    except ProtocolError as err:
        if err.kind == "malformed":
            raise ProtocolError("malformedHeader", str(err)) from None
        raise
    for name, req in caps:
        if req and name not in KNOWN_REQUIRED:
            raise ProtocolError("unsupportedCapability", f"requires capability {name}, which this build does not implement")
    if (SEALED_CAP in names) != bool(flags & 2):
        raise ProtocolError("malformedHeader", "sealed-body-v1 is listed if and only if flag bit 1 is set")
    peer_head, caps = _parse_peer_head(caps)
    hdr = Header(flags, caps, key, exporter, created, engagements, ranges, ephemeral, recipients,
                 peer_head, data[:14 + h])
    return hdr, 14 + h


def _wrap_key(ephemeral_private: X25519PrivateKey, E: bytes, R: bytes) -> bytes:
    shared = ephemeral_private.exchange(X25519PublicKey.from_public_bytes(R))
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=E + R,
                info=b"fieldaudit-bundle-v1 key wrap").derive(shared)


def _open_content_key(header: Header, seed: bytes | None) -> bytes:
    if seed is None:
        raise ProtocolError("sealedNoKey", "the body is sealed and no key was given to open it")
    priv = agreement_private(seed)
    mine = x25519_public(priv)
    for R, wrapped in header.recipients:
        if R == mine:
            shared = priv.exchange(X25519PublicKey.from_public_bytes(header.ephemeral))
            W = HKDF(algorithm=hashes.SHA256(), length=32, salt=header.ephemeral + R,
                     info=b"fieldaudit-bundle-v1 key wrap").derive(shared)
            try:
                return ChaCha20Poly1305(W).decrypt(bytes(12), wrapped, header.exporter_key)
            except InvalidTag:
                raise ProtocolError("sealedAuthentication", "the wrapped key does not open: the header was altered")
    raise ProtocolError("sealedOtherRecipients", "the body is sealed for other recipients")


def _unseal(data: bytes, pos: int, header: Header, seed: bytes | None) -> tuple:
    """§16.3: returns (the zlib stream, the offset of the trailer)."""
    K = _open_content_key(header, seed)
    aead, aad = ChaCha20Poly1305(K), sha256(header.raw)
    out, i = [], 0
    while True:
        if pos + 4 > len(data):
            raise ProtocolError("truncated", f"the sealed body ends inside chunk {i}")
        marker = struct.unpack(">I", data[pos:pos + 4])[0]
        last, n = marker >> 31, marker & 0x7FFFFFFF
        if not 1 <= n <= SEAL_CHUNK or (not last and n != SEAL_CHUNK):
            raise ProtocolError("malformed", f"sealed chunk {i} at offset {pos}: length {n}")
        if pos + 4 + n + 16 > len(data):
            raise ProtocolError("truncated", f"the sealed body ends inside chunk {i}")
        nonce = struct.pack(">QI", i, 1 if last else 0)
        try:
            out.append(aead.decrypt(nonce, data[pos + 4:pos + 4 + n + 16], aad))
        except InvalidTag:
            raise ProtocolError("sealedAuthentication", f"sealed chunk {i} at offset {pos} fails authentication")
        pos += 4 + n + 16
        i += 1
        if last:
            return b"".join(out), pos


def read_bundle(data: bytes, open_with_seed: bytes | None = None) -> Bundle:
    """Reads and verifies one bundle as §11–§17 say a reader does. Raises ProtocolError."""
    header, pos = parse_header(data)
    if header.flags & 2:
        stream, trailer_at = _unseal(data, pos, header, open_with_seed)
        d = zlib.decompressobj()
        try:
            body = d.decompress(stream)
        except zlib.error as err:
            raise ProtocolError("corruptBody", f"corrupt compressed body: {err}")
        if not d.eof:
            raise ProtocolError("truncated", "the zlib stream does not end at the last sealed chunk")
        if d.unused_data:
            raise ProtocolError("corruptBody", "the zlib stream ends before the last sealed chunk does")
    else:
        d = zlib.decompressobj()
        try:
            body = d.decompress(data[pos:])
        except zlib.error as err:
            raise ProtocolError("corruptBody", f"corrupt compressed body: {err}")
        if not d.eof:
            raise ProtocolError("truncated", "the bundle ends before its zlib stream does")
        trailer_at = len(data) - len(d.unused_data)
    if len(data) - trailer_at < 96:
        raise ProtocolError("truncated", "the bundle ends inside its trailer")
    if len(data) - trailer_at > 96:
        raise ProtocolError("bytesAfterTrailer", f"{len(data) - trailer_at - 96} bytes after the trailer")
    records, end_counts, files = _read_frames(body, header, len(data))
    digest = sha256(data[:trailer_at])
    if digest != data[trailer_at:trailer_at + 32]:
        raise ProtocolError("digestMismatch", "the bundle's digest does not match: damaged or altered")
    signature = data[trailer_at + 32:trailer_at + 96]
    if not verify_ed25519(header.exporter_key, signature, b"fieldaudit-bundle-v1" + digest):
        raise ProtocolError("badSignature", "the exporter's signature does not verify")
    return Bundle(header, records, end_counts, digest, signature, len(data), files)


def _read_frames(body: bytes, header: Header, size: int):
    r = Reader(body, "body ")
    ranges = header.ranges
    prev_seq = [a for _, a, _ in ranges]
    prev_stamp = [0] * len(ranges)
    range_of = {o: i for i, (o, _, _) in enumerate(ranges)}
    prev_entity_ms = 0
    names, entities = RefTable(NAME_CAPACITY), RefTable(ENTITY_CAPACITY)
    records = []
    n_changes = n_chunks = n_blob_bytes = n_checkpoints = n_redacted = 0
    cp_count: dict = {}
    verified: set = set()
    assembling: dict = {}   # digest -> [total, bytearray]
    done: dict = {}
    frame_no = 0
    while True:
        if r.at_end():
            raise ProtocolError("incomplete", "the body ends without an end frame")
        frame_no += 1
        start = r.pos
        ftype = r.u8()
        length = r.varint(4)
        if length > MAX_FRAME:
            r.fail("limit", f"frame {frame_no}: payload of {length} bytes")
        payload = r.take(length)
        p = Reader(payload, f"frame {frame_no} (offset {start}) ", 0)

        def name():
            ref = p.varint()
            if ref == 0:
                n = p.varint()
                if not 1 <= n <= 255:
                    p.fail("malformed", "name length")
                b = p.take(n)
                s = decode_utf8(b, p, "a name")
                names.add(b, s)
                return s
            got = names.get(ref)
            if got is None:
                p.fail("malformed", f"name reference {ref} names no entry")
            return got[1]

        if ftype == 1:
            o = p.varint()
            if o >= len(ranges):
                p.fail("malformed", f"origin index {o} beyond {len(ranges)} ranges")
            origin, after, through = ranges[o]
            seq = (prev_seq[o] + p.zigzag()) % U64
            if not after < seq <= through:
                p.fail("outsideRange", f"seq {seq} outside its range ({after}, {through}]")
            dms = p.varint()
            ms = ((prev_stamp[o] >> 16) + unzigzag(dms)) % U64
            if dms == 0:
                counter = ((prev_stamp[o] & 0xFFFF) + p.zigzag()) % U64
            else:
                counter = p.zigzag() % U64
            if counter > 0xFFFF or ms > (1 << 48) - 1:
                p.fail("malformed", "stamp out of range")
            stamp = (ms << 16) | counter
            dt = p.varint()
            if dt >= seq:
                p.fail("malformed", "transaction delta not below seq")
            code = p.varint()
            if code == 0:
                ms_e = (prev_entity_ms + p.zigzag()) % U64
                if ms_e >= 1 << 48:
                    p.fail("malformed", "entity time out of range")
                entity = ms_e.to_bytes(6, "big") + p.take(10)
                kind = name()
                ei = p.varint()
                if ei >= len(header.engagements):
                    p.fail("malformed", f"engagement index {ei}")
                engagement = header.engagements[ei]
                entities.add(entity, (kind, engagement))
                prev_entity_ms = ms_e
            elif code == 1:
                p.fail("malformed", "entity code 1")
            else:
                got = entities.get(code >> 1)
                if got is None:
                    p.fail("malformed", f"entity reference {code >> 1} names no entry")
                entity, (kind, engagement) = got
                if code & 1:
                    kind2 = name()
                    ei = p.varint()
                    if ei >= len(header.engagements):
                        p.fail("malformed", f"engagement index {ei}")
                    if (kind2, header.engagements[ei]) == (kind, engagement):
                        p.fail("nonCanonical", "entity code 2r+1 repeats the entry's kind and engagement")
                    kind, engagement = kind2, header.engagements[ei]
            field = name()
            tag = p.u8()
            if tag == NULL:
                value = Value(NULL)
            elif tag == INTEGER:
                z = p.varint()
                value = Value(INTEGER, unzigzag(z))
            elif tag == REAL:
                value = Value(REAL, p.u64())
            elif tag in (TEXT, JSON):
                n = p.varint()
                value = Value(tag, decode_utf8(p.take(n), p, "text"))
            elif tag == BYTES:
                n = p.varint()
                value = Value(BYTES, p.take(n))
            elif tag == BLOB:
                value = Value(BLOB, p.take(32))
            else:
                p.fail("malformed", f"value tag {tag}")
            k = p.varint()
            if k * 2 > p.remaining():
                p.fail("malformed", f"supersedes count {k}")
            sup = []
            for _ in range(k):
                c = p.varint()
                if c == 0:
                    s_origin, s_seq = origin, (seq - p.zigzag()) % U64
                elif c <= len(ranges):
                    s_origin, s_seq = ranges[c - 1][0], p.varint()
                    if s_origin == origin:
                        p.fail("nonCanonical", "supersedes code for the change's own origin is not 0")
                elif c == len(ranges) + 1:
                    s_origin, s_seq = p.take(16), p.varint()
                    if s_origin in range_of or s_origin == origin:
                        p.fail("nonCanonical", "supersedes code r+1 for an origin with a range")
                else:
                    p.fail("malformed", f"supersedes origin code {c}")
                sup.append((s_origin, s_seq))
            if not p.at_end():
                p.fail("malformed", f"{p.remaining()} bytes left over")
            change = Change(origin, seq, stamp, seq - dt, engagement, kind, entity, field, value, tuple(sup))
            try:
                change.validate()
            except ProtocolError as err:
                raise ProtocolError("invalidChange", f"frame {frame_no}: {err}")
            prev_seq[o], prev_stamp[o] = seq, stamp
            records.append(change)
            n_changes += 1
        elif ftype == 5:
            o = p.varint()
            if o >= len(ranges):
                p.fail("malformed", f"origin index {o}")
            origin, after, through = ranges[o]
            seq = (prev_seq[o] + p.zigzag()) % U64
            if not after < seq <= through:
                p.fail("outsideRange", f"seq {seq} outside its range")
            content = p.take(32)
            if not p.at_end():
                p.fail("malformed", "bytes left over")
            prev_seq[o] = seq
            n_redacted += 1
            if n_redacted > size // 16:
                p.fail("limit", f"more than {size // 16} redacted frames for a bundle of {size} bytes")
            records.append(Placeholder(origin, seq, content))
            n_changes += 1
        elif ftype == 2:
            if not header.flags & 1:
                p.fail("malformed", "a blob chunk in a bundle without the evidence flag")
            digest = p.take(32)
            total, offset = p.varint(), p.varint()
            data = p.take(p.remaining())
            if len(data) > MAX_CHUNK:
                p.fail("limit", "blob chunk beyond 256 KiB")
            if offset + len(data) > total or (not data and total != 0):
                p.fail("malformed", "blob chunk outside its file")
            st = assembling.get(digest)
            if digest in done or (st is None and offset != 0) or \
                    (st is not None and (st[0] != total or len(st[1]) != offset)):
                raise ProtocolError("incompleteEvidence", f"frame {frame_no}: incomplete evidence: chunks of {digest.hex()[:16]} missing, out of order, overlapping or sized differently")
            if st is None:
                st = assembling[digest] = [total, bytearray()]
            st[1] += data
            if len(st[1]) == total:
                if sha256(bytes(st[1])) != digest:
                    raise ProtocolError("evidenceDigest", f"evidence file {digest.hex()[:16]} does not match its SHA-256")
                done[digest] = bytes(st[1])
                del assembling[digest]
            records.append(BlobChunk(digest, total, offset, data))
            n_chunks += 1
            n_blob_bytes += len(data)
        elif ftype == 3:
            key = p.take(32)
            seq = p.varint()
            h = p.take(32)
            sig = p.take(64)
            if not p.at_end():
                p.fail("malformed", "bytes left over")
            cp = Checkpoint(key, seq, h, sig)
            origin = cp.origin
            if origin not in range_of:
                p.fail("checkpointOutsideRange", f"checkpoint of origin {origin.hex()[:8]} without a range")
            if not 1 <= seq <= ranges[range_of[origin]][2]:
                p.fail("checkpointOutsideRange", f"checkpoint seq {seq} beyond its range")
            cp_count[origin] = cp_count.get(origin, 0) + 1
            if cp_count[origin] > 16:
                p.fail("limit", "more than 16 checkpoints of one origin")
            ident = (key, seq, h, sig)
            if ident not in verified:
                if not cp.verify():
                    p.fail("forgedCheckpoint", f"checkpoint of {origin.hex()[:8]}:{seq} does not verify")
                verified.add(ident)
            records.append(cp)
            n_checkpoints += 1
        elif ftype == 4:
            counts = (p.varint(), p.varint(), p.varint(), p.varint())
            if not p.at_end():
                p.fail("malformed", "bytes left over")
            if counts != (n_changes, n_chunks, n_blob_bytes, n_checkpoints):
                raise ProtocolError("incomplete", f"end frame counts {counts} disagree with what was read {(n_changes, n_chunks, n_blob_bytes, n_checkpoints)}")
            if not r.at_end():
                raise ProtocolError("incomplete", "data after the end frame")
            if assembling:
                raise ProtocolError("incompleteEvidence", "incomplete evidence: a file's chunks stop before its total size")
            return records, counts, done
        else:
            p.fail("unknownFrame", f"unknown frame type {ftype}")


def verify_chains(bundle: Bundle, state: State) -> None:
    """§15 and §21 step 1: each origin's links continue what `state` holds, are consecutive, and
    end exactly at the origin's highest checkpoint with an equal hash."""
    by_origin: dict = {}
    for link in bundle.links():
        by_origin.setdefault(link.origin, []).append(link)
    best: dict = {}
    for cp in bundle.checkpoints():
        b = best.get(cp.origin)
        if b is None or cp.seq > b.seq:
            best[cp.origin] = cp
        elif cp.seq == b.seq and cp.hash != b.hash:
            raise ProtocolError("forkedCheckpoints", f"two checkpoints of {cp.origin.hex()[:8]} at seq {cp.seq} with different hashes")
    for origin, links in by_origin.items():
        n, h = state.prefix.get(origin, (0, GENESIS))
        first = links[0].seq
        if first > n + 1:
            raise ProtocolError("gap", f"links of {origin.hex()[:8]} start at {first}, beyond {n + 1}")
        h = GENESIS if first == 1 else state.chain_hash_of(origin, first - 1)
        expect = first
        for link in links:
            if link.seq != expect:
                raise ProtocolError("chain", f"links of {origin.hex()[:8]} are not consecutive at {link.seq}")
            h = chain_hash(h, link.content())
            expect += 1
        cp = best.get(origin)
        if cp is None or cp.seq != expect - 1 or cp.hash != h:
            raise ProtocolError("chain", f"the chain of {origin.hex()[:8]} does not end at its checkpoint")


# ---------------------------------------------------------------------------------------------
# writing bundles


class FrameWriter:
    """The writer's side of §13.3's coding state."""

    def __init__(self, engagements: list, ranges: list):
        self.engagements, self.ranges = engagements, ranges
        self.range_of = {o: i for i, (o, _, _) in enumerate(ranges)}
        self.prev_seq = [a for _, a, _ in ranges]
        self.prev_stamp = [0] * len(ranges)
        self.prev_entity_ms = 0
        self.names, self.entities = RefTable(NAME_CAPACITY), RefTable(ENTITY_CAPACITY)
        self.out = bytearray()
        self.counts = [0, 0, 0, 0]

    def _frame(self, t: int, payload: bytes) -> None:
        self.out += bytes([t]) + put_varint(len(payload)) + payload

    def _name(self, s: str) -> bytes:
        b = s.encode()
        r = self.names.ref(b)
        if r is not None:
            return put_varint(r)
        self.names.add(b, s)
        return b"\x00" + put_varint(len(b)) + b

    def change(self, c: Change) -> None:
        o = self.range_of[c.origin]
        p = bytearray(put_varint(o))
        p += put_varint(zigzag(c.seq - self.prev_seq[o]))
        dms = zigzag((c.stamp >> 16) - (self.prev_stamp[o] >> 16))
        p += put_varint(dms)
        if dms == 0:
            p += put_varint(zigzag((c.stamp & 0xFFFF) - (self.prev_stamp[o] & 0xFFFF)))
        else:
            p += put_varint(zigzag(c.stamp & 0xFFFF))
        p += put_varint(c.seq - c.transaction)
        r = self.entities.ref(c.entity)
        ei = self.engagements.index(c.engagement)
        if r is None:
            ms = int.from_bytes(c.entity[:6], "big")
            p += b"\x00" + put_varint(zigzag(ms - self.prev_entity_ms)) + c.entity[6:]
            p += self._name(c.kind) + put_varint(ei)
            self.entities.add(c.entity, (c.kind, c.engagement))
            self.prev_entity_ms = ms
        else:
            kind, eng = self.entities.get(r)[1]
            if (kind, eng) == (c.kind, c.engagement):
                p += put_varint(2 * r)
            else:
                p += put_varint(2 * r + 1) + self._name(c.kind) + put_varint(ei)
        p += self._name(c.field)
        v = c.value
        p.append(v.tag)
        if v.tag == INTEGER:
            p += put_varint(zigzag(v.v))
        elif v.tag == REAL:
            p += v.v.to_bytes(8, "big")
        elif v.tag in (TEXT, JSON):
            b = v.v.encode()
            p += put_varint(len(b)) + b
        elif v.tag == BYTES:
            p += put_varint(len(v.v)) + v.v
        elif v.tag == BLOB:
            p += v.v
        p += put_varint(len(c.supersedes))
        for so, ss in c.supersedes:
            if so == c.origin:
                p += b"\x00" + put_varint(zigzag(c.seq - ss))
            elif so in self.range_of:
                p += put_varint(self.range_of[so] + 1) + put_varint(ss)
            else:
                p += put_varint(len(self.ranges) + 1) + so + put_varint(ss)
        self.prev_seq[o], self.prev_stamp[o] = c.seq, c.stamp
        self._frame(1, bytes(p))
        self.counts[0] += 1

    def redacted(self, ph: Placeholder) -> None:
        o = self.range_of[ph.origin]
        p = put_varint(o) + put_varint(zigzag(ph.seq - self.prev_seq[o])) + ph.content_digest
        self.prev_seq[o] = ph.seq
        self._frame(5, p)
        self.counts[0] += 1

    def checkpoint(self, cp: Checkpoint) -> None:
        self._frame(3, cp.key + put_varint(cp.seq) + cp.hash + cp.signature)
        self.counts[3] += 1

    def evidence(self, data: bytes, chunk: int = MAX_CHUNK) -> None:
        d = sha256(data)
        offsets = range(0, len(data), chunk) if data else [0]
        for off in offsets:
            piece = data[off:off + chunk]
            self._frame(2, d + put_varint(len(data)) + put_varint(off) + piece)
            self.counts[1] += 1
            self.counts[2] += len(piece)

    def end(self) -> bytes:
        self._frame(4, b"".join(put_varint(c) for c in self.counts))
        return bytes(self.out)


def write_header(private: Ed25519PrivateKey, created: int, engagements: list, ranges: list,
                 evidence: bool = False, seal: tuple | None = None, capabilities: list = ()) -> bytes:
    pub = public_key_of(private)
    flags = (1 if evidence else 0) | (2 if seal else 0)
    caps = list(capabilities)
    if seal:
        caps = [(SEALED_CAP, 1)] + caps
    f = bytearray(struct.pack(">HB", flags, len(caps)))
    for n, req in caps:
        f += bytes([len(n)]) + n.encode() + bytes([req])
    f += pub + replica_id(pub) + struct.pack(">Q", created)
    f += struct.pack(">I", len(engagements)) + b"".join(sorted(engagements))
    f += struct.pack(">I", len(ranges))
    for o, a, t in sorted(ranges):
        f += o + struct.pack(">QQ", a, t)
    if seal:
        E, recipients = seal
        f += E + struct.pack(">H", len(recipients))
        for R, wrapped in recipients:
            f += R + wrapped
    return MAGIC + struct.pack(">HI", FORMAT_VERSION, len(f)) + bytes(f)


def write_bundle(private: Ed25519PrivateKey, created: int, engagements: list, ranges: list,
                 records: list, evidence_files: Iterable[bytes] = (),
                 seal_for: list | None = None, capabilities: list = ()) -> bytes:
    """A bundle of `records` (Change, Placeholder, Checkpoint, in order), then the evidence files.
    `seal_for`: recipients' X25519 public keys (32 bytes each) to seal the body for (§16)."""
    engagements, ranges = sorted(engagements), sorted(ranges)
    w = FrameWriter(engagements, ranges)
    for rec in records:
        if isinstance(rec, Change):
            w.change(rec)
        elif isinstance(rec, Placeholder):
            w.redacted(rec)
        else:
            w.checkpoint(rec)
    files = list(evidence_files)
    for data in files:
        w.evidence(data)
    stream = zlib.compress(w.end(), 6)
    if seal_for:
        K = os.urandom(32)
        e = X25519PrivateKey.generate()
        E = x25519_public(e)
        recipients = []
        for R in sorted(set(seal_for)):
            W = _wrap_key(e, E, R)
            recipients.append((R, ChaCha20Poly1305(W).encrypt(bytes(12), K, public_key_of(private))))
        header = write_header(private, created, engagements, ranges, bool(files), (E, recipients), capabilities)
        aead, aad = ChaCha20Poly1305(K), sha256(header)
        chunks = [stream[i:i + SEAL_CHUNK] for i in range(0, len(stream), SEAL_CHUNK)]
        body = bytearray()
        for i, ch in enumerate(chunks):
            last = i == len(chunks) - 1
            body += struct.pack(">I", len(ch) | (1 << 31 if last else 0))
            body += aead.encrypt(struct.pack(">QI", i, 1 if last else 0), ch, aad)
        before = header + bytes(body)
    else:
        before = write_header(private, created, engagements, ranges, bool(files), None, capabilities) + stream
    d = sha256(before)
    return before + d + private.sign(b"fieldaudit-bundle-v1" + d)


# ---------------------------------------------------------------------------------------------
# §4 the clock, for writers


class Clock:
    def __init__(self):
        self.last = 0

    def stamp(self, now_ms: int) -> int:
        s = min(now_ms, (1 << 48) - 1) << 16
        self.last = s if s > self.last else self.last + 1
        return self.last


class Writer:
    """A replica's local writes (§9): consecutive seqs, one transaction per command, stamps from
    the clock, supersedes = the field's visible ids at the time of writing."""

    def __init__(self, private: Ed25519PrivateKey, state: State | None = None):
        self.private = private
        self.origin = replica_id(public_key_of(private))
        self.state = state or State()
        self.clock = Clock()

    def command(self, writes: list, now_ms: int) -> list:
        """writes: [(engagement, kind, entity, field, Value)] in one transaction."""
        n = self.state.prefix.get(self.origin, (0, GENESIS))[0]
        tx = n + 1
        out = []
        for engagement, kind, entity, field, value in writes:
            sup = tuple(sorted(c.id for c in self.state.visible(entity, field)))
            c = Change(self.origin, n + 1, self.clock.stamp(now_ms), tx, engagement, kind, entity,
                       field, value, sup)
            self.state.apply([c])
            out.append(c)
            n += 1
        return out

    def checkpoint(self) -> Checkpoint:
        n, h = self.state.prefix[self.origin]
        return Checkpoint.sign(self.private, n, h)


# ---------------------------------------------------------------------------------------------
# Part three: §25 request signatures, §24 proofs


def sign_request(private: Ed25519PrivateKey, method: str, path: str, central: str, body: bytes,
                 date: str, nonce: str | None = None) -> dict:
    nonce = nonce or os.urandom(16).hex()
    body_hash = hashlib.sha256(body).hexdigest()
    canonical = "".join(line + "\n" for line in (
        "FIELDAUDIT-HTTP-SIGNATURE-V1", method.upper(), path, central, date, nonce, body_hash))
    return {
        "FieldAudit-Key": base64.b64encode(public_key_of(private)).decode(),
        "FieldAudit-Date": date,
        "FieldAudit-Nonce": nonce,
        "FieldAudit-Signature": base64.b64encode(private.sign(canonical.encode())).decode(),
        "FieldAudit-Body-SHA256": body_hash,
    }


def identity_proof_holds(public_key: bytes, replica_hex: str, challenge_hex: str, proof_b64: str) -> bool:
    msg = f"FIELDAUDIT-IDENTITY-PROOF-V1\n{replica_hex}\n{challenge_hex}\n".encode()
    return verify_ed25519(public_key, base64.b64decode(proof_b64), msg)


def answer_proof_holds(public_key: bytes, replica_hex: str, nonce: str, body: bytes, proof_b64: str) -> bool:
    msg = f"FIELDAUDIT-ANSWER-PROOF-V1\n{replica_hex}\n{nonce}\n{hashlib.sha256(body).hexdigest()}\n".encode()
    return verify_ed25519(public_key, base64.b64decode(proof_b64), msg)
