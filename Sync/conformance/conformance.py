#!/usr/bin/env python3
"""Conformance checks of the second implementation (fieldaudit_protocol.py) against the frozen
vectors and the reference binary.

    conformance.py vectors [--vectors DIR]
    conformance.py binary --bin PATH [--work DIR]       write, tamper, round trip
    conformance.py http --bin PATH [--work DIR]         part three against `fieldaudit serve`
    conformance.py all --bin PATH [--json]

Every check prints one line, `ok NAME` or `FAIL NAME: why`; the last line is a JSON summary
(`{"passed": N, "failed": M, "counts": {...}}`). Exit status 0 only if every check passed.
"""

from __future__ import annotations

import argparse
import base64
import dataclasses
import http.client
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import fieldaudit_protocol as fp  # noqa: E402

HERE = Path(__file__).resolve().parent
DEFAULT_VECTORS = HERE.parent / "vectors" / "v1"


class Results:
    def __init__(self):
        self.passed, self.failed, self.counts, self.failures = 0, 0, {}, []

    def check(self, name: str, ok: bool, why: str = "") -> bool:
        if ok:
            self.passed += 1
            print(f"ok {name}", flush=True)
        else:
            self.failed += 1
            self.failures.append(f"{name}: {why}")
            print(f"FAIL {name}: {why}", flush=True)
        return ok

    def count(self, key: str, n: int = 1) -> None:
        self.counts[key] = self.counts.get(key, 0) + n

    def summary(self) -> dict:
        return {"passed": self.passed, "failed": self.failed, "counts": self.counts,
                "failures": self.failures}


def guarded(res: Results, name: str, fn, *args):
    """Runs one group of checks; an exception is a failed check, never a crash of the run."""
    try:
        return fn(*args)
    except Exception as err:  # noqa: BLE001
        res.check(name, False, f"{type(err).__name__}: {err}\n{traceback.format_exc()}")
        return None


# ---------------------------------------------------------------------------------------------
# vectors


def check_merge_vector(res: Results, path: Path) -> None:
    d = json.loads(path.read_text())
    name = f"vector {path.stem}"
    changes = [fp.Change.from_json(c) for c in d["changes"]]
    for c, j in zip(changes, d["changes"]):
        res.check(f"{name} {c.origin.hex()[:8]}:{c.seq} canonical", c.canonical().hex() == j["canonical"],
                  "canonical encoding differs")
        res.check(f"{name} {c.origin.hex()[:8]}:{c.seq} content", c.content().hex() == j["content"], "")
    rng = random.Random(7)
    orders = [list(changes), list(reversed(changes))]
    for _ in range(4):
        o = list(changes)
        rng.shuffle(o)
        orders.append(o)
    for i, order in enumerate(orders):
        st = fp.State()
        for c in order:
            st.apply([c])
        st.apply(order[:2])  # duplicates are ignored
        for c, j in zip(changes, d["changes"]):
            h = st.chain_hash_of(c.origin, c.seq)
            if i == 0:
                res.check(f"{name} {c.origin.hex()[:8]}:{c.seq} hash", h is not None and h.hex() == j["hash"],
                          f"{h.hex() if h else None} != {j['hash']}")
        for f in d["fields"]:
            vis = [f"{c.origin.hex()}:{c.seq}" for c in st.visible(fp.uuid_bytes(f["entity"]), f["field"])]
            if i == 0 or vis != f["visible"]:
                res.check(f"{name} order {i} visible {f['field']}", vis == f["visible"], f"{vis} != {f['visible']}")
        deleted = sorted(fp.uuid_text(e) for e in st.entities if st.is_deleted(e))
        vec = {o.hex(): str(n) for o, n in st.vector().items()}
        ok = deleted == sorted(d["deleted"]) and vec == d["vector"] and st.digest().hex() == d["stateDigest"]
        res.check(f"{name} order {i} deleted, vector and state digest", ok,
                  f"{deleted} {vec} {st.digest().hex()} vs {d['deleted']} {d['vector']} {d['stateDigest']}")
    res.count("mergeVectors")


def check_bundle_vector(res: Results, path: Path) -> fp.Bundle | None:
    d = json.loads(path.read_text())
    name = f"bundle {path.stem}"
    data = (path.parent / d["file"]).read_bytes()
    seed = bytes.fromhex(d["openWithPrivateKey"]) if "openWithPrivateKey" in d else None
    if seed is not None:
        try:
            fp.read_bundle(data)
            res.check(f"{name} refused without a key", False, "read without a key")
        except fp.ProtocolError as err:
            res.check(f"{name} refused without a key", err.kind == "sealedNoKey", str(err))
        other = fp.seed_of(fp.Ed25519PrivateKey.generate())
        try:
            fp.read_bundle(data, other)
            res.check(f"{name} refused for another recipient", False, "opened")
        except fp.ProtocolError as err:
            res.check(f"{name} refused for another recipient", err.kind == "sealedOtherRecipients", str(err))
    b = fp.read_bundle(data, seed)
    res.check(f"{name} header", b.header.to_json() == d["header"], f"{b.header.to_json()} != {d['header']}")
    got = b.records_json()
    res.check(f"{name} record count", len(got) == len(d["records"]), f"{len(got)} != {len(d['records'])}")
    for i, (g, e) in enumerate(zip(got, d["records"])):
        res.check(f"{name} record {i + 1} ({e['type']})", g == e, f"\n got {json.dumps(g)[:600]}\n want {json.dumps(e)[:600]}")
    res.check(f"{name} summary", b.summary_json() == d["summary"], f"{b.summary_json()} != {d['summary']}")
    st = fp.State()
    fp.verify_chains(b, st)
    res.check(f"{name} chains end at their signed checkpoints", True)
    # §19: the vector's digest applies its change frames only (redacted frames are not applied)
    st.apply([l for l in b.links() if isinstance(l, fp.Change)])
    res.check(f"{name} state digest", st.digest().hex() == d["stateDigest"], f"{st.digest().hex()} != {d['stateDigest']}")
    for r in b.records:
        if isinstance(r, fp.Change) and r.value.tag == fp.BLOB:
            res.check(f"{name} evidence file {r.value.v.hex()[:12]} assembled", r.value.v in b.files, "missing")
    res.count("bundleVectors")
    res.count("bundleRecords", len(got))
    return b


def fork_point(bundle: fp.Bundle, state: fp.State):
    """§21.1 detection: the first seq at which the bundle's derived chain differs from the held one,
    in a chain that otherwise reaches its checkpoint."""
    scratch = fp.State()
    # a chain that passes step 1 on its own (from genesis)
    fp.verify_chains(bundle, scratch)
    h = fp.GENESIS
    for link in bundle.links():
        h = fp.chain_hash(h, link.content())
        held = state.chain_hash_of(link.origin, link.seq)
        if held is not None and held != h:
            return link.origin, link.seq
    return None


def tamper_vector(res: Results, vectors: Path) -> None:
    """Every single-byte change of a vector bundle is refused by this reader."""
    data = (vectors / "bundles" / "changes-and-checkpoints.fabundle").read_bytes()
    refused = 0
    for i in range(len(data)):
        t = bytearray(data)
        t[i] ^= 0x01
        try:
            fp.read_bundle(bytes(t))
        except fp.ProtocolError:
            refused += 1
    res.check(f"every one of {len(data)} one-bit flips of changes-and-checkpoints is refused", refused == len(data),
              f"{len(data) - refused} accepted")
    for cut in (0, 7, 13, 100, len(data) - 97, len(data) - 1):
        try:
            fp.read_bundle(data[:cut])
            res.check(f"cut at {cut} refused", False, "accepted")
        except fp.ProtocolError as err:
            res.check(f"cut at {cut} refused", err.kind in ("truncated", "notABundle", "corruptBody"), str(err))
    try:
        fp.read_bundle(data + b"\x00")
        res.check("a byte after the trailer refused", False, "accepted")
    except fp.ProtocolError as err:
        res.check("a byte after the trailer refused", err.kind == "bytesAfterTrailer", str(err))
    v2 = bytearray(data)
    v2[9] = 2
    try:
        fp.read_bundle(bytes(v2))
    except fp.ProtocolError as err:
        res.check("format version 2 refused naming both versions",
                  "version 2" in str(err) and "up to 1" in str(err), str(err))


def run_vectors(res: Results, vectors: Path) -> None:
    for p in sorted(vectors.glob("*.json")):
        guarded(res, f"vector {p.stem}", check_merge_vector, res, p)
    bundles = {}
    for p in sorted((vectors / "bundles").glob("*.json")):
        bundles[p.stem] = guarded(res, f"bundle {p.stem}", check_bundle_vector, res, p)

    def forks():
        a, b = bundles.get("forked-a"), bundles.get("forked-b")
        st = fp.State()
        st.apply(a.links())
        fork = fork_point(b, st)
        res.check("forked-b read after forked-a proves a fork at seq 2",
                  fork is not None and fork[1] == 2 and fork[0] == a.links()[0].origin, f"{fork}")
        fp.verify_chains(b, st)  # step 1 passes: the chain reaches its own checkpoint, so the fork is proven
        res.check("forked-b passes step 1 against forked-a's holder (its chain reaches its checkpoint)", True)
    guarded(res, "forked pair", forks)
    guarded(res, "tampered vectors", tamper_vector, res, vectors)

    def self_round_trip():
        # this implementation's writer reproduces every vector's content (not its bytes: zlib)
        for p in sorted((vectors / "bundles").glob("*.json")):
            b = bundles.get(p.stem)
            if b is None or b.header.flags & 2:
                continue
            key = fp.Ed25519PrivateKey.generate()
            recs = [r for r in b.records if not isinstance(r, fp.BlobChunk)]
            data = fp.write_bundle(key, b.header.created, b.header.engagements, b.header.ranges, recs,
                                   list(b.files.values()))
            again = fp.read_bundle(data)
            res.check(f"bundle {p.stem} rewritten by this writer reads back the same records",
                      [r for r in again.records_json() if r["type"] != "blobChunk"]
                      == [r for r in b.records_json() if r["type"] != "blobChunk"], "differs")
    guarded(res, "self round trip", self_round_trip)


# ---------------------------------------------------------------------------------------------
# the reference binary


class Binary:
    def __init__(self, path: str, store: Path):
        self.path, self.store = path, store

    def run(self, *args, input: bytes | None = None, check: bool = False):
        env = dict(os.environ, FIELDAUDIT_STORE=str(self.store), NO_COLOR="1")
        p = subprocess.run([self.path, "--store", str(self.store), *args], input=input,
                           capture_output=True, env=env, timeout=300)
        if check and p.returncode != 0:
            raise RuntimeError(f"fieldaudit {' '.join(args)} exited {p.returncode}: {p.stderr.decode()[-800:]}")
        return p

    def digest(self) -> str:
        p = self.run("verify", "--json", check=True)
        return find_digest(json.loads(p.stdout))


def find_digest(j) -> str:
    """The state digest in `verify --json` output (the key is named `stateDigest` or `digest`)."""
    if isinstance(j, dict):
        for k in ("stateDigest", "digest"):
            if isinstance(j.get(k), str) and len(j[k]) == 64:
                return j[k]
        for v in j.values():
            got = find_digest(v)
            if got:
                return got
    return ""


def now_ms() -> int:
    return int(time.time() * 1000)


def make_own_bundle(key: fp.Ed25519PrivateKey, name: str, with_evidence: bool = True, seal_for=None):
    """An engagement founded by `key`: the engagement, its founder's member entity, a finding
    with several value types edited twice (supersedes), a note, an evidence file."""
    me = fp.replica_id(fp.public_key_of(key))
    w = fp.Writer(key)
    t = now_ms() - 60_000
    eng = fp.new_entity_id(me, t)
    member = fp.member_id(eng, me)
    card = fp.identity_card(key, name)
    cs = w.command([
        (eng, "engagement", eng, "title", fp.Value(fp.TEXT, "Stage 2 audit — conformance Ltd ✓")),
        (eng, "engagement", eng, "lead", fp.Value(fp.TEXT, me.hex())),
        (eng, "member", member, "replica", fp.Value(fp.TEXT, me.hex())),
        (eng, "member", member, "name", fp.Value(fp.TEXT, name)),
        (eng, "member", member, "publicKey", fp.Value(fp.TEXT, card["publicKey"])),
        (eng, "member", member, "agreementKey", fp.Value(fp.TEXT, card["agreementKey"])),
        (eng, "member", member, "role", fp.Value(fp.TEXT, "lead")),
    ], t)
    finding = fp.new_entity_id(me, t + 1000)
    cs += w.command([
        (eng, "finding", finding, "statement", fp.Value(fp.TEXT, "Risk register incomplete")),
        (eng, "finding", finding, "grade", fp.Value(fp.TEXT, "minor")),
        (eng, "finding", finding, "sampleSize", fp.Value(fp.INTEGER, -12)),
        (eng, "finding", finding, "errorRate", fp.Value.real(0.25)),
        (eng, "finding", finding, "raw", fp.Value(fp.BYTES, b"\x00\xff%PDF")),
        (eng, "finding", finding, "systems", fp.Value(fp.JSON, '["triage-model"]')),
        (eng, "finding", finding, "reviewedBy", fp.Value(fp.NULL)),
    ], t + 1000)
    cs += w.command([(eng, "finding", finding, "statement", fp.Value(fp.TEXT, "Risk register lacks owners"))], t + 2000)
    files = []
    if with_evidence:
        blob = b"Management review minutes, conformance run.\n" * 50
        ev = fp.new_entity_id(me, t + 3000)
        cs += w.command([
            (eng, "evidence", ev, "digest", fp.Value(fp.BLOB, fp.sha256(blob))),
            (eng, "evidence", ev, "name", fp.Value(fp.TEXT, "minutes.txt")),
            (eng, "evidence", ev, "size", fp.Value(fp.INTEGER, len(blob))),
        ], t + 3000)
        files.append(blob)
    # a second engagement, withheld from this bundle's reader: its changes travel as redacted
    # frames (§13.8) in the middle of the chain, then one more change of the first engagement
    other = fp.new_entity_id(me, t + 4000)
    withheld = w.command([(other, "engagement", other, "title", fp.Value(fp.TEXT, "Withheld engagement")),
                          (other, "engagement", other, "lead", fp.Value(fp.TEXT, me.hex()))], t + 4000)
    cs += w.command([(eng, "finding", finding, "grade", fp.Value(fp.TEXT, "major"))], t + 5000)
    cp = w.checkpoint()
    links = [fp.Placeholder(c.origin, c.seq, c.content()) if c.engagement == other else c for c in cs + withheld]
    links.sort(key=lambda l: l.seq)
    data = fp.write_bundle(key, now_ms(), [eng], [(me, 0, cp.seq)], links + [cp], files, seal_for=seal_for)
    held = fp.State()
    held.apply(links)
    held.full_links = sorted(cs + withheld, key=lambda c: c.seq)  # for the edge cases: the withheld changes in full
    held.other_engagement = other
    held.writer = w
    return data, held, links, eng, files


def rebuild_bundle(key, b: fp.Bundle, records: list, files: list, created=None) -> bytes:
    return fp.write_bundle(key, created or b.header.created, b.header.engagements, b.header.ranges,
                           records, files)


def run_binary(res: Results, binary: str, work: Path) -> None:
    work.mkdir(parents=True, exist_ok=True)
    key = fp.Ed25519PrivateKey.generate()
    me = fp.replica_id(fp.public_key_of(key))
    card = fp.identity_card(key, "Second Implementation")
    (work / "second.card.json").write_text(json.dumps(card))
    (work / "identity.key").write_text(fp.key_file_text(key))
    os.chmod(work / "identity.key", 0o600)

    lap = Binary(binary, work / "laptop")
    lap.run("init", "--name", "Reference Laptop", check=True)
    p = lap.run("trust", str(work / "second.card.json"))
    res.check("the binary trusts an identity card made from the spec", p.returncode == 0,
              f"exit {p.returncode}: {p.stderr.decode()[-600:]}")

    data, state, changes, eng, files = make_own_bundle(key, "Second Implementation")
    (work / "own.fabundle").write_bytes(data)
    own = fp.read_bundle(data)

    # tampered copies first, each must be refused with the README's status and change nothing
    base_digest = lap.digest()
    cp = own.checkpoints()[0]
    links = own.links()

    def expect_refused(label: str, bundle: bytes, statuses=(65,)):
        path = work / f"tampered-{label.replace(' ', '-')}.fabundle"
        path.write_bytes(bundle)
        p = lap.run("import", str(path))
        after = lap.digest()
        res.check(f"binary refuses {label} (exit {'/'.join(map(str, statuses))}), store unchanged",
                  p.returncode in statuses and after == base_digest,
                  f"exit {p.returncode}, digest {'changed' if after != base_digest else 'same'}: {p.stderr.decode()[-400:]}")
        res.count("tamperedRefused" if p.returncode in statuses else "tamperedAccepted")

    # 1. a byte of a change's value flipped, bundle re-signed (the checkpoint no longer covers it)
    c3 = links[7]
    bad = dataclasses.replace(c3, value=fp.Value(fp.TEXT, "Risk register incomplets"))
    expect_refused("an altered change under an honest checkpoint",
                   rebuild_bundle(key, own, links[:8] + [bad] + links[9:] + [cp], files))
    # 2. a byte of the file flipped (digest and signature)
    raw = bytearray(data)
    raw[len(raw) // 2] ^= 0x40
    expect_refused("a flipped byte in the body", bytes(raw))
    # 3. the exporter's signature flipped
    raw = bytearray(data)
    raw[-1] ^= 0x01
    expect_refused("a flipped trailer signature", bytes(raw))
    # 4. the checkpoint's signature flipped (forged checkpoint)
    forged = dataclasses.replace(cp, signature=cp.signature[:-1] + bytes([cp.signature[-1] ^ 1]))
    expect_refused("a forged checkpoint", rebuild_bundle(key, own, links + [forged], files))
    # 5. the chain: a change dropped from the middle, checkpoint re-signed over the shortened chain
    kept = links[:4] + links[5:]
    st = fp.State()
    h = fp.GENESIS
    for i, l in enumerate(kept):
        h = fp.chain_hash(h, l.content())
    recp = fp.Checkpoint.sign(key, len(links), h)
    expect_refused("a dropped link (chain broken)", rebuild_bundle(key, own, kept + [recp], files))
    # 6. two changes swapped in the chain
    sw = links[:2] + [links[3], links[2]] + links[4:]
    expect_refused("two links reordered", rebuild_bundle(key, own, sw + [cp], files))
    # 7. a checkpoint that does not reach the chain's end
    early = fp.Checkpoint.sign(key, links[-2].seq, state.chain_hash_of(me, links[-2].seq))
    expect_refused("a checkpoint short of the chain's end", rebuild_bundle(key, own, links + [early], files))
    # 8. evidence missing its file
    expect_refused("evidence chunk with wrong bytes",
                   _corrupt_evidence(key, own, links, cp, files))
    # 9. a bundle signed by a stranger (unknown exporter)
    stranger = fp.Ed25519PrivateKey.generate()
    sdata, *_ = make_own_bundle(stranger, "Stranger")
    expect_refused("a bundle from an unknown exporter", sdata, (77,))

    # 10. the roster: a key that is on no team writes into our engagement, relayed by us with its
    # own checkpoint; the chain and signatures hold, the roster rule (§22) refuses it
    outsider = fp.Ed25519PrivateKey.generate()
    ow = fp.Writer(outsider)
    ochanges = ow.command([(eng, "note", fp.new_entity_id(ow.origin, now_ms()), "text",
                            fp.Value(fp.TEXT, "written by a key on no team"))], now_ms())
    ocp = ow.checkpoint()
    roster = fp.write_bundle(key, now_ms(), [eng], [(me, 0, cp.seq), (ow.origin, 0, ocp.seq)],
                             links + [cp] + ochanges + [ocp], files)
    expect_refused("a change by a key on no team (roster)", roster, (77,))

    # the real bundle
    p = lap.run("import", str(work / "own.fabundle"))
    res.check("the binary imports a bundle written by this implementation", p.returncode == 0,
              f"exit {p.returncode}: {p.stderr.decode()[-800:]}")
    got = lap.digest()
    res.check("the binary's state digest equals this implementation's", got == state.digest().hex(),
              f"binary {got} vs ours {state.digest().hex()}")
    if p.returncode == 0:
        res.count("ownBundlesAccepted")
    p = lap.run("import", str(work / "own.fabundle"))
    res.check("importing it twice changes nothing", p.returncode == 0 and lap.digest() == got,
              f"exit {p.returncode}")

    # a sealed bundle, for the laptop's agreement key, continuing the chain
    p = lap.run("whoami", "--card", "-o", "-", check=True)
    lap_card = json.loads(p.stdout)
    res.check("the binary's card has the fingerprint format this implementation guessed",
              lap_card.get("fingerprint") == fp.fingerprint(base64.b64decode(lap_card["publicKey"])),
              f"{lap_card.get('fingerprint')} vs {fp.fingerprint(base64.b64decode(lap_card['publicKey']))}")
    res.check("the bundle carries redacted frames; the binary's digest counts their placeholders (§8)",
              any(isinstance(l, fp.Placeholder) for l in links) and got == state.digest().hex(), "")
    w = fp.Writer(key, state)
    w.clock.last = max(c.stamp for c in changes if isinstance(c, fp.Change))
    more = w.command([(eng, "note", fp.new_entity_id(me, now_ms()), "text",
                       fp.Value(fp.TEXT, "Sealed for the laptop; opened by the reference."))], now_ms())
    cp2 = w.checkpoint()
    recipients = [base64.b64decode(lap_card["agreementKey"]), fp.x25519_public(fp.agreement_private(fp.seed_of(key)))]
    sealed = fp.write_bundle(key, now_ms(), [eng], [(me, cp.seq, cp2.seq)], more + [cp2], seal_for=recipients)
    (work / "own-sealed.fabundle").write_bytes(sealed)
    res.check("this implementation opens its own sealed bundle",
              len(fp.read_bundle(sealed, fp.seed_of(key)).links()) == 1, "")
    p = lap.run("import", str(work / "own-sealed.fabundle"))
    res.check("the binary opens and imports a bundle sealed by this implementation", p.returncode == 0,
              f"exit {p.returncode}: {p.stderr.decode()[-800:]}")
    res.check("and its digest still equals this implementation's", lap.digest() == state.digest().hex(), "")
    if p.returncode == 0:
        res.count("ownBundlesAccepted")

    # round trip: the binary's own notes, exported, read here
    p = lap.run("engagement", "create", "--client", "Round Trip Ltd", "--start", "2026-12-01", "--end", "2026-12-02")
    if p.returncode != 0:
        res.check("engagement create on the binary", False, p.stderr.decode()[-600:])
        return
    lap.run("interview", "start", "--with", "Head of compliance", "--topics", "A.5.2", check=True)
    for text in ("Policy approved by the board.", "Risk owners named; =cmd|' /C calc'!A0",
                 "Ünïcödé and a tab\tin a note"):
        p = lap.run("note", "--", text)
        if p.returncode != 0:
            res.check("note on the binary", False, p.stderr.decode()[-600:])
    blob = work / "evidence.txt"
    blob.write_bytes(os.urandom(300_000))
    lap.run("evidence", "add", str(blob), "--describe", "random bytes over one chunk")
    p = lap.run("export", "--all", "--no-encrypt", "-o", str(work / "binary-all.fabundle"), "--force")
    res.check("the binary exports --all --no-encrypt", p.returncode == 0, p.stderr.decode()[-600:])
    b = fp.read_bundle((work / "binary-all.fabundle").read_bytes())
    st = fp.State()
    fp.verify_chains(b, st)
    st.apply(b.links())
    res.check("this implementation reads the binary's export and computes the digest `verify` prints",
              st.digest().hex() == lap.digest(), f"ours {st.digest().hex()} vs binary {lap.digest()}")
    res.check("the export carries the binary's evidence file whole", any(len(v) == 300_000 for v in b.files.values()),
              f"{[len(v) for v in b.files.values()]}")
    res.count("binaryExportsRead")
    res.count("binaryExportRecords", len(b.records))
    # a sealed export (default) for our card, opened here
    p = lap.run("export", "--for", str(work / "second.card.json"), "--all", "-o", str(work / "binary-sealed.fabundle"), "--force")
    if res.check("the binary exports a sealed bundle for this implementation's card", p.returncode == 0, p.stderr.decode()[-600:]):
        sb = fp.read_bundle((work / "binary-sealed.fabundle").read_bytes(), fp.seed_of(key))
        res.check("this implementation opens the binary's sealed bundle", sb.header.flags & 2 and len(sb.links()) > 0,
                  f"{len(sb.links())} links")
        ph = sb.header.peer_head
        res.check("its header carries our newest checkpoint as peer-head capabilities (§12.2), signed by our key",
                  ph is not None and ph.key == fp.public_key_of(key) and ph.verify() and ph.seq == cp2.seq
                  and not any(n.startswith("peer-head.") for n, _ in sb.header.capabilities),
                  f"{ph} {sb.header.capabilities}")
        res.count("binaryExportsRead")
        # it carries our engagement in full and the laptop's own engagement withheld: its state is
        # ours plus the laptop's links as placeholders (§20 step 4, §8)
        st2 = fp.State()
        fp.verify_chains(sb, st2)
        st2.apply(sb.links())
        lap_origin = fp.replica_id(base64.b64decode(lap_card["publicKey"]))
        expect = fp.State()
        expect.apply(state.log.values())
        expect.apply([fp.Placeholder(l.origin, l.seq, l.content()) for l in b.links() if l.origin == lap_origin])
        res.check("the sealed export for our card withholds the laptop's engagement as redacted frames",
                  st2.digest().hex() == expect.digest().hex()
                  and not any(isinstance(l, fp.Change) and l.origin == lap_origin for l in sb.links()),
                  f"ours {st2.digest().hex()} vs expected {expect.digest().hex()}")


def _corrupt_evidence(key, own, links, cp, files) -> bytes:
    """The blob's file with one byte changed, still chunked in order: its SHA-256 fails."""
    w = fp.FrameWriter(sorted(own.header.engagements), sorted(own.header.ranges))
    for l in links:
        w.redacted(l) if isinstance(l, fp.Placeholder) else w.change(l)
    w.checkpoint(cp)
    d = fp.sha256(files[0])
    bad = bytearray(files[0])
    bad[0] ^= 1
    w._frame(2, d + fp.put_varint(len(bad)) + fp.put_varint(0) + bytes(bad))
    w.counts[1] += 1
    w.counts[2] += len(bad)
    import zlib
    before = fp.write_header(key, own.header.created, sorted(own.header.engagements), own.header.ranges, True) \
        + zlib.compress(w.end())
    dg = fp.sha256(before)
    return before + dg + key.sign(b"fieldaudit-bundle-v1" + dg)


def run_deeper(res: Results, binary: str, work: Path) -> None:
    """Key file (§2), fork quarantine (§21.1), the recipient's checkpoint (§12.2) and a sealed body
    over several chunks (§16.3), each against a fresh replica of the binary."""
    work.mkdir(parents=True, exist_ok=True)
    key = fp.Ed25519PrivateKey.generate()
    me = fp.replica_id(fp.public_key_of(key))
    (work / "me.card.json").write_text(json.dumps(fp.identity_card(key, "Second Implementation")))
    (work / "identity.key").write_text(fp.key_file_text(key))
    os.chmod(work / "identity.key", 0o600)
    data, state, links, eng, files = make_own_bundle(key, "Second Implementation")
    (work / "own.fabundle").write_bytes(data)

    # §2: a key file written here restores the same replica id from a bundle of its history
    restored = Binary(binary, work / "restored")
    p = restored.run("init", "--name", "Second Implementation", "--key", str(work / "identity.key"),
                     "--trust", str(work / "me.card.json"), "--restore-from", str(work / "own.fabundle"))
    ok = res.check("the binary restores a replica from a key file written by this implementation (§2)",
                   p.returncode == 0, f"exit {p.returncode}: {p.stderr.decode()[-600:]}")
    if ok:
        who = restored.run("whoami", "--json", check=True).stdout.decode()
        res.check("the restored replica has this implementation's replica id", me.hex() in who, who[:300])
        res.check("and this implementation's state digest", restored.digest() == state.digest().hex(), "")
        p = restored.run("field", "set", "--help")
        # the restored replica writes as us; its export continues our chain, read here
        p = restored.run("engagement", "use", fp.uuid_text(eng))
        p = restored.run("interview", "start", "--with", "Restored", check=False)
        p = restored.run("note", "--", "written by the binary with our key")
        if res.check("the restored replica writes with our key", p.returncode == 0, p.stderr.decode()[-400:]):
            restored.run("export", "--all", "--no-encrypt", "-o", str(work / "restored.fabundle"), check=True)
            b = fp.read_bundle((work / "restored.fabundle").read_bytes())
            st = fp.State()
            fp.verify_chains(b, st)
            st.apply(b.links())
            mine = [l for l in b.links() if l.origin == me]
            res.check("its export continues our chain past what we wrote, under our key's checkpoint",
                      len(mine) > len(links) and mine[len(links) - 1].content() == links[-1].content()
                      and st.digest().hex() == restored.digest(), f"{len(mine)} links")

    # §21.1: two histories of one key, each under its own checkpoint: quarantined from the fork
    fk = fp.Ed25519PrivateKey.generate()
    forker = fp.replica_id(fp.public_key_of(fk))
    (work / "forker.card.json").write_text(json.dumps(fp.identity_card(fk, "Forker")))
    a_data, a_state, a_links, a_eng, _ = make_own_bundle(fk, "Forker", with_evidence=False)
    base = [l for l in a_links]
    w = fp.Writer(fk)
    w.state.apply(base)
    w.clock.last = max(l.stamp for l in base if isinstance(l, fp.Change))
    other = w.command([(a_eng, "note", fp.new_entity_id(forker, now_ms()), "text", fp.Value(fp.TEXT, "history B"))], now_ms())
    cpb = w.checkpoint()
    b_data = fp.write_bundle(fk, now_ms(), [a_eng], [(forker, 0, cpb.seq)], base + other + [cpb])
    wa = fp.Writer(fk)
    wa.state.apply(base)
    wa.clock.last = w.clock.last
    mine_a = wa.command([(a_eng, "note", fp.new_entity_id(forker, now_ms()), "text", fp.Value(fp.TEXT, "history A"))], now_ms())
    cpa = wa.checkpoint()
    a2 = fp.write_bundle(fk, now_ms(), [a_eng], [(forker, 0, cpa.seq)], base + mine_a + [cpa])
    (work / "fork-a.fabundle").write_bytes(a2)
    (work / "fork-b.fabundle").write_bytes(b_data)
    lap = Binary(binary, work / "fork-laptop")
    lap.run("init", "--name", "Fork Watcher", check=True)
    lap.run("trust", str(work / "forker.card.json"), check=True)
    lap.run("import", str(work / "fork-a.fabundle"), check=True)
    p = lap.run("import", str(work / "fork-b.fabundle"))
    k = mine_a[0].seq
    below = fp.State()
    below.apply([l for l in base if l.seq < k])
    v = json.loads(lap.run("verify", "--json").stdout or b"{}")
    res.check(f"the binary quarantines a forked origin at seq {k}: its digest is that of the links below the fork (§21.1, §8)",
              lap.digest() == below.digest().hex() and bool(v.get("forkedOrigins")),
              f"import exit {p.returncode} {p.stderr.decode()[-300:]}; digest {lap.digest()} vs {below.digest().hex()}; forked {v.get('forkedOrigins')}")
    # the same, whichever history arrives first
    lap2 = Binary(binary, work / "fork-laptop-2")
    lap2.run("init", "--name", "Fork Watcher 2", check=True)
    lap2.run("trust", str(work / "forker.card.json"), check=True)
    lap2.run("import", str(work / "fork-b.fabundle"), check=True)
    lap2.run("import", str(work / "fork-a.fabundle"))
    res.check("the other order gives the same digest", lap2.digest() == lap.digest(), "")
    res.count("forksQuarantined")

    # §12.2: a recipient's checkpoint that claims the recipient's origin and does not verify refuses
    # the bundle, nothing imported
    lap3 = Binary(binary, work / "peer-head")
    lap3.run("init", "--name", "Recipient", check=True)
    lap3.run("trust", str(work / "me.card.json"), check=True)
    card = json.loads(lap3.run("whoami", "--card", "-o", "-", check=True).stdout)
    rkey = base64.b64decode(card["publicKey"])
    forged = (rkey + (5).to_bytes(8, "big") + os.urandom(32) + os.urandom(64)).hex()
    caps = [(f"peer-head.{i}.{forged[i * 52:(i + 1) * 52]}", 0) for i in range((len(forged) + 51) // 52)]
    before = lap3.digest()
    bad = fp.write_bundle(key, now_ms(), [eng], [(me, 0, links[-1].seq)], links + [fp.Checkpoint.sign(key, *state.prefix[me])],
                          files, capabilities=caps)
    res.check("this implementation reads the recipient's checkpoint back out of the capabilities",
              fp.read_bundle(bad).header.peer_head is not None and fp.read_bundle(bad).header.capabilities == [], "")
    (work / "forged-peer-head.fabundle").write_bytes(bad)
    p = lap3.run("import", str(work / "forged-peer-head.fabundle"))
    res.check("the binary refuses a bundle whose recipient's checkpoint is forged (§12.2): exit 65, nothing imported",
              p.returncode == 65 and lap3.digest() == before, f"exit {p.returncode}: {p.stderr.decode()[-300:]}")
    # an honest one (the recipient's own checkpoint, at its head) is ignored: the bundle imports
    lap3.run("engagement", "create", "--client", "Recipient Ltd", check=True)
    rb = fp.read_bundle(lap3_export(lap3, work))
    own_cp = [c for c in rb.checkpoints() if c.key == rkey][0]
    raw = (own_cp.key + own_cp.seq.to_bytes(8, "big") + own_cp.hash + own_cp.signature).hex()
    caps = [(f"peer-head.{i}.{raw[i * 52:(i + 1) * 52]}", 0) for i in range((len(raw) + 51) // 52)]
    good = fp.write_bundle(key, now_ms(), [eng], [(me, 0, links[-1].seq)], links + [fp.Checkpoint.sign(key, *state.prefix[me])],
                           files, capabilities=caps)
    (work / "honest-peer-head.fabundle").write_bytes(good)
    p = lap3.run("import", str(work / "honest-peer-head.fabundle"))
    res.check("a bundle carrying the recipient's own checkpoint at its head imports", p.returncode == 0,
              f"exit {p.returncode}: {p.stderr.decode()[-300:]}")

    # §16.3: a sealed body over several chunks (a 200 KB incompressible evidence file)
    lap4 = Binary(binary, work / "sealed-chunks")
    lap4.run("init", "--name", "Sealed", check=True)
    lap4.run("trust", str(work / "me.card.json"), check=True)
    c4 = json.loads(lap4.run("whoami", "--card", "-o", "-", check=True).stdout)
    w4 = fp.Writer(key)
    t = now_ms()
    e4 = fp.new_entity_id(me, t)
    blob = os.urandom(200_000)
    ev = fp.new_entity_id(me, t)
    cs = w4.command([(e4, "engagement", e4, "title", fp.Value(fp.TEXT, "Sealed in chunks")),
                     (e4, "engagement", e4, "lead", fp.Value(fp.TEXT, me.hex())),
                     (e4, "evidence", ev, "digest", fp.Value(fp.BLOB, fp.sha256(blob))),
                     (e4, "evidence", ev, "name", fp.Value(fp.TEXT, "random.bin"))], t)
    sealed = fp.write_bundle(key, now_ms(), [e4], [(me, 0, cs[-1].seq)], cs + [w4.checkpoint()], [blob],
                             seal_for=[base64.b64decode(c4["agreementKey"])])
    res.check("the sealed body spans several chunks", len(sealed) > 3 * fp.SEAL_CHUNK, str(len(sealed)))
    (work / "sealed-chunks.fabundle").write_bytes(sealed)
    p = lap4.run("import", str(work / "sealed-chunks.fabundle"))
    res.check("the binary opens a body sealed here over several chunks, evidence included",
              p.returncode == 0 and lap4.digest() == w4.state.digest().hex(), f"exit {p.returncode}: {p.stderr.decode()[-300:]}")
    res.count("ownBundlesAccepted", int(p.returncode == 0))
    # a chunk moved: two sealed chunks swapped fails authentication
    hdr_len = 14 + int.from_bytes(sealed[10:14], "big")
    c0 = sealed[hdr_len:hdr_len + 4 + fp.SEAL_CHUNK + 16]
    c1 = sealed[hdr_len + len(c0):hdr_len + 2 * len(c0)]
    swapped = sealed[:hdr_len] + c1 + c0 + sealed[hdr_len + 2 * len(c0):-96]
    d = fp.sha256(swapped)
    swapped += d + key.sign(b"fieldaudit-bundle-v1" + d)
    (work / "sealed-swapped.fabundle").write_bytes(swapped)
    before = lap4.digest()
    p = lap4.run("import", str(work / "sealed-swapped.fabundle"))
    res.check("the binary refuses two sealed chunks swapped (re-signed), exit 65", p.returncode == 65 and lap4.digest() == before,
              f"exit {p.returncode}: {p.stderr.decode()[-300:]}")
    try:
        fp.read_bundle(swapped, fp.seed_of(key))
        res.check("so does this implementation", False, "read")
    except fp.ProtocolError as err:
        res.check("so does this implementation", err.kind in ("sealedAuthentication", "sealedOtherRecipients"), str(err))


def frames_bundle(key, engagements, ranges, write, evidence=False, version=1) -> bytes:
    """A bundle whose body `write(frame_writer)` fills by hand (for malformed cases)."""
    import zlib
    w = fp.FrameWriter(sorted(engagements), sorted(ranges))
    write(w)
    header = bytearray(fp.write_header(key, now_ms(), sorted(engagements), sorted(ranges), evidence))
    header[8:10] = version.to_bytes(2, "big")
    before = bytes(header) + zlib.compress(w.end())
    d = fp.sha256(before)
    return before + d + key.sign(b"fieldaudit-bundle-v1" + d)


def run_edges(res: Results, binary: str, work: Path) -> None:
    """Edges of part two, each against a replica of the binary that holds our first bundle: the full
    change replacing its placeholder (§13.8), and bundles every reader must refuse (§12.1, §13.3,
    §13.4, §13.5, §13.8, §15, §11), each refused by both implementations with the store unchanged."""
    work.mkdir(parents=True, exist_ok=True)
    key = fp.Ed25519PrivateKey.generate()
    me = fp.replica_id(fp.public_key_of(key))
    (work / "me.card.json").write_text(json.dumps(fp.identity_card(key, "Edges")))
    data, state, links, eng, files = make_own_bundle(key, "Edges")
    (work / "own.fabundle").write_bytes(data)
    lap = Binary(binary, work / "laptop")
    lap.run("init", "--name", "Edge Laptop", check=True)
    lap.run("trust", str(work / "me.card.json"), check=True)
    lap.run("import", str(work / "own.fabundle"), check=True)
    head = state.prefix[me][0]
    w = state.writer
    full = state.full_links

    def refused(label, bundle, words=""):
        path = work / f"edge-{len(list(work.glob('edge-*')))}.fabundle"
        path.write_bytes(bundle)
        before = lap.digest()
        p = lap.run("import", str(path))
        err = p.stderr.decode()
        ours = None
        try:
            b = fp.read_bundle(bundle)
            st = state_copy()
            fp.verify_chains(b, st)
            st.apply(b.links())
            ours = "accepted"
        except fp.ProtocolError as e:
            ours = str(e)
        res.check(f"{label}: refused by the binary (exit 65, store unchanged{', saying ' + repr(words) if words else ''}) and by this implementation",
                  p.returncode == 65 and lap.digest() == before and (words.lower() in err.lower()) and ours != "accepted",
                  f"binary exit {p.returncode}: {err[-300:]}; ours: {ours}")
        res.count("edgesRefused" if p.returncode == 65 else "edgesAccepted")

    def state_copy():
        st = fp.State()
        st.apply(lap_links)
        return st
    lap_links = list(links)

    nxt = w.command([(eng, "note", fp.new_entity_id(me, now_ms()), "text", fp.Value(fp.TEXT, "next"))], now_ms())
    cpn = w.checkpoint()
    rng = [(me, head, nxt[-1].seq)]

    refused("an unknown required capability",
            fp.write_bundle(key, now_ms(), [eng], rng, nxt + [cpn], capabilities=[("future-thing", 1)]), "future-thing")
    refused("format version 2", frames_bundle(key, [eng], rng, lambda fw: [fw.change(nxt[0]), fw.checkpoint(cpn)], version=2),
            "version 2")
    finding = next(l for l in full if isinstance(l, fp.Change) and l.kind == "finding")
    ms = nxt[-1].seq + 1
    mism = fp.Change(me, ms, nxt[-1].stamp + 1, ms, eng, "note", finding.entity, "text",
                     fp.Value(fp.TEXT, "a finding written as a note"))
    refused("an entity written with another kind (code 2r + 1, §13.4)",
            fp.write_bundle(key, now_ms(), [eng], [(me, head, ms)],
                            nxt + [mism, fp.Checkpoint.sign(key, ms, fp.chain_hash(cpn.hash, mism.content()))]))
    refused("seventeen checkpoints of one origin (§15)",
            fp.write_bundle(key, now_ms(), [eng], rng, nxt + [cpn] * 17), "")

    def many_redacted(fw):
        h = cpn.hash
        for i in range(1, 2001):
            fw.redacted(fp.Placeholder(me, head + i, bytes(32)))
    hh = state.prefix[me][1]
    for i in range(2000):
        hh = fp.chain_hash(hh, bytes(32))
    cpr = fp.Checkpoint.sign(key, head + 2000, hh)
    refused("2,000 redacted frames in a bundle of a few kilobytes (§13.8, one per 16 bytes)",
            frames_bundle(key, [eng], [(me, head, head + 2000)], lambda fw: [many_redacted(fw), fw.checkpoint(cpr)]), "")

    def chunks_out_of_order(fw):
        fw.change(nxt[0])
        fw.checkpoint(cpn)
        blob = os.urandom(1000)
        d = fp.sha256(blob)
        for off in (500, 0):
            fw._frame(2, d + fp.put_varint(1000) + fp.put_varint(off) + blob[off:off + 500])
            fw.counts[1] += 1
            fw.counts[2] += 500
    refused("an evidence file's chunks out of order (§13.5)",
            frames_bundle(key, [eng], rng, chunks_out_of_order, evidence=True), "incomplete evidence")

    # built by hand below instead (the frame writer always writes canonical codes)
    sup_change = dataclasses.replace(nxt[0], supersedes=((me, 1),))
    canonical_frame = fp.FrameWriter([eng], rng)
    canonical_frame.change(sup_change)
    frame = bytes(canonical_frame.out)
    tail = b"\x01\x00" + fp.put_varint(fp.zigzag(sup_change.seq - 1))
    assert frame.endswith(tail)
    body_payload = frame[2:-len(tail)] if frame[1] < 0x80 else None
    if body_payload is not None:
        noncanon = body_payload + b"\x01" + fp.put_varint(len(rng) + 1) + me + fp.put_varint(1)
        cps = fp.Checkpoint.sign(key, sup_change.seq, fp.chain_hash(state.prefix[me][1], sup_change.content()))

        def write_noncanon(fw):
            fw._frame(1, noncanon)
            fw.counts[0] += 1
            fw.checkpoint(cps)
        refused("a supersedes origin written in full though it is the change's own (§13.4 field 9)",
                frames_bundle(key, [eng], rng, write_noncanon), "")

    # accepted: an unknown optional capability, and a stamp far ahead of the clock (flagged, §4)
    future = dataclasses.replace(nxt[0], stamp=(now_ms() + 3_600_000) << 16)
    cpf = fp.Checkpoint.sign(key, future.seq, fp.chain_hash(state.prefix[me][1], future.content()))
    ok_bundle = fp.write_bundle(key, now_ms(), [eng], rng, [future, cpf], capabilities=[("someday-maybe", 0)])
    (work / "optional.fabundle").write_bytes(ok_bundle)
    p = lap.run("import", str(work / "optional.fabundle"))
    expect = fp.State()
    expect.apply(links + [future])
    res.check("an unknown optional capability and a stamp an hour ahead are accepted (§12.1, §4): the same digest",
              p.returncode == 0 and lap.digest() == expect.digest().hex(), f"exit {p.returncode}: {p.stderr.decode()[-300:]}")

    # §13.8: the withheld changes arrive in full and replace their placeholders
    first = next(l.seq for l in links if isinstance(l, fp.Placeholder))
    w2 = fp.State()
    w2.apply([l for l in full if l.seq < first])
    h_before = w2.prefix[me][1]
    fill = [l for l in full if l.seq >= first]
    h = h_before
    for l in fill:
        h = fp.chain_hash(h, l.content())
    filled = fp.write_bundle(key, now_ms(), [eng, state.other_engagement], [(me, first - 1, fill[-1].seq)],
                             fill + [fp.Checkpoint.sign(key, fill[-1].seq, h)])
    (work / "filled.fabundle").write_bytes(filled)
    p = lap.run("import", str(work / "filled.fabundle"))
    expect = fp.State()
    expect.apply(full + [future])
    res.check("the full changes replace their placeholders (§13.8): the digest of every change in full",
              p.returncode == 0 and lap.digest() == expect.digest().hex(),
              f"exit {p.returncode}: {p.stderr.decode()[-300:]}; {lap.digest()} vs {expect.digest().hex()}")


def lap3_export(lap: Binary, work: Path) -> bytes:
    lap.run("export", "--all", "--no-encrypt", "-o", str(work / "recipient-own.fabundle"), "--force", check=True)
    return (work / "recipient-own.fabundle").read_bytes()


# ---------------------------------------------------------------------------------------------
# part three


def free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def run_http(res: Results, binary: str, work: Path) -> None:
    work.mkdir(parents=True, exist_ok=True)
    key = fp.Ed25519PrivateKey.generate()
    card = fp.identity_card(key, "Second Implementation")
    (work / "second.card.json").write_text(json.dumps(card))
    central = Binary(binary, work / "central")
    central.run("init", "--name", "Central", check=True)
    central.run("trust", str(work / "second.card.json"), check=True)
    port = free_port()
    log = open(work / "serve.log", "wb")
    proc = subprocess.Popen([binary, "serve", "--listen", f"127.0.0.1:{port}", "--store", str(central.store)],
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        for _ in range(300):
            try:
                socket.create_connection(("127.0.0.1", port), 0.2).close()
                break
            except OSError:
                time.sleep(0.1)

        def request(method, path, body=b"", headers=None):
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            c.request(method, path, body=body or None, headers=headers or {})
            r = c.getresponse()
            out = (r.status, dict(r.getheaders()), r.read())
            c.close()
            return out

        challenge = os.urandom(32).hex()
        status, hdrs, body = request("GET", f"/v1/identity?challenge={challenge}")
        ccard = json.loads(body)
        cpub = base64.b64decode(ccard["publicKey"])
        rid = ccard["replicaID"]
        res.check("GET /v1/identity answers the central's card", status == 200 and fp.replica_id(cpub).hex() == rid,
                  f"{status} {body[:200]!r}")
        proof = {k.lower(): v for k, v in hdrs.items()}.get("fieldaudit-proof", "")
        res.check("its FieldAudit-Proof verifies for the challenge (§24)",
                  fp.identity_proof_holds(cpub, rid, challenge, proof), proof)
        status, _, _ = request("GET", "/v1/identity?challenge=xyz")
        res.check("a malformed challenge is answered 400", status == 400, str(status))

        def now_date() -> str:
            # signed afresh for each request: a slow machine must not push one out of the ±300 s window
            return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        h = fp.sign_request(key, "GET", "/v1/vector", rid, b"", now_date())
        status, hdrs, body = request("GET", "/v1/vector", headers=h)
        res.check("a request signed by this implementation (§25) is admitted: GET /v1/vector 200", status == 200,
                  f"{status} {body[:300]!r}")
        ap = {k.lower(): v for k, v in hdrs.items()}.get("fieldaudit-answer-proof", "")
        res.check("the vector's FieldAudit-Answer-Proof verifies (§24)",
                  fp.answer_proof_holds(cpub, rid, h["FieldAudit-Nonce"], body, ap), ap)
        vf = json.loads(body)
        res.check("the vector file has the shape of openapi's VectorFile",
                  vf.get("format") == "fieldaudit-vector" and vf.get("version") == 1 and vf.get("replica") == rid
                  and all(isinstance(n, int) for n in vf.get("vector", {}).values()), json.dumps(vf)[:300])
        status, _, body = request("GET", "/v1/vector", headers=h)
        res.check("the same nonce again is refused 401 (replay)", status == 401, str(status))
        err = json.loads(body or b"{}")
        categories = {"usage", "invalid-input", "missing-input", "cannot-create", "input-output",
                      "temporary-failure", "not-permitted", "internal-failure", "interrupted"}
        res.check("a refusal is JSON with error, hint and a known category (§26)",
                  isinstance(err.get("error"), str) and isinstance(err.get("hint"), str) and err.get("category") in categories,
                  json.dumps(err)[:300])
        stranger = fp.Ed25519PrivateKey.generate()
        status, _, _ = request("GET", "/v1/vector", headers=fp.sign_request(stranger, "GET", "/v1/vector", rid, b"", now_date()))
        res.check("a request by a key the central does not know is refused 401", status == 401, str(status))
        old_date = datetime.fromtimestamp(time.time() - 301, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        status, _, _ = request("GET", "/v1/vector", headers=fp.sign_request(key, "GET", "/v1/vector", rid, b"", old_date))
        res.check("a request signed 301 s ago is refused 401", status == 401, str(status))
        status, _, _ = request("GET", "/v1/nothing-here")
        res.check("an unknown route is answered 404", status == 404, str(status))
        status, hdrs, _ = request("GET", "/v1/push", headers=fp.sign_request(key, "GET", "/v1/push", rid, b"", now_date()))
        allow = {k.lower(): v for k, v in hdrs.items()}.get("allow", "")
        res.check("a route with another method is answered 405 naming it in Allow", status == 405 and "POST" in allow,
                  f"{status} {allow}")
        junk = b"not a vector file"
        status, _, _ = request("POST", "/v1/pull", junk, fp.sign_request(key, "POST", "/v1/pull", rid, junk, now_date()))
        res.check("a pull whose body is not a vector file is answered 400", status == 400, str(status))
        h2 = fp.sign_request(key, "GET", "/v1/vector", "0" * 32, b"", now_date())
        status, _, _ = request("GET", "/v1/vector", headers=h2)
        res.check("a request signed for another central is refused 401", status == 401, str(status))

        data, state, *_ = make_own_bundle(key, "Second Implementation")
        pushed_digest = state.digest().hex()
        h = fp.sign_request(key, "POST", "/v1/push", rid, data, now_date())
        status, _, body = request("POST", "/v1/push", data, dict(h, **{"Content-Type": "application/vnd.fieldaudit.bundle"}))
        ok = status == 200
        summary = json.loads(body) if ok else {}
        res.check("POST /v1/push of a bundle written by this implementation is imported", ok and summary.get("path") == "push",
                  f"{status} {body[:400]!r}")
        if ok:
            res.count("ownBundlesAccepted")
        own = fp.read_bundle(data)
        links, cp = own.links(), own.checkpoints()[0]
        altered = [dataclasses.replace(l, value=fp.Value(fp.TEXT, "altered")) if i == 7 else l for i, l in enumerate(links)]
        tampered = rebuild_bundle(key, own, altered + [cp], list(own.files.values()))
        h = fp.sign_request(key, "POST", "/v1/push", rid, tampered, now_date())
        status, _, body = request("POST", "/v1/push", tampered, h)
        res.check("a push of an altered change under an honest checkpoint is refused 422", status == 422,
                  f"{status} {body[:300]!r}")
        me = fp.replica_id(fp.public_key_of(key))
        w = fp.Writer(key, state)
        w.clock.last = max(l.stamp for l in links if isinstance(l, fp.Change))
        eng = own.header.engagements[0]
        w.command([(eng, "note", fp.new_entity_id(me, now_ms()), "text", fp.Value(fp.TEXT, "skipped"))], now_ms())
        later = w.command([(eng, "note", fp.new_entity_id(me, now_ms()), "text", fp.Value(fp.TEXT, "beyond a gap"))], now_ms())
        gap = fp.write_bundle(key, now_ms(), [eng], [(me, later[0].seq - 1, later[0].seq)], later + [w.checkpoint()])
        status, _, body = request("POST", "/v1/push", gap, fp.sign_request(key, "POST", "/v1/push", rid, gap, now_date()))
        res.check("a push that continues a chain beyond what the central holds is answered 409", status == 409,
                  f"{status} {body[:300]!r}")
        bad = bytearray(data)
        bad[len(bad) // 2] ^= 1
        h = fp.sign_request(key, "POST", "/v1/push", rid, bytes(data), now_date())
        status, _, _ = request("POST", "/v1/push", bytes(bad), h)
        res.check("a push whose body is not the one signed is refused 401", status == 401, str(status))
        vec = json.dumps({"format": "fieldaudit-vector", "version": 1, "replica": fp.replica_id(fp.public_key_of(key)).hex(),
                          "vector": {}}).encode()
        h = fp.sign_request(key, "POST", "/v1/pull", rid, vec, now_date())
        status, hdrs, body = request("POST", "/v1/pull", vec, dict(h, **{"Content-Type": "application/json"}))
        if res.check("POST /v1/pull answers a bundle", status == 200, f"{status} {body[:300]!r}"):
            b = fp.read_bundle(body)
            st = fp.State()
            fp.verify_chains(b, st)
            st.apply(b.links())
            hl = {k.lower(): v for k, v in hdrs.items()}
            res.check("the pulled bundle's header counts match its frames",
                      int(hl.get("fieldaudit-changes", -1)) == sum(isinstance(r, fp.Change) for r in b.records)
                      and int(hl.get("fieldaudit-withheld", -1)) == sum(isinstance(r, fp.Placeholder) for r in b.records),
                      f"{hl.get('fieldaudit-changes')} {hl.get('fieldaudit-withheld')}")
        central_digest = None
        os.kill(proc.pid, signal.SIGTERM)
        proc.wait(30)
        central_digest = central.digest()
        res.check("the central's digest after the pushes equals this implementation's for the one it accepted",
                  central_digest == pushed_digest, f"{central_digest} vs {pushed_digest}")
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGTERM)
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                os.kill(proc.pid, signal.SIGKILL)
        log.close()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("what", choices=["vectors", "binary", "http", "all"])
    ap.add_argument("--bin", help="the fieldaudit binary")
    ap.add_argument("--vectors", default=str(DEFAULT_VECTORS))
    ap.add_argument("--work", help="a scratch directory (default: a new temporary one, removed after)")
    a = ap.parse_args()
    res = Results()
    work = Path(a.work) if a.work else Path(tempfile.mkdtemp(prefix="fa-conformance-"))
    try:
        if a.what in ("vectors", "all"):
            run_vectors(res, Path(a.vectors))
        if a.what in ("binary", "all"):
            if not a.bin:
                ap.error("--bin is required")
            guarded(res, "binary", run_binary, res, a.bin, work / "binary")
            guarded(res, "deeper", run_deeper, res, a.bin, work / "deeper")
            guarded(res, "edges", run_edges, res, a.bin, work / "edges")
        if a.what in ("http", "all"):
            if not a.bin:
                ap.error("--bin is required")
            guarded(res, "http", run_http, res, a.bin, work / "http")
    finally:
        if not a.work:
            shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(res.summary()))
    return 0 if res.failed == 0 and res.passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
