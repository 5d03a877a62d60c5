"""`make bench`: print every figure beside its baseline, measured in this run."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import (
    api_bench,
    dashboard_bench,
    evidence_bench,
    matrix_bench,
    oscal_bench,
    register_bench,
    risks_bench,
    search_bench,
    synthetic,
    workbook_bench,
    zones_bench,
)
from bench.http import served, wrk
from kb import create_app
from kb.config import ROOT

SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
EVIDENCE_PAGES = (
    ("evidence register, first page", ""),
    ("evidence register, filtered (owner, review due)", "?owner=sam&review=due"),
)


def line(label: str, value: str) -> None:
    print(f"  {label:<54} {value}")


def show_loads(loads: dict, minimal) -> None:
    """Each page's throughput and latency, with its ratio to the minimal page."""
    for label, load in loads.items():
        line(label, str(load))
        line("  ratio to the minimal page", f"{load.rps / minimal.rps:.2f}x")


def register_figures(work: Path, env: dict[str, str], minimal) -> None:
    """The register page and inline updates, on SQLite and (when a server is given)
    on PostgreSQL, beside the minimal page of the same run."""
    engines = [("SQLite", env)]
    server = os.environ.get("KB_TEST_POSTGRES_URL")
    if server:
        import psycopg

        with psycopg.connect(
            server.replace("+psycopg", ""), autocommit=True
        ) as connection:
            connection.execute("CREATE DATABASE kb_bench")
        pg = env | {
            "KB_DATABASE_URL": server.rsplit("/", 1)[0] + "/kb_bench",
            "KB_INDEX_DIR": str(work / "index-pg"),
        }
        kb = str(Path(sys.executable).with_name("kb"))
        subprocess.run(
            [kb, "load"], env={**os.environ, **pg}, check=True, capture_output=True
        )
        engines.append(("PostgreSQL", pg))
    else:
        print(
            "\n(no PostgreSQL figures: run through scripts/with-postgres.sh, as make bench does)"
        )
    for name, engine_env in engines:
        full_env = {**os.environ, **engine_env}
        register_bench.set_up(full_env)
        evidence_bench.seed(engine_env, "bench-water")
        with served("kb:create_app()", engine_env) as base:
            browser, path, slugs = register_bench.log_in_and_create(base)
            cookie = [f"Cookie: {browser.cookie()}"]
            page = wrk(base + path, SECONDS, headers=cookie)
            single = wrk(base + path, SECONDS, 1, headers=cookie)
            writes = register_bench.updates(browser, path, slugs, SECONDS)
            # a row the 16 clients above did not touch, so its version starts at 0
            one_writer = register_bench.updates(browser, path, slugs[16:], SECONDS, 1)
            org_list = wrk(
                base + "/orgs/bench-water/assessments", SECONDS, headers=cookie
            )
            secret = api_bench.token(full_env)
            bearer = [f"Authorization: Bearer {secret}"]
            scores_json = base + "/api/v1" + path + "/scores"
            api_reads = {
                "register as JSON (token)": wrk(scores_json, SECONDS, headers=bearer),
                "register as JSON (token), one connection": wrk(
                    scores_json, SECONDS, 1, headers=bearer
                ),
            }
            evidence = {
                label: wrk(
                    base + "/orgs/bench-water/evidence" + query, SECONDS, headers=cookie
                )
                for label, query in EVIDENCE_PAGES
            }
            files = evidence_bench.upload_download(browser, "bench-water")
            zone_id = zones_bench.seed(engine_env, int(path.rsplit("/", 1)[1]))
            risks_bench.seed(engine_env, int(path.rsplit("/", 1)[1]))
            site = dashboard_bench.seed(engine_env, "bench-water")
            boards = {
                "dashboard of one assessment": wrk(
                    base + f"/assessments/{site}/dashboard", SECONDS, 1, headers=cookie
                ),
                "organisation overview, 51 assessments": wrk(
                    base + "/orgs/bench-water/", SECONDS, 1, headers=cookie
                ),
            }
            changed = dashboard_bench.reads_after_changes(
                browser,
                path,
                slugs[-1],
                {
                    "dashboard of one assessment": f"/assessments/{site}/dashboard",
                    "organisation overview, 51 assessments": "/orgs/bench-water/",
                },
            )
            # last: it saves every row, so the versions the steps above track move on
            saves = api_bench.bulk_against_forms(base, secret, browser, path)
            zone_pages = {
                "vector table and diagram, all zones and conduits": wrk(
                    base + path + "/zones", SECONDS, headers=cookie
                ),
                "one zone's page (vectors, chart, every SR and RE)": wrk(
                    base + f"{path}/zones/{zone_id}", SECONDS, headers=cookie
                ),
                "risk register, 30 zones x 10 threat scenarios": wrk(
                    base + path + "/risks", SECONDS, headers=cookie
                ),
                "risk register, one connection": wrk(
                    base + path + "/risks", SECONDS, 1, headers=cookie
                ),
            }
        raw = evidence_bench.raw_driver(engine_env["KB_DATABASE_URL"])
        print(
            f"\nregister on {name}: {len(slugs)} requirements in scope, "
            f"wrk 16 connections / 16 update clients, {SECONDS} s each"
        )
        line("minimal Flask page (baseline, above)", f"{minimal.rps:8.0f} req/s")
        line("register page", str(page))
        line(
            "  ratio to the minimal page (target >= 0.1x)",
            f"{page.rps / minimal.rps:.3f}x",
        )
        line("register page, one connection", str(single))
        line("  p50 of a single request (target < 15 ms)", f"{single.p50_ms:.2f} ms")
        line(
            "inline score update (POST, real writes)",
            f"{writes['rps']:8.0f} req/s  p50 {writes['p50']:6.2f} ms  "
            f"p99 {writes['p99']:6.2f} ms  failed {writes['failures']}",
        )
        line(
            "  one client saving in a loop (target p50 < 8 ms)",
            f"{one_writer['rps']:8.0f} req/s  p50 {one_writer['p50']:6.2f} ms  "
            f"p99 {one_writer['p99']:6.2f} ms  failed {one_writer['failures']}",
        )
        show_loads(api_reads, minimal)
        line(
            "  JSON read / HTML register page (throughput)",
            f"{api_reads['register as JSON (token)'].rps / page.rps:.2f}x",
        )
        line(
            f"every row saved ({saves['rows']}), median of {api_bench.ROUNDS}",
            f"bulk {saves['bulk'] * 1000:7.1f} ms   one form per row "
            f"{saves['forms'] * 1000:7.1f} ms   "
            f"{saves['forms'] / saves['bulk']:.1f}x faster in bulk  "
            f"(form failures {saves['failures']})",
        )
        line("organisation's list of assessments", str(org_list))
        line(
            "  ratio to the minimal page (target >= 0.3x)",
            f"{org_list.rps / minimal.rps:.2f}x",
        )
        print(
            f"\nevidence register on {name}: {evidence_bench.ITEMS} items, "
            f"wrk 16 connections, {SECONDS} s each"
        )
        show_loads(evidence, minimal)
        print(
            f"\nzones on {name}: {zones_bench.ZONES} zones and {zones_bench.CONDUITS} "
            f"conduits with their states, and {risks_bench.SCENARIOS_PER_ZONE} threat "
            f"scenarios per zone; wrk 16 connections unless said, {SECONDS} s each"
        )
        show_loads(zone_pages, minimal)
        print(
            f"\ndashboards on {name}: {dashboard_bench.ASSESSMENTS} assessments with "
            f"{dashboard_bench.MONTHS} snapshots each, wrk 1 connection, {SECONDS} s each"
        )
        show_loads(boards, minimal)
        print(
            "  the same pages, each read right after a change (nothing kept rendered)"
        )
        for label, (p50, p95) in changed.items():
            line(
                f"  {label}",
                f"p50 {p50:6.2f} ms  p95 {p95:6.2f} ms  (target p95 < 100 ms)",
            )
        mib = evidence_bench.FILE_BYTES // 2**20
        print(f"\n{mib} MiB file on {name}, median of {evidence_bench.ROUNDS}")
        line("driver alone: INSERT + COMMIT (baseline)", f"{raw['write']:8.1f} ms")
        line(
            "upload through the API (HTTP, hash, checks)",
            f"{files['upload']:8.1f} ms  {files['upload'] / raw['write']:.2f}x",
        )
        line("driver alone: SELECT (baseline)", f"{raw['read']:8.1f} ms")
        line(
            "download (HTTP, attachment)",
            f"{files['download']:8.1f} ms  {files['download'] / raw['read']:.2f}x",
        )


def matrix_figures(work: Path, minimal) -> None:
    """The coverage matrix at the real catalogue's size and at 20x, for a reader the
    page cache serves (no session) and for a logged-in member (the page rendered
    around the matrix region, which is kept per catalogue version)."""
    for label, factor in (("real catalogue", 1), ("20x requirements", 20)):
        env = matrix_bench.catalogue(work, f"matrix-{factor}x", factor)
        with served("kb:create_app()", env) as base:
            cookie = [f"Cookie: {register_bench.log_in(base).cookie()}"]
            loads = {
                "matrix, anonymous (page cache)": wrk(
                    base + "/offerings/matrix", SECONDS
                ),
                "matrix, logged in (its region kept per catalogue)": wrk(
                    base + "/offerings/matrix", SECONDS, headers=cookie
                ),
                "matrix, logged in, one connection": wrk(
                    base + "/offerings/matrix", SECONDS, 1, headers=cookie
                ),
            }
        print(f"\ncoverage matrix, {label}: wrk 16 connections, {SECONDS} s each")
        line("minimal Flask page (baseline, above)", f"{minimal.rps:8.0f} req/s")
        show_loads(loads, minimal)


def workbook_figures() -> None:
    """Export and import of a 10,000-row register beside raw openpyxl."""
    print(
        f"\nworkbook: a {workbook_bench.ROWS:,}-row register, median of "
        f"{workbook_bench.ROUNDS}, peak memory by tracemalloc"
    )
    measured = workbook_bench.figures()
    for name, (ours, raw), target in (
        ("export", measured["export"], 1.5),
        ("import (validate and preview)", measured["import"], 2.0),
    ):
        baseline = (
            "raw write-only writing" if name == "export" else "raw read-only reading"
        )
        line(f"{baseline} (baseline)", f"{raw.seconds:6.2f} s  {raw.peak_mib:6.1f} MiB")
        line(
            f"{name}",
            f"{ours.seconds:6.2f} s  {ours.peak_mib:6.1f} MiB  "
            f"{ours.seconds / raw.seconds:.2f}x time, "
            f"{ours.peak_mib / raw.peak_mib:.2f}x memory (targets <= {target}x, 2x)",
        )


def main(only: list[str]) -> None:
    """Every figure; `python -m bench search` gives the search figures alone."""
    work = Path(tempfile.mkdtemp(prefix="kb-bench-"))
    env = {
        "KB_DATABASE_URL": f"sqlite:///{work / 'kb.sqlite'}",
        "KB_INDEX_DIR": str(work / "index"),
        "KB_SECRET_KEY": "bench",
        "KB_API_RATE_LIMIT": "1000000000",  # measure the API, not its limit
    }
    kb = str(Path(sys.executable).with_name("kb"))
    if only == ["search"]:
        subprocess.run(
            [kb, "load"], env={**os.environ, **env}, check=True, capture_output=True
        )
        search_figures(work, env)
        return

    print("kb load of the whole catalogue, with the search index (fresh database)")
    start = time.perf_counter()
    subprocess.run(
        [kb, "load"], env={**os.environ, **env}, check=True, capture_output=True
    )
    line("wall time (target < 3 s)", f"{time.perf_counter() - start:.2f} s")

    print(
        f"\nrequirement page under load: wrk, 16 connections, {SECONDS} s, "
        "gunicorn 2 sync workers"
    )
    with served("bench.minimal:app") as base:
        minimal = wrk(base + "/", SECONDS)
    with served("kb:create_app()", env) as base:
        page = wrk(base + "/requirements/sp-09-02-br", SECONDS)
    for label, load in (
        ("minimal Flask page (baseline)", minimal),
        ("/requirements/sp-09-02-br", page),
    ):
        line(label, str(load))
    line("ratio of throughput (target >= 0.7x)", f"{page.rps / minimal.rps:.2f}x")

    oscal = oscal_bench.figures(env)
    print(
        f"\nOSCAL catalog of the whole catalogue ({oscal['controls']} controls), "
        f"median of {oscal_bench.ROUNDS}, in-process"
    )
    line("the same rows as plain JSON (baseline)", f"{oscal['plain']:8.1f} ms")
    line(
        "built with compliance-trestle's models, serialised",
        f"{oscal['oscal']:8.1f} ms  {oscal['oscal'] / oscal['plain']:.1f}x",
    )

    matrix_figures(work, minimal)
    register_figures(work, env, minimal)
    workbook_figures()

    search_figures(work, env)


def search_figures(work: Path, env: dict[str, str]) -> None:
    """Search at the real catalogue's size and at 20x, beside raw FTS5 and whoosh."""
    app = create_app(
        {"DATABASE_URL": env["KB_DATABASE_URL"], "INDEX_DIR": env["KB_INDEX_DIR"]}
    )
    with app.app_context():
        from kb.db import get_session
        from kb.services.search import documents, synonyms

        real = documents(get_session())
        groups = synonyms(get_session())
    for label, docs in (
        ("real catalogue", real),
        ("20x synthetic", synthetic.multiply(real, 20)),
    ):
        index_dir = work / f"index-{len(docs)}"
        built = search_bench.build_index(index_dir, docs, groups)
        rounds = 5
        ours = search_bench.percentiles(search_bench.kb_search(index_dir, rounds))
        typing = search_bench.percentiles(
            search_bench.kb_search(index_dir, rounds, summary=False)
        )
        raw = search_bench.percentiles(search_bench.raw_fts5(index_dir, rounds))
        whoosh_built, whoosh_times = search_bench.raw_whoosh(work, docs, rounds)
        whoosh = search_bench.percentiles(whoosh_times)
        print(
            f"\nsearch, {label}: {len(docs)} documents, {len(search_bench.QUERIES)} queries "
            f"x {rounds}; index built in {built:.2f} s (whoosh: {whoosh_built:.2f} s)"
        )
        for name, (p50, p95) in (
            ("kb.search, results page (facets, counts, snippets)", ours),
            ("kb.search, as you type (top 8, no facets)", typing),
            ("raw SQLite FTS5, same queries, same index", raw),
            ("raw whoosh-reloaded, same documents (reference)", whoosh),
        ):
            line(name, f"p50 {p50:6.2f} ms  p95 {p95:6.2f} ms")
        line("results page p95 (target < 30 ms at 20x)", f"{ours[1]:.2f} ms")
        line(
            "results page p95 / raw whoosh p95 (target <= 1.5x)",
            f"{ours[1] / whoosh[1]:.2f}x",
        )
        line("results page p95 / raw FTS5 p95", f"{ours[1] / raw[1]:.2f}x")
        line("as you type p95 / raw FTS5 p95", f"{typing[1] / raw[1]:.2f}x")


if __name__ == "__main__":
    os.chdir(ROOT)
    main(sys.argv[1:])
