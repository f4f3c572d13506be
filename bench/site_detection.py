"""Shared-site detection at national scale: the k-d tree against the naive pairwise baseline.

Generates synthetic stations (by default 200,000, about Vietnam's count) spread over Vietnam's
bounding box in clusters the way masts are, with a share of co-located operators, then times:

- the naive baseline: every pair's great-circle distance (O(n²)), on a subsample;
- `close_pairs` + `cluster_labels` (the code `hatangso sites detect` runs) on the same subsample,
  and checks both find the same pairs;
- the same on all stations, with the naive time extrapolated by (n / m)².

Times are only comparable within one run; the ratios are the result.

With `--database N` it also runs the whole `detect_sites` service (reading stations, writing
sites and station links through the ORM) on N stations in a throw-away SQLite database, against
the clustering alone on the same N: the share of the time spent in the database.

    .venv/bin/python bench/site_detection.py [--stations 200000] [--sample 4000] [--distance 30]
                                             [--database 20000]
"""

import argparse
import os
import sys
import tempfile
import time

import numpy as np

os.environ["HATANGSO_HOME"] = tempfile.mkdtemp(prefix="hatangso-bench-")
os.environ.pop("HATANGSO_DATABASE_URL", None)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hatangso.settings")

EARTH_RADIUS_M = 6_371_008.8


def synthetic_stations(count: int, seed: int = 452) -> tuple[np.ndarray, np.ndarray]:
    """Stations around cluster centres (towns) in Vietnam's bounding box; ~20% co-located (≤ 15 m)."""
    rng = np.random.default_rng(seed)
    sites = int(count * 0.8)
    towns = rng.uniform([8.6, 102.2], [23.4, 109.5], size=(max(1, count // 400), 2))
    town = towns[rng.integers(0, len(towns), sites)]
    site_lat = town[:, 0] + rng.normal(0, 0.05, sites)
    site_lon = town[:, 1] + rng.normal(0, 0.05, sites)
    guests = rng.integers(0, sites, count - sites)
    metres = rng.uniform(-15, 15, size=(count - sites, 2))
    lat = np.concatenate([site_lat, site_lat[guests] + metres[:, 0] / 111_320])
    lon = np.concatenate([site_lon, site_lon[guests] + metres[:, 1] / 106_000])
    return lon, lat


def naive_pairs(lons: np.ndarray, lats: np.ndarray, distance_m: float) -> set[tuple[int, int]]:
    """Every pair's haversine distance, one row at a time (what a loop over pairs would do)."""
    phi, lam = np.radians(lats), np.radians(lons)
    found = set()
    for i in range(len(lons) - 1):
        dphi = phi[i + 1 :] - phi[i]
        dlam = lam[i + 1 :] - lam[i]
        a = np.sin(dphi / 2) ** 2 + np.cos(phi[i]) * np.cos(phi[i + 1 :]) * np.sin(dlam / 2) ** 2
        close = np.nonzero(2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(a)) <= distance_m)[0]
        found.update((i, i + 1 + int(j)) for j in close)
    return found


def timed(function, *args):
    start = time.perf_counter()
    result = function(*args)
    return result, time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stations", type=int, default=200_000)
    parser.add_argument("--sample", type=int, default=4_000)
    parser.add_argument("--distance", type=float, default=30.0)
    parser.add_argument("--database", type=int, default=0, help="also time detect_sites on N stations")
    args = parser.parse_args()

    import django

    django.setup()
    from hatangso.registry.sites import close_pairs, cluster_labels

    lons, lats = synthetic_stations(args.stations)
    rng = np.random.default_rng(1)
    pick = np.sort(rng.choice(args.stations, size=min(args.sample, args.stations), replace=False))
    sub_lons, sub_lats = lons[pick], lats[pick]

    naive, naive_seconds = timed(naive_pairs, sub_lons, sub_lats, args.distance)

    def tree(lo, la):
        pairs = close_pairs(lo, la, args.distance)
        return pairs, cluster_labels(len(lo), pairs)

    (sub_pairs, _), tree_sub_seconds = timed(tree, sub_lons, sub_lats)
    agree = {tuple(p) for p in sub_pairs.tolist()} == naive
    (all_pairs, labels), tree_all_seconds = timed(tree, lons, lats)
    extrapolated = naive_seconds * (args.stations / len(pick)) ** 2

    print(f"stations: {args.stations:,} · subsample: {len(pick):,} · distance: {args.distance:g} m")
    print(f"subsample  naive O(n²): {naive_seconds:8.3f} s   k-d tree: {tree_sub_seconds:8.4f} s   "
          f"ratio naive/tree: {naive_seconds / tree_sub_seconds:8.1f}×   same pairs: {agree}")  # fmt: skip
    print(f"all        naive (extrapolated): {extrapolated:10.1f} s   k-d tree: {tree_all_seconds:8.3f} s   "
          f"ratio: {extrapolated / tree_all_seconds:10.0f}×")  # fmt: skip
    sites = len(np.unique(labels))
    print(f"all        pairs within {args.distance:g} m: {len(all_pairs):,} · sites: {sites:,}")
    if args.database:
        end_to_end(lons[: args.database], lats[: args.database], args.distance, tree)
    return 0 if agree else 1


def end_to_end(lons, lats, distance: float, tree) -> None:
    from django.core.management import call_command

    from hatangso.core.changelog import Actor
    from hatangso.registry.models import Operator, Station
    from hatangso.registry.operators import load_reference_operators
    from hatangso.registry.sites import detect_sites

    call_command("migrate", verbosity=0)
    actor = Actor.command("bench")
    load_reference_operators(actor=actor)
    operators = list(Operator.objects.filter(mobile=True))
    Station.objects.bulk_create(
        Station(operator=operators[i % len(operators)], code=f"S{i}", technology="4G", lat=la, lon=lo)
        for i, (lo, la) in enumerate(zip(lons.tolist(), lats.tolist(), strict=True))
    )
    _, cluster_seconds = timed(tree, lons, lats)
    summary, first_seconds = timed(lambda: detect_sites(actor=actor, distance_m=distance))
    _, again_seconds = timed(lambda: detect_sites(actor=actor, distance_m=distance))
    print(
        f"database   {len(lons):,} stations: clustering {cluster_seconds:.3f} s · detect_sites first run "
        f"{first_seconds:.2f} s ({first_seconds / cluster_seconds:.0f}×) · again, nothing to change "
        f"{again_seconds:.2f} s ({again_seconds / cluster_seconds:.0f}×) · sites {summary.sites:,}"
    )


if __name__ == "__main__":
    sys.exit(main())
