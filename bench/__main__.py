"""`make bench` — coverage computation and statistics read latency on PostgreSQL at the API.md scale tiers.

    .venv/bin/python -m bench                 # tiers S and M
    .venv/bin/python -m bench --tier L        # the large tier (1M enterprises; several minutes)
    .venv/bin/python -m bench --keep-data     # reuse the data already loaded in the bench database
    .venv/bin/python -m bench --tier L --keep-data --incremental   # one changed link: incremental job vs full
    .venv/bin/python -m bench --tier L --keep-data --reads-only    # drill-downs: snapshot count vs live count
    .venv/bin/python -m bench --tier L --keep-data --trend   # one date vs a year's 12 month-ends in one pass

For each tier: load a synthetic province (`generate_synthetic`), VACUUM ANALYZE, then
1. time `compute_coverage` for the province's whole tree beside ONE hand-written SQL statement computing the
   same figures on the same data (bench/reference_sql.py), print both and the ratio, and check they agree
   (one untimed warm-up run of each, then the median of 3);
2. p50/p95 latency of `GET /api/v1/statistics/coverage/` and of the first page of a drill-down
   (`statistics/coverage/enterprises/`) under 10 concurrent clients (Django's test client in threads, each
   with its own database connection; token authentication; nothing listens on the network).

With --trend, only this (issue 17 item 4): `compute_snapshots` of the province for 2025-12-31 beside
`compute_snapshots_for_days` for the 12 month-ends of 2025 in one pass, alternating, the median of 3 and the ratio
(target ≤ 3), and whether the one-pass figures of 2025-12-31 equal the one-date ones.

The database is DATABASE_URL or postgres://root@127.0.0.1:5432/pp_bench; it is dropped and recreated unless
--keep-data. Benchmarks print figures; they do not assert (targets: ratio ≤ 1.5 at M, reads p95 < 50 ms,
drill-down first page p95 < 300 ms).
"""

import argparse
import contextlib
import datetime
import http.client
import os
import platform
import random
import statistics
import subprocess
import socket
import sys
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor

DEFAULT_URL = "postgres://root@127.0.0.1:5432/pp_bench"
TIER_SEEDS = {"S": 101, "M": 102, "L": 103}
AS_OF = datetime.date(2026, 1, 1)  # synthetic dates are anchored before this day
CLIENTS = 10
READS = 300
DRILLS = 200


def prepare_database(url: str, keep: bool):
    import psycopg  # noqa: PLC0415

    name = url.rsplit("/", 1)[1].split("?")[0]
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and not keep:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def percentile(values, p):
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]


def timed(func, repeat=3):
    times = []
    result = None
    for _ in range(repeat):
        started = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def load_tier(tier, enterprises, vacuum=True):
    from django.core.management import call_command  # noqa: PLC0415

    from organizations.models import Region  # noqa: PLC0415

    seed = TIER_SEEDS[tier]
    code = f"SYN{seed}"
    loaded = False
    if not Region.objects.filter(code=code).exists():
        started = time.perf_counter()
        call_command("generate_synthetic", enterprises=enterprises, seed=seed, verbosity=0,
                     stdout=open(os.devnull, "w"))
        print(f"  loaded {enterprises:,} enterprises in {time.perf_counter() - started:.1f} s")
        loaded = True
    else:
        print("  reusing the data already loaded")
    root = Region.objects.get(code=code)
    if loaded:
        # As a user runs it: the first compute straight after the load (the loader analyzed what it filled).
        seconds = run_compute(root)[0]
        print(f"  compute_coverage right after the load: {seconds:.3f} s")
    from django.db import connection  # noqa: PLC0415

    if not vacuum and not loaded:  # --trend on kept data: the loader has vacuumed it already
        return root
    with connection.cursor() as cursor:
        # VACUUM sets the hint bits and visibility map right after the bulk load, so that neither timed
        # side pays for the first reads of freshly copied pages (which dirty them).
        cursor.execute("VACUUM ANALYZE")
    return root


def run_compute(root):
    import io  # noqa: PLC0415
    import json  # noqa: PLC0415

    from django.core.management import call_command  # noqa: PLC0415

    out = io.StringIO()
    started = time.perf_counter()
    call_command("compute_coverage", region=root.code, as_of=AS_OF.isoformat(), stdout=out)
    return time.perf_counter() - started, json.loads(out.getvalue().strip().splitlines()[-1])


ROUNDS = 3


def bench_compute(root, floor_url, tier):
    """compute_coverage beside the floor (on its own tables and adapted to ours) and the older reference
    statement, alternating in each round so that all see the same machine; ratios per round, medians."""
    from django.db import connection  # noqa: PLC0415

    from bench.floor import FLOOR_FIGURES, FLOOR_ON_OUR_TABLES, FloorOnItsTables  # noqa: PLC0415
    from bench.reference_sql import REFERENCE_SQL  # noqa: PLC0415
    from reports.models import COUNT_FIELDS, CoverageSnapshot  # noqa: PLC0415

    def select(sql):
        def run():
            from reports.services import SETTINGS  # noqa: PLC0415 — the settings the snapshot transaction takes

            with connection.cursor() as cursor:
                for name, value in SETTINGS.items():
                    cursor.execute(f"SET {name} = '{value}'")
                cursor.execute(sql, {"root": root.path, "day": AS_OF})
                columns = [c.name for c in cursor.description]
                rows = cursor.fetchall()
                for name in SETTINGS:
                    cursor.execute(f"RESET {name}")
                return [dict(zip(columns, row)) for row in rows]
        return run

    floor = FloorOnItsTables(floor_url, tier)
    sides = {"ours": lambda: run_compute(root)[1], "floor": floor, "floor_ours": select(FLOOR_ON_OUR_TABLES),
             "reference": select(REFERENCE_SQL)}
    results = {name: run() for name, run in sides.items()}  # warm-up, untimed: same warm cache for all
    times = {name: [] for name in sides}
    for _ in range(ROUNDS):
        for name, run in sides.items():
            started = time.perf_counter()
            results[name] = run()
            times[name].append(time.perf_counter() - started)
    floor.close()
    summary = results["ours"]
    stored = {s.region_id: s for s in CoverageSnapshot.objects.filter(as_of=AS_OF, region__path__startswith=root.path)}
    by_code = {s.region.code: s for s in CoverageSnapshot.objects.filter(as_of=AS_OF, region__path__startswith=root.path)
               .select_related("region")}
    mismatches = [
        (row["code"], name, int(row[name]), getattr(by_code[row["code"]], name))
        for row in results["reference"] for name in COUNT_FIELDS if name in row  # (no work channels in it)
        if row["code"] not in by_code or int(row[name]) != getattr(by_code[row["code"]], name)
    ]
    floor_mismatches = [
        (row["anc_id"], name, int(row[name]), getattr(stored[row["anc_id"]], name))
        for row in results["floor_ours"] for name in FLOOR_FIGURES
        if row["anc_id"] not in stored or int(row[name]) != getattr(stored[row["anc_id"]], name)
    ]
    med = {name: statistics.median(values) for name, values in times.items()}

    def ratio(other):
        return statistics.median(o / f for o, f in zip(times["ours"], times[other]))

    def fmt(values):
        return ", ".join(f"{v:.3f}" for v in values)

    print(f"  compute_coverage          : {med['ours']:.3f} s for {summary['regions']} regions, "
          f"{summary['enterprises']:,} operating enterprises (median of {ROUNDS}: {fmt(times['ours'])})")
    print(f"  floor, its own tables     : {med['floor']:.3f} s ({fmt(times['floor'])})")
    print(f"  floor on our tables       : {med['floor_ours']:.3f} s ({fmt(times['floor_ours'])})")
    print(f"  reference SQL (older)     : {med['reference']:.3f} s ({fmt(times['reference'])})")
    print(f"  ratio ours / floor (own tables)  : {ratio('floor'):.2f}  (median of per-round ratios)")
    print(f"  ratio ours / floor (our tables)  : {ratio('floor_ours'):.2f}")
    print(f"  ratio ours / reference SQL       : {ratio('reference'):.2f}")
    print(f"  agreement: reference {'all figures agree' if not mismatches else f'{len(mismatches)} MISMATCHES'}"
          f" ({len(results['reference'])} regions × {len(COUNT_FIELDS)} counts); floor on our tables "
          f"{'all figures agree' if not floor_mismatches else f'{len(floor_mismatches)} MISMATCHES'}"
          f" ({len(results['floor_ours'])} regions × {len(FLOOR_FIGURES)} counts)")
    for mismatch in (mismatches + floor_mismatches)[:10]:
        print("    ", mismatch)
    return {"times": times, "mismatches": len(mismatches) + len(floor_mismatches)}


TREND_YEAR = 2025


def load_average() -> str:
    try:
        return " ".join(open("/proc/loadavg").read().split()[:3])
    except OSError:
        return "?"


def bench_trend(root):
    """One date (compute_snapshots) beside the 12 month-ends of TREND_YEAR in one pass
    (compute_snapshots_for_days), alternating in each round; medians and the median per-round ratio."""
    from reports import services, trends  # noqa: PLC0415
    from reports.models import COUNT_FIELDS, CoverageSnapshot  # noqa: PLC0415

    days = trends.month_ends(TREND_YEAR)
    existed = CoverageSnapshot.objects.filter(as_of__in=days, region__path__startswith=root.path).exists()

    def stored(day):
        return {s.region_id: s.counts() for s in
                CoverageSnapshot.objects.filter(as_of=day, region__path__startswith=root.path)}

    sides = {"one": lambda: services.compute_snapshots(root, days[-1]),
             "twelve": lambda: services.compute_snapshots_for_days(root, days)}
    print(f"  load average before: {load_average()}")
    sides["one"]()  # warm-up, untimed (and the one-date figures to compare with)
    alone = stored(days[-1])
    sides["twelve"]()
    together = stored(days[-1])
    mismatches = [(region_id, name) for region_id, counts in alone.items() for name in COUNT_FIELDS
                  if together.get(region_id, {}).get(name) != counts[name]]
    times = {name: [] for name in sides}
    for _ in range(ROUNDS):
        for name, run in sides.items():
            started = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - started)
    ratios = [t / o for o, t in zip(times["one"], times["twelve"])]

    def fmt(values):
        return ", ".join(f"{v:.3f}" for v in values)

    print(f"  one date ({days[-1]})          : {statistics.median(times['one']):.3f} s "
          f"(median of {ROUNDS}: {fmt(times['one'])})")
    print(f"  12 month-ends of {TREND_YEAR}, one pass: {statistics.median(times['twelve']):.3f} s "
          f"({fmt(times['twelve'])})")
    print(f"  ratio 12 days / one date        : {statistics.median(ratios):.2f} (per round: {fmt(ratios)}; target ≤ 3)")
    print(f"  agreement on {days[-1]}: " + ("all figures agree" if not mismatches else f"{len(mismatches)} MISMATCHES")
          + f" ({len(alone)} regions × {len(COUNT_FIELDS)} counts)")
    print(f"  load average after: {load_average()}")
    if not existed:  # leave the bench database as it was
        CoverageSnapshot.objects.filter(as_of__in=days, region__path__startswith=root.path).delete()
    return {"times": times, "mismatches": len(mismatches)}


def bench_reads(root, server=None):
    from django.test import Client  # noqa: PLC0415
    from rest_framework.authtoken.models import Token  # noqa: PLC0415

    from core.models import User  # noqa: PLC0415
    from organizations.models import Region  # noqa: PLC0415
    from reports.coverage import CATEGORIES  # noqa: PLC0415

    user, _ = User.objects.get_or_create(username=f"bench-{root.code}", defaults={
        "role": "stats_client", "scope_region": root})
    token, _ = Token.objects.get_or_create(user=user)
    header = {"HTTP_AUTHORIZATION": f"Token {token.key}"}
    regions = list(Region.objects.filter(path__startswith=root.path).values_list("code", "depth"))
    counties = [code for code, depth in regions if depth == root.depth + 2] or [root.code]
    categories = list(CATEGORIES)
    rng = random.Random(7)
    day = AS_OF.isoformat()

    if server is None:
        def fetch_factory():
            from django.test import Client  # noqa: PLC0415

            client = Client()

            def fetch(path, params):
                response = client.get(path, params, **header)
                return response.status_code, response.content
            return fetch
    else:
        def fetch_factory():
            # one kept-alive connection per client, as a browser or an API client holds it
            connection = http.client.HTTPConnection("127.0.0.1", server, timeout=60)

            def fetch(path, params):
                connection.request("GET", f"{path}?{urllib.parse.urlencode(params)}",
                                   headers={"Authorization": f"Token {token.key}", "Accept-Language": "en"})
                response = connection.getresponse()
                return response.status, response.read()
            return fetch

    def run(requests):
        def worker(chunk):
            from django.db import connection  # noqa: PLC0415

            fetch = fetch_factory()
            timings = []
            for path, params in chunk:
                started = time.perf_counter()
                status, body = fetch(path, params)
                timings.append((time.perf_counter() - started) * 1000)
                if status != 200:
                    raise RuntimeError(f"{path} {params} -> {status} {body[:200]}")
            connection.close()
            return timings

        chunks = [requests[i::CLIENTS] for i in range(CLIENTS)]
        with ThreadPoolExecutor(CLIENTS) as pool:
            return [t for timings in pool.map(worker, chunks) for t in timings]

    def report(label, timings):
        print(f"  {label:<44} n={len(timings):>3}  p50 {percentile(timings, 50):7.1f} ms  "
              f"p95 {percentile(timings, 95):7.1f} ms")
        return {"p50": percentile(timings, 50), "p95": percentile(timings, 95)}

    stats_path = "/api/v1/statistics/coverage/"
    drill_path = "/api/v1/statistics/coverage/enterprises/"
    # warm-up, not measured: every worker process and thread of the server has its connection and has built
    # its per-process caches (the compiled drill-down conditions: reports.coverage.Compiled) before the
    # figures are taken, as in a server that has been up for a while
    warm = random.Random(8)
    run([(stats_path, {"region": warm.choice(regions)[0], "as_of": day}) for _ in range(READS // 3)]
        + [(drill_path, {"region": warm.choice(counties), "as_of": day, "category": category})
           for category in categories for _ in range(8)])
    results = {}
    reads = [(stats_path, {"region": rng.choice(regions)[0], "as_of": day}) for _ in range(READS)]
    results["stats"] = report("GET statistics/coverage/ (any region)", run(reads))
    children = [(stats_path + "children/", {"region": rng.choice(counties), "as_of": day}) for _ in range(READS // 3)]
    results["children"] = report("GET statistics/coverage/children/ (county)", run(children))
    drills = [(drill_path, {"region": rng.choice(counties), "as_of": day, "category": rng.choice(categories)})
              for _ in range(DRILLS)]
    results["drill_county"] = report("drill-down first page (county, any count)", run(drills))
    root_drills = DRILLS // 2 if len(regions) < 1000 else 20  # whole-province lists are slow at tier L
    drills = [(drill_path, {"region": root.code, "as_of": day, "category": rng.choice(categories)})
              for _ in range(root_drills)]
    results["drill_root"] = report("drill-down first page (whole province)", run(drills))
    return results


def bench_incremental(root, rounds=ROUNDS):
    """One changed link (issue 17 item 3): the write with its marking on commit, then the incremental job, beside a
    full recompute of the province, alternating in each round. Each round adds a link to an enterprise of a
    township and removes it again (with its history rows): the data ends as it began. The stored rows of the
    link's region path after the job are compared with those of the full recompute that follows."""
    from django.db import transaction  # noqa: PLC0415

    from organizations.models import CoverageLink, Enterprise, PartyOrganization, Region  # noqa: PLC0415
    from reports import coverage, incremental  # noqa: PLC0415
    from reports.models import COUNT_FIELDS, CoverageSnapshot  # noqa: PLC0415

    day = AS_OF
    if (not CoverageSnapshot.objects.filter(region=root, as_of=day).exists()
            or CoverageSnapshot.objects.filter(as_of=day, stale=True).exists()):
        run_compute(root)  # the bench starts from fresh snapshots
    town = (Region.objects.filter(path__startswith=root.path, depth=root.depth + 3).order_by("path")[5:6].first()
            or root)
    linked = coverage.active_links(day).values("enterprise_id")
    enterprise = (coverage.operating_enterprises(town, day).filter(region=town).exclude(pk__in=linked)
                  .order_by("pk").first())
    organization = coverage.active_organizations(day).filter(region__path__startswith=town.path[:-Region.steplen]) \
        .order_by("pk").first() or coverage.active_organizations(day).order_by("pk").first()
    path = [town.path[:n] for n in range(Region.steplen, len(town.path) + 1, Region.steplen)]
    fields = [*COUNT_FIELDS, "organizations_by_kind", "demonstration_sites_by_level"]

    def path_rows():
        return {row.region_id: [getattr(row, f) for f in fields] for row in CoverageSnapshot.objects.filter(
            as_of=day, region__path__in=path)}

    def change(add):
        started = time.perf_counter()
        with transaction.atomic():  # the marking runs on commit, as after a page's write
            if add:
                link = CoverageLink.objects.create(organization=organization, enterprise=enterprise,
                                                   valid_from=day - datetime.timedelta(days=30))
            else:
                link = CoverageLink.objects.get(organization=organization, enterprise=enterprise)
                link_id = link.pk
                link.delete()
        written = time.perf_counter() - started
        result = incremental.refresh(day)
        if not add:
            CoverageLink.history.filter(id=link_id).delete()
        return written, time.perf_counter() - started - written, result

    print(f"  one changed link: enterprise {enterprise.pk} of {town.code}, organization {organization.code}")
    schedule, incremental.schedule = incremental.schedule, lambda: None  # the bench runs (and times) the job
    writes, jobs, fulls, mismatches = [], [], [], 0
    try:
        for _ in range(rounds):
            for add in (True, False):
                written, job, result = change(add)
                writes.append(written)
                jobs.append(job)
                after_job = path_rows()
                seconds = run_compute(root)[0]
                fulls.append(seconds)
                mismatches += after_job != path_rows()
                assert result["mode"] == "incremental", result
    finally:
        incremental.schedule = schedule
    job, full = statistics.median(jobs), statistics.median(fulls)
    print(f"  write + marking on commit          : median {statistics.median(writes) * 1000:7.1f} ms")
    print(f"  incremental job ({len(path)} rows of the path) : median {job * 1000:7.1f} ms  "
          f"{[round(t * 1000, 1) for t in jobs]}")
    print(f"  full recompute of the province     : median {full * 1000:7.1f} ms  {[round(t, 2) for t in fulls]}")
    print(f"  ratio job / full: {job / full * 100:.2f} %   rows differing from the full recompute: {mismatches}")
    return {"job": job, "full": full, "mismatches": mismatches}


def bench_drill_counts(root, rounds=5):
    """The county drill-down first page for every count, one client: count from the fresh snapshot beside the
    live count (the same row marked stale), alternating in each round; medians."""
    from django.test import Client  # noqa: PLC0415

    from core.models import User  # noqa: PLC0415
    from organizations.models import Region  # noqa: PLC0415
    from reports.coverage import CATEGORIES  # noqa: PLC0415
    from reports.models import CoverageSnapshot  # noqa: PLC0415

    county = (Region.objects.filter(path__startswith=root.path, depth=root.depth + 2).order_by("path").first()
              or root)
    user, _ = User.objects.get_or_create(username=f"bench-{root.code}", defaults={
        "role": "stats_client", "scope_region": root})
    client = Client()
    client.force_login(user)
    row = CoverageSnapshot.objects.filter(region=county, as_of=AS_OF)
    print(f"  drill-down first page, county {county.code}, one client ({rounds} rounds, medians):")
    print(f"    {'count':<20} {'snapshot':>10} {'live':>10}")
    both = {"snapshot": [], "live": []}
    for category in CATEGORIES:
        times = {"snapshot": [], "live": []}
        params = {"region": county.code, "as_of": AS_OF.isoformat(), "category": category}
        client.get("/api/v1/statistics/coverage/enterprises/", params)  # warm-up
        for _ in range(rounds):
            for mode in ("snapshot", "live"):
                row.update(stale=mode == "live")
                started = time.perf_counter()
                response = client.get("/api/v1/statistics/coverage/enterprises/", params)
                times[mode].append((time.perf_counter() - started) * 1000)
                if response.status_code != 200:
                    raise RuntimeError(response.content[:200])
        row.update(stale=False)
        print(f"    {category:<20} {statistics.median(times['snapshot']):8.1f} ms {statistics.median(times['live']):8.1f} ms")
        for mode in both:
            both[mode] += times[mode]
    print(f"    {'(all counts) p95':<20} {percentile(both['snapshot'], 95):8.1f} ms {percentile(both['live'], 95):8.1f} ms")


def bench_members(root):
    """The register at scale: the member balance of the whole province and of a county (events grouped in
    SQL), one page of the member list API for a county viewer, and the arrears count."""
    from django.test import Client  # noqa: PLC0415

    from core.models import User  # noqa: PLC0415
    from members.balance import balances, total_balance  # noqa: PLC0415
    from members.models import Member, MemberEvent  # noqa: PLC0415
    from members.views import arrears_queryset  # noqa: PLC0415
    from organizations.models import PartyOrganization, Region  # noqa: PLC0415

    county = Region.objects.filter(path__startswith=root.path, depth=root.depth + 2).order_by("path").first() or root
    start, end = datetime.date(AS_OF.year, 1, 1), AS_OF
    print(f"  members: {Member.objects.count():,}, events: {MemberEvent.objects.count():,}")
    seconds, total = timed(lambda: total_balance(PartyOrganization.objects.filter(
        region__path__startswith=root.path), start, end))
    print(f"  member balance, whole province      : {seconds * 1000:8.1f} ms (difference {total['difference']})")
    seconds, table = timed(lambda: balances(PartyOrganization.objects.filter(
        region__path__startswith=county.path), start, end))
    print(f"  member balance per organization, county ({len(table)} orgs): {seconds * 1000:8.1f} ms")
    viewer, _ = User.objects.get_or_create(username=f"bench-viewer-{county.code}", defaults={
        "role": "region_viewer", "scope_region": county})
    client = Client()
    client.force_login(viewer)
    seconds, response = timed(lambda: client.get("/api/v1/members/", {"region": county.code, "page_size": 50}))
    print(f"  GET members/ first page (county)    : {seconds * 1000:8.1f} ms ({response.json()['count']:,} members)")
    seconds, count = timed(lambda: arrears_queryset(viewer, AS_OF.year, AS_OF).count())
    print(f"  dues arrears count (county)         : {seconds * 1000:8.1f} ms ({count:,} members)")


def server_label(workers) -> str:
    return (f"gunicorn (config/gunicorn.py) on 127.0.0.1, {workers or 'its default number of'} workers, "
            f"{CLIENTS} client threads with kept-alive connections")


@contextlib.contextmanager
def wsgi_server(workers: int):
    """gunicorn on 127.0.0.1 (loopback only), configured as production runs it, for the read benchmark."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = dict(os.environ, DEBUG="false", LOG_LEVEL="WARNING", ALLOWED_HOSTS="127.0.0.1,localhost",
               GUNICORN_BIND=f"127.0.0.1:{port}", GUNICORN_LOG_LEVEL="warning")
    if workers:
        env["GUNICORN_WORKERS"] = str(workers)
    # as production runs it: config/gunicorn.py (threaded workers, keep-alive; docs/operations.md "Web process")
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.py", "config.wsgi:application"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError("gunicorn did not start: " + process.stderr.read().decode()[:500])
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--tier", action="append", choices=["S", "M", "L"],
                        help="tier to run (repeatable; default S and M)")
    parser.add_argument("--keep-data", action="store_true", help="reuse the bench database instead of recreating it")
    parser.add_argument("--in-process", action="store_true",
                        help="serve the reads with Django's test client in threads instead of gunicorn on 127.0.0.1")
    parser.add_argument("--compute-only", action="store_true", help="only the computation (no member or read figures)")
    parser.add_argument("--trend", action="store_true",
                        help="only one date vs the 12 month-ends of 2025 in one pass (issue 17 item 4)")
    parser.add_argument("--workers", type=int, default=None,
                        help="gunicorn workers for the read benchmark (default: config/gunicorn.py's)")
    parser.add_argument("--reads-only", action="store_true",
                        help="only the drill-down and read figures (data and snapshots already loaded: --keep-data)")
    parser.add_argument("--incremental", action="store_true",
                        help="only one changed link: the incremental job beside a full recompute (data kept)")
    args = parser.parse_args(argv)
    tiers = args.tier or ["S", "M"]

    url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    if not url.startswith("postgres"):
        sys.exit("The benchmark runs on PostgreSQL: set DATABASE_URL=postgres://…")
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "false")  # no query log in memory while timing
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    prepare_database(url, args.keep_data)

    import django  # noqa: PLC0415

    django.setup()
    from django.conf import settings  # noqa: PLC0415
    from django.core.management import call_command  # noqa: PLC0415
    from django.db import connection  # noqa: PLC0415

    from bench.floor import floor_database  # noqa: PLC0415
    from reports.synthetic import TIERS  # noqa: PLC0415

    settings.ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
    call_command("migrate", verbosity=0, interactive=False)
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg_version = cursor.fetchone()[0]
    cores = os.cpu_count()
    print(f"# coverage benchmark — {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC")
    print(f"machine: {platform.machine()}, {cores} cores, Python {platform.python_version()}, "
          f"PostgreSQL {pg_version}")
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                                check=False).stdout.strip()
        print(f"commit: {commit}")
    except OSError:
        pass
    for tier in tiers:
        print(f"\n## tier {tier}: {TIERS[tier]['enterprises']:,} enterprises")
        kept = args.incremental or args.reads_only or (args.trend and args.keep_data)  # vacuumed when loaded
        root = load_tier(tier, TIERS[tier]["enterprises"], vacuum=not kept)
        if args.trend:
            bench_trend(root)
            continue
        if args.incremental:
            bench_incremental(root)
            continue
        if args.reads_only:
            from reports.models import CoverageSnapshot  # noqa: PLC0415

            if CoverageSnapshot.objects.filter(as_of=AS_OF, stale=True).exists() or not \
                    CoverageSnapshot.objects.filter(region=root, as_of=AS_OF).exists():
                run_compute(root)  # fresh snapshots of the data as it is (nothing writes during the reads)
            bench_drill_counts(root)

            for label, stale in (("counts from fresh snapshots", False), ("live counts (snapshots stale)", True)):
                CoverageSnapshot.objects.filter(as_of=AS_OF).update(stale=stale)
                print(f"  reads ({label}): {server_label(args.workers)}")
                with wsgi_server(args.workers) as port:
                    bench_reads(root, port)
            CoverageSnapshot.objects.filter(as_of=AS_OF).update(stale=False)
            continue
        floor_url = floor_database(url, tier, args.keep_data)
        bench_compute(root, floor_url, tier)
        if args.compute_only:
            continue
        bench_members(root)
        if args.in_process:
            print("  reads: Django test client in 10 threads (one process)")
            bench_reads(root)
        else:
            print(f"  reads: {server_label(args.workers)}")
            with wsgi_server(args.workers) as port:
                bench_reads(root, port)


if __name__ == "__main__":
    main()
