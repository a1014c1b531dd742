#!/usr/bin/env python3
"""The Python peers of the SDK's benches (issue 13), and the report that puts both sides side by side.

    bench_peers.py run --fixed URL [--sim MS=URL ...] [--round N] [--min-secs S] --json FILE
    bench_peers.py report --json FILE

`run` measures one round of every Python case and appends one JSON line per sample to FILE, in the
same shape as the Rust benches' `BENCH_JSON` lines; `scripts/bench-peers.sh` alternates it with the Rust
benches round by round against the same servers. `report` prints, per bench, min and median of every
case of both sides, records/s and the ratios.

Cases:
* decode (against the fixed-bytes server, which answers every request with the captured 500-ticket page):
  - `py-autotask query()`: py-autotask 2.3.0's `client.tickets.query()`, its public call for one page;
  - `requests + json`: a `requests` POST and `response.json()`;
  - `transport only (requests)`: the same POST, the body read and dropped;
  - `json.loads (memory)`: `json.loads` of the page bytes in memory.
* paging (against an `autotask-sim` with 100,000 tickets and MS ms added per request):
  - `python loop`: a `requests` loop over `nextPageUrl`, re-POSTing the body, `response.json()` per page;
  - `python 3 partitions`: three such loops over id ranges in three threads (count + probe included);
  - `py-autotask query_all()`: `client.tickets.query_all()`; it stops after the first page (it pages
    by an `offset` field its own request model refuses), so its records/s counts what it returned.

How py-autotask is pointed at the local servers, without patching it: its zone lookup URL is a class
attribute, `AutotaskAuth.ZONE_INFO_URL`, set here to the simulator's `V1.0/zoneInformation` (the
simulator answers it with its own base URL, so py-autotask then queries the simulator as it would a
real zone). The fixed-bytes server answers every path with the page, so it cannot answer a zone lookup;
there py-autotask gets the documented `api_url` argument of `AutotaskClient.create`, which skips the
lookup. Either way py-autotask appends `v1.0/<Entity>/query` to the URL; both servers accept any case.
"""

import argparse
import json
import os
import statistics
import sys
import threading
import time

DEMO = {"username": "sim@example.com", "integration_code": "SIMCODE", "secret": "secret"}
HEADERS = {
    "ApiIntegrationCode": DEMO["integration_code"],
    "UserName": DEMO["username"],
    "Secret": DEMO["secret"],
    "Content-Type": "application/json",
}
PAGE_TICKETS = 500
QUERY = {"filter": [{"op": "gte", "field": "id", "value": 0}], "MaxRecords": 500}


def load():
    try:
        with open("/proc/loadavg") as f:
            return " ".join(f.read().split()[:3])
    except OSError:
        return "?"


class Recorder:
    def __init__(self, path, round_no):
        self.path = path
        self.round = round_no

    def record(self, bench, unit, case, note, records, seconds):
        line = {
            "side": "python", "bench": bench, "unit": unit, "case": case, "note": note,
            "round": self.round, "records": records, "seconds": seconds, "load": load(),
        }
        with open(self.path, "a") as f:
            f.write(json.dumps(line) + "\n")
        print(f"  python {bench}: {case}: {records} records in {seconds:.4f} s", flush=True)


def per_page(min_secs, page):
    """Mean seconds of one call of `page` (which returns its record count) over at least `min_secs`."""
    assert page() == PAGE_TICKETS, "a whole page decoded"
    started = time.perf_counter()
    calls = 0
    while time.perf_counter() - started < min_secs or calls < 3:
        assert page() == PAGE_TICKETS
        calls += 1
    return (time.perf_counter() - started) / calls


def session():
    import requests

    s = requests.Session()
    s.headers.update(HEADERS)
    return s


def query_loop(s, base, body):
    """Every record of the query, following nextPageUrl; the record count."""
    url = f"{base}V1.0/Tickets/query"
    data = json.dumps(body)
    records = 0
    while True:
        answer = s.post(url, data=data)
        answer.raise_for_status()
        page = answer.json()
        records += len(page["items"])
        url = (page.get("pageDetails") or {}).get("nextPageUrl")
        if not url:
            return records


def partitions(base, parts):
    """Every ticket through `parts` loops over id ranges in threads; the record count."""
    s = session()
    answer = s.post(f"{base}V1.0/Tickets/query/count", data=json.dumps({"filter": QUERY["filter"]}))
    answer.raise_for_status()
    total = answer.json()["queryCount"]
    probe = s.post(f"{base}V1.0/Tickets/query", data=json.dumps({**QUERY, "MaxRecords": 1}))
    probe.raise_for_status()
    items = probe.json()["items"]
    if not items:
        return 0
    lowest = items[0]["id"]
    step = -(-total // parts)
    counts = [0] * parts
    errors = []

    def work(k):
        try:
            frm = lowest + k * step
            filters = [{"op": "gte", "field": "id", "value": frm}]
            if k + 1 < parts:
                filters.append({"op": "lt", "field": "id", "value": frm + step})
            counts[k] = query_loop(session(), base, {"filter": filters, "MaxRecords": 500})
        except Exception as e:  # reported below, never swallowed
            errors.append(e)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(parts)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return sum(counts)


def py_autotask_client(api_url=None, zone_lookup=None):
    from py_autotask import AutotaskClient
    from py_autotask.auth import AutotaskAuth

    if zone_lookup:
        AutotaskAuth.ZONE_INFO_URL = zone_lookup
        AutotaskAuth._zone_cache.clear()
    return AutotaskClient.create(api_url=api_url, **DEMO)


def run(args):
    import requests  # noqa: F401  (fail early when the venv lacks it)

    rec = Recorder(args.json, args.round)
    with open(args.fixture, "rb") as f:
        page_bytes = f.read()
    unit = f"one page of {PAGE_TICKETS} tickets, {len(page_bytes)} bytes; server {args.fixed}"
    min_secs = args.min_secs

    client = py_autotask_client(api_url=args.fixed)
    t = per_page(min_secs, lambda: len(client.tickets.query().items))
    rec.record("decode", unit, "py-autotask query()", "py-autotask 2.3.0 client.tickets.query(), over HTTP",
               PAGE_TICKETS, t)

    s = session()
    url = f"{args.fixed}V1.0/Tickets/query"
    data = json.dumps(QUERY)

    def requests_json():
        answer = s.post(url, data=data)
        answer.raise_for_status()
        return len(answer.json()["items"])

    t = per_page(min_secs, requests_json)
    rec.record("decode", unit, "requests + json", "requests POST + response.json(), over HTTP", PAGE_TICKETS, t)

    def transport():
        answer = s.post(url, data=data)
        assert len(answer.content) == len(page_bytes)
        return PAGE_TICKETS

    t = per_page(min_secs, transport)
    rec.record("decode", unit, "transport only (requests)", "requests POST, body read and dropped",
               PAGE_TICKETS, t)

    t = per_page(min_secs, lambda: len(json.loads(page_bytes)["items"]))
    rec.record("decode", unit, "json.loads (memory)", "json.loads of the bytes in memory", PAGE_TICKETS, t)

    for spec in args.sim:
        ms, base = spec.split("=", 1)
        bench = f"paging {ms} ms"
        count = session().post(f"{base}V1.0/Tickets/query/count", data=json.dumps({"filter": QUERY["filter"]}))
        count.raise_for_status()
        total = count.json()["queryCount"]
        unit = f"all {total} tickets, {ms} ms added per request; simulator {base}"

        started = time.perf_counter()
        n = query_loop(session(), base, QUERY)
        rec.record(bench, unit, "python loop", "requests loop over nextPageUrl, response.json() per page",
                   n, time.perf_counter() - started)
        assert n == total, (n, total)

        started = time.perf_counter()
        n = partitions(base, 3)
        rec.record(bench, unit, "python 3 partitions",
                   "three requests loops over id ranges in threads (count + probe included)",
                   n, time.perf_counter() - started)
        assert n == total, (n, total)

        client = py_autotask_client(zone_lookup=f"{base}V1.0/zoneInformation")
        started = time.perf_counter()
        items = client.tickets.query_all()
        elapsed = time.perf_counter() - started
        distinct = len({item["id"] for item in items})
        rec.record(bench, unit, "py-autotask query_all()",
                   f"py-autotask 2.3.0 client.tickets.query_all(): returned {len(items)} records "
                   f"({distinct} distinct) of {total}", len(items), elapsed)


def report(args):
    lines = []
    with open(args.json) as f:
        for line in f:
            if line.strip():
                lines.append(json.loads(line))
    benches = []
    for line in lines:
        if line["bench"] not in benches:
            benches.append(line["bench"])
    baselines = {"decode": "sdk page()"}
    peers = {"decode": "py-autotask query()"}
    for bench in benches:
        rows = [l for l in lines if l["bench"] == bench]
        sdk = baselines.get(bench, "sdk stream()")
        peer = peers.get(bench, "python loop")
        cases = []
        for row in rows:
            if (row["side"], row["case"]) not in [(c[0], c[1]) for c in cases]:
                cases.append((row["side"], row["case"], row["note"]))
        rounds = max(row["round"] for row in rows)
        loads = [row["load"] for row in rows]
        units = {row["side"]: row["unit"] for row in rows}
        print(f"\n## {bench}: {rounds} rounds, load (1/5/15 min) from {loads[0]} to {loads[-1]}")
        for side, unit in units.items():
            print(f"- {side}: {unit}")
        print()

        def stats(case):
            samples = [r for r in rows if r["case"] == case]
            secs = [r["seconds"] for r in samples]
            recs = statistics.median([r["records"] for r in samples])
            med = statistics.median(secs)
            return min(secs), med, recs / med if med > 0 else float("nan")

        rates = {case: stats(case)[2] for _, case, _ in cases}
        print(f"| side | case | min | median | records/s (median) | vs {sdk} | vs {peer} | what |")
        print("| --- | --- | --- | --- | --- | --- | --- | --- |")
        for side, case, note in cases:
            lo, med, rate = stats(case)
            vs_sdk = f"{rate / rates[sdk]:.2f}×" if sdk in rates else "?"
            vs_peer = f"{rate / rates[peer]:.2f}×" if peer in rates else "?"
            print(f"| {side} | {case} | {show(lo)} | {show(med)} | {rate:,.0f} | {vs_sdk} | {vs_peer} | {note} |")
        print()
        if sdk in rates and peer in rates:
            print(f"{sdk} / {peer}: {rates[sdk] / rates[peer]:.2f}× (records/s, medians)")
        for fast, slow in [("sdk parallel(3)", "sdk stream()"), ("sdk parallel(3)", "python loop"),
                           ("sdk parallel(3)", "python 3 partitions"), ("sdk parallel(3)", "sdk 3 partitions"),
                           ("sdk 3 partitions", "sdk stream()"), ("python 3 partitions", "python loop"),
                           ("sdk 3 partitions", "python loop"), ("serde typed (memory)", "sdk page()"),
                           ("serde typed (memory)", "json.loads (memory)"),
                           ("transport only", "sdk page()"), ("transport only (requests)", "py-autotask query()")]:
            if fast in rates and slow in rates:
                print(f"{fast} / {slow}: {rates[fast] / rates[slow]:.2f}×")


def show(seconds):
    return f"{seconds * 1e3:.2f} ms" if seconds < 1 else f"{seconds:.2f} s"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run")
    r.add_argument("--fixed", required=True, help="base URL of the fixed-page-server")
    r.add_argument("--sim", action="append", default=[], help="MS=BASE_URL of an autotask-sim")
    r.add_argument("--fixture", default=os.path.join(os.path.dirname(__file__), "..", "benches", "fixtures",
                                                     "tickets-page-500.json"))
    r.add_argument("--round", type=int, default=1)
    r.add_argument("--min-secs", type=float, default=1.0)
    r.add_argument("--json", required=True)
    p = sub.add_parser("report")
    p.add_argument("--json", required=True)
    args = parser.parse_args()
    if args.command == "run":
        run(args)
    else:
        report(args)


if __name__ == "__main__":
    sys.exit(main())
