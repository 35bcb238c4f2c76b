"""``python -m bench``: build (or reuse) the districts, time every page and role on them, serve
the main pages under gunicorn beside the floor, print the tables and write the JSON.

Knobs (options, or the environment for make): BENCH_RUNS (30), BENCH_SMALL (100), BENCH_LARGE
(10000), BENCH_YEARS (3), BENCH_RPS_SECONDS (3), BENCH_CONCURRENCY (4); DATABASE_URL chooses
PostgreSQL.
"""

import argparse
import os
import sys
from typing import Any

import sqlalchemy as sa

from bench import report
from bench.databases import District, district_url
from bench.explain import explain
from bench.pages import PAGES, ROLES, entries
from bench.serve import served
from bench.timing import Site, bench_app, measure


def _env(name: str, default: float) -> float:
    return type(default)(os.environ.get(name, default))


def arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--small", type=int, default=_env("BENCH_SMALL", 100))
    parser.add_argument("--large", type=int, default=_env("BENCH_LARGE", 10_000))
    parser.add_argument("--years", type=int, default=_env("BENCH_YEARS", 3))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--small-only", action="store_true", help="one district, no ratio")
    parser.add_argument("--runs", type=int, default=_env("BENCH_RUNS", 30))
    parser.add_argument("--rps-seconds", type=float, default=_env("BENCH_RPS_SECONDS", 3.0))
    parser.add_argument("--concurrency", type=int, default=_env("BENCH_CONCURRENCY", 4))
    parser.add_argument("--no-rps", action="store_true", help="skip the gunicorn run")
    parser.add_argument("--explain", metavar="ENDPOINT", help="plans of a page, e.g. main.index")
    parser.add_argument("--role", choices=ROLES, default="admin", help="with --explain")
    parser.add_argument("--htmx", action="store_true", help="with --explain: the fragment")
    parser.add_argument("--top", type=int, default=3, help="with --explain: statements shown")
    parser.add_argument("--size", choices=("small", "large"), default="large")
    return parser.parse_args(argv)


def open_sites(args: argparse.Namespace) -> dict[str, Site]:
    sizes = {"small": args.small} if args.small_only else {"small": args.small, "large": args.large}
    if args.explain:
        sizes = {args.size: sizes.get(args.size, args.large)}
    urls = {
        name: district_url(District(n, args.years, seed=args.seed)) for name, n in sizes.items()
    }
    return {name: Site.open(bench_app(url), ROLES) for name, url in urls.items()}


def run_explain(sites: dict[str, Site], args: argparse.Namespace) -> int:
    site = next(iter(sites.values()))
    for page in PAGES:
        if page.endpoint == args.explain and page.fragment == args.htmx:
            print(explain(site, page, args.role, args.top))
            return 0
    print(f"no page {args.explain} in bench/pages.py", file=sys.stderr)
    return 2


def rps(sites: dict[str, Site], args: argparse.Namespace) -> dict[str, dict[str, float]]:
    """Each main page as each of its roles, on the largest district."""
    name = "large" if "large" in sites else "small"
    site = sites[name]
    pages = [
        (page.key(role), site.url(page, role), site.logins[role])
        for page, role in entries()
        if page.main
    ]
    url = site.app.config["SQLALCHEMY_DATABASE_URI"]
    return served(url, pages, args.concurrency, args.rps_seconds)


def main(argv: list[str]) -> int:
    args = arguments(argv)
    sites = open_sites(args)
    if args.explain:
        return run_explain(sites, args)
    rows = [
        report.row(page, role, by_site)
        for (page, role), by_site in measure(sites, args.runs).items()
    ]
    print(report.pages_table(rows, list(sites)))
    document: dict[str, Any] = {
        "districts": {n: s.app.config["SQLALCHEMY_DATABASE_URI"] for n, s in sites.items()},
        "runs": args.runs,
        "pages": rows,
    }
    if not args.no_rps:
        document["served"] = rps(sites, args)
        print()
        print(report.rps_table(document["served"]))
    backend = sa.make_url(document["districts"]["small"]).get_backend_name()
    path = report.write(backend + ("-smoke" if args.small_only else ""), document)
    print(f"\nwritten to {path.relative_to(report.RESULTS.parent.parent)}")
    failed = [f"{r['page']} {r['role']}" for r in rows if set(r["status"].values()) != {200}]
    if failed:
        print("pages that did not answer 200: " + ", ".join(failed), file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
