"""E-licence benchmark: verification against a bare signature check, issuance against a bare write
transaction, QR versions per licence type, and the status-list size for 10 million licences.

    .venv/bin/python -m bench.ecert [--seconds 2] [--issue 300]

On a shared machine, ``nice -n -10`` in front (as root) keeps other processes from evicting the caches
between rounds; the committed report was made that way.

One command, one run: every rate is reported with its baseline measured in the same process
moments before or after, alternating rounds, best round kept (the machines are shared and noisy).
Writes ``bench/reports/ecert.md`` and ``ecert.json``.

* **verify**: ``cryptography``'s Ed25519 ``verify`` over each code's Sig_structure (bytes prepared
  in advance) versus ``ecert.verify.verify`` on the QR text with the same key in a trust store —
  prefix and size checks, Base45, COSE parsing, the signature, claims, dictionary and fields. The
  target is at least 80 % of the raw rate. Both loops go through distinct codes.
* **issue**: ``ecert.licences.issue`` (authority lookup, random status-list entry, encrypted
  fields, audit entry, one write transaction) on a fresh SQLite database with the demo data,
  against a bare write transaction inserting one small row.
* **QR versions**: ``ecert.sizes.measure`` for Ed25519 and ES256.
* **status list**: 10,000,000 licences, 1 % revoked at random, 2 bits each, zlib level 9 — as one
  list and as the platform lays them out (lists of 2^20 entries, a new one when half full).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import platform
import random
import sys
import tempfile
import time
from pathlib import Path

import msgspec

REPORTS = Path(__file__).resolve().parent / "reports"


def _codes(count: int):
    from ecert import codes, cose, samples, trust, types, verify

    private = cose.ALGORITHMS[cose.EDDSA].generate()
    public = private.public_key()
    licence_type = types.get("business_licence")
    now = dt.datetime.now(dt.UTC)
    values = codes.encoded_values(
        licence_type, 1, samples.SAMPLES["business_licence"], list(licence_type.default_fields), valid=True
    )
    texts = [
        codes.presentation_text(
            licence_type,
            1,
            values,
            purpose=2,
            cti=os.urandom(8),
            issued=now,
            expires=now + dt.timedelta(hours=1),
            status=None,
            private=private,
        )
        for _ in range(count)
    ]
    content = {
        "province": "360000",
        "algorithms": [-8, -7],
        "issuers": [
            {
                "id": "360100.scjg",
                "name": "南昌市市场监督管理局",
                "region": "360100",
                "licence_types": ["business_licence", "food_licence"],
                "keys": [{"kid": cose.kid_of(public).hex(), "alg": -8, "state": "active", "jwk": cose.jwk(public)}],
            }
        ],
        "status_lists": [],
        "licence_types": types.dictionary(),
    }
    keys, lists, dictionaries = trust.store_parts(content)
    store = verify.TrustStore(keys, lists, dictionaries)
    from ecert import wire

    prepared = []
    for text in texts:
        sign1 = cose.parse_sign1(wire.decode(text)[1])
        prepared.append((sign1.signature, cose.sig_structure(sign1.protected, sign1.payload)))
    return public, texts, prepared, store, int(now.timestamp())


def bench_verify(seconds: float, rounds: int = 9) -> dict[str, float]:
    from ecert import verify

    public, texts, prepared, store, now = _codes(2000)
    assert verify.verify(texts[0], store, now=now).ok

    # CPU time of this process, not wall time: the machine is shared, and a round that waited for
    # the CPU says nothing about either path.
    clock = time.process_time

    def raw_round() -> float:
        done, started = 0, clock()
        while clock() - started < seconds:
            for signature, data in prepared:
                public.verify(signature, data)
            done += len(prepared)
        return done / (clock() - started)

    def full_round() -> float:
        done, started = 0, clock()
        while clock() - started < seconds:
            for text in texts:
                if not verify.verify(text, store, now=now).ok:
                    raise SystemExit("a code failed to verify")
            done += len(texts)
        return done / (clock() - started)

    raw, full = [], []
    for _ in range(rounds):
        raw.append(raw_round())
        full.append(full_round())
    # The same path with the signature check replaced by a no-op: what our code adds around it.
    trusted = next(iter(store.keys.values()))
    real_verify = trusted.verify
    trusted.verify = lambda key, signature, data: True
    around = sorted(full_round() for _ in range(rounds))
    trusted.verify = real_verify
    raw.sort()
    full.sort()
    ratios = sorted(f / r for f, r in zip(full, raw, strict=True))
    return {
        "raw_per_s": raw[rounds // 2],
        "full_per_s": full[rounds // 2],
        "ratio": full[rounds // 2] / raw[rounds // 2],
        "ratio_best": max(full) / max(raw),
        "ratio_range": [ratios[0], ratios[-1]],
        "rounds": rounds,
        "overhead_us": 1e6 / around[rounds // 2],
        "signature_us": 1e6 / raw[rounds // 2],
        "code_chars": len(texts[0]),
    }


def _issue(count: int) -> dict[str, float]:
    tmp = Path(tempfile.mkdtemp(prefix="zb-bench-ecert-"))
    os.environ.update(
        {
            "ZB_ENV": "test",
            "ZB_DATA_DIR": str(tmp / "data"),
            "ZB_SECRETS_DIR": str(tmp / "secrets"),
            "ZB_LOG_LEVEL": "WARNING",
        }
    )
    os.environ.pop("DATABASE_URL", None)
    from cli.main import migrate
    from core import pii
    from core import settings as settings_mod

    settings = settings_mod.from_env()
    settings_mod.use(settings)
    pii.reset_key_cache()
    migrate()
    return asyncio.run(_issue_rounds(count, settings))


async def _issue_rounds(count: int, settings: object) -> dict[str, float]:
    from audit import log as audit
    from core import db, timeutil
    from core.tables import RateCounter
    from demo.seed import seed
    from ecert import licences, samples

    engine = db.engine_from_settings(settings)
    db.bind(engine)
    async with db.running(engine):
        await seed()
        actor = audit.Actor(kind="system", label="bench")
        fields = samples.SAMPLES["id_card"]

        async def bare(n: int) -> float:
            started = time.perf_counter()
            for i in range(n):
                async with db.write_tx():
                    await RateCounter.insert(
                        RateCounter(key=f"bench:{time.time_ns()}:{i}", window_start=timeutil.now(), count=0)
                    )
            return n / (time.perf_counter() - started)

        async def issue(n: int) -> float:
            started = time.perf_counter()
            for _ in range(n):
                await licences.issue(
                    type_code="id_card",
                    holder_key=f"person:{timeutil.uuid7()}",
                    holder_name=fields["name"],
                    region_code="360102",
                    fields=fields,
                    actor=actor,
                    source="import",
                )
            return n / (time.perf_counter() - started)

        await issue(5)  # authority and key creation happen once, outside the timing
        bare_rates, issue_rates = [], []
        for _ in range(3):
            bare_rates.append(await bare(count))
            issue_rates.append(await issue(count))
    return {
        "bare_tx_per_s": max(bare_rates),
        "issue_per_s": max(issue_rates),
        "ratio": max(issue_rates) / max(bare_rates),
    }


def status_lists() -> dict[str, float]:
    from ecert import licences, statuslist

    rnd = random.Random(20260601)
    n = 10_000_000
    revoked = rnd.sample(range(n), n // 100)
    single = len(statuslist.compress(statuslist.build(n, [(i, statuslist.REVOKED) for i in revoked])))
    revoked_set = set(revoked)
    size = licences.STATUS_LIST_SIZE
    per_list = size // 2
    total, placed, lists = 0, 0, 0
    while placed < n:
        count = min(per_list, n - placed)
        slots = rnd.sample(range(size), count)
        entries = [(slot, statuslist.REVOKED) for j, slot in enumerate(slots) if placed + j in revoked_set]
        total += len(statuslist.compress(statuslist.build(size, entries)))
        placed += count
        lists += 1
    return {
        "licences": n,
        "revoked": n // 100,
        "single_list_bytes": single,
        "layout_lists": lists,
        "layout_bytes": total,
        "raw_bytes": n * 2 // 8,
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=2.0, help="per verify round")
    parser.add_argument("--issue", type=int, default=300, help="licences per issuance round")
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from ecert import cose, sizes

    load_at_start = os.getloadavg()[0]
    verify_figures = bench_verify(args.seconds)
    issue_figures = _issue(args.issue)
    qr = [msgspec.structs.asdict(m) for alg in (cose.EDDSA, cose.ES256) for m in sizes.measure(alg)]
    status = status_lists()
    report = {
        "at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores (shared; load average {load_at_start:.1f} "
        f"at the start), Python {platform.python_version()}",
        "verify": verify_figures,
        "issue": issue_figures,
        "qr": qr,
        "status_list": status,
    }
    REPORTS.mkdir(exist_ok=True)
    (REPORTS / "ecert.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    lines = [
        "# E-licence benchmark",
        "",
        f"{report['at']}; {report['machine']}. Rates are medians (verify) or best (issuance) of alternating "
        "rounds; ratios compare figures measured in the same run.",
        "",
        f"## Verification (Ed25519, business-licence presentation code, {verify_figures['code_chars']} characters)",
        "",
        "| path | verifications/s | ratio |",
        "|---|---:|---:|",
        f"| raw `cryptography` Ed25519 verify | {verify_figures['raw_per_s']:.0f} | 1.000 |",
        f"| full `ecert.verify.verify` (QR text → result) | {verify_figures['full_per_s']:.0f} | "
        f"{verify_figures['ratio']:.3f} |",
        "",
        f"Target ≥ 0.80. Medians of {verify_figures['rounds']} alternating rounds, CPU time of the process; "
        f"best round against best round: {verify_figures['ratio_best']:.3f}. Everything around the signature "
        f"check (the same path with a no-op check) costs {verify_figures['overhead_us']:.1f} µs of CPU per code, "
        f"against {verify_figures['signature_us']:.1f} µs for the signature itself.",
        "",
        "## Issuance (SQLite, demo data, one write transaction each)",
        "",
        "| path | per second | ratio |",
        "|---|---:|---:|",
        f"| bare write transaction (one small insert) | {issue_figures['bare_tx_per_s']:.0f} | 1.000 |",
        f"| `ecert.licences.issue` | {issue_figures['issue_per_s']:.0f} | {issue_figures['ratio']:.3f} |",
        "",
        "## QR versions at error correction M (limits: static 12, presentation 10)",
        "",
        "| type | alg | static chars | static v | live chars | live v | offline chars | offline v "
        "| offline has status |",
        "|---|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for m in qr:
        lines.append(
            f"| {m['licence_type']} | {m['alg']} | {m['static_chars']} | {m['static_version']} | {m['live_chars']} | "
            f"{m['live_version']} | {m['offline_chars']} | {m['offline_version']} | "
            f"{'yes' if m['offline_with_status'] else 'no'} |"
        )
    lines += [
        "",
        "## Status list: 10,000,000 licences, 1 % revoked at random (target ≤ 200 KB)",
        "",
        f"- raw: {status['raw_bytes']:,} bytes",
        f"- one list, zlib 9: {status['single_list_bytes']:,} bytes ({status['single_list_bytes'] / 1000:.1f} KB)",
        f"- the platform's layout ({status['layout_lists']} lists of 2^20 entries, each half full): "
        f"{status['layout_bytes']:,} bytes ({status['layout_bytes'] / 1000:.1f} KB)",
        "",
    ]
    (REPORTS / "ecert.md").write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
