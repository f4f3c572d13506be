"""The coverage grid's vectorised prediction against a straightforward per-cell Python loop.

Generates synthetic sites (default 1,000, four operators, 4G at 1,800 MHz) over a square area
and the cell centres of a 100 m grid over it (default 500,000 cells), then times:

- `predict` (what `hatangso coverage compute` runs per tile: a k-d tree query for all cells, then
  path loss, SINR and throughput as numpy arrays) on all cells;
- the per-cell loop (for every cell and operator: every station's distance, path loss of the
  k nearest, SINR and throughput with the math module) on a subsample, scaled up to all cells,
  after checking both give the same speeds on that subsample.

Times are only comparable within one run; the ratio is the result.

    .venv/bin/python bench/coverage_grid.py [--cells 500000] [--sites 1000] [--sample 2000] [--small]
"""

import argparse
import math
import os
import sys
import tempfile
import time

import numpy as np

os.environ["HATANGSO_HOME"] = tempfile.mkdtemp(prefix="hatangso-bench-")
os.environ.pop("HATANGSO_DATABASE_URL", None)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hatangso.settings")

OPERATORS = ("viettel", "vnpt", "mobifone", "vietnamobile")


def synthetic_grid(cells: int, sites: int, seed: int = 452):
    """Cell centres of a square 100 m grid holding `cells` cells; sites spread over it in towns."""
    rng = np.random.default_rng(seed)
    side = math.ceil(math.sqrt(cells))
    ix, iy = np.meshgrid(np.arange(side), np.arange(side))
    xy = (np.column_stack([ix.ravel(), iy.ravel()])[:cells] + 0.5) * 100.0 + [500_000.0, 1_800_000.0]
    towns = rng.uniform(xy.min(axis=0), xy.max(axis=0), size=(max(1, sites // 25), 2))
    station_xy = towns[rng.integers(0, len(towns), sites)] + rng.normal(0, 1500, size=(sites, 2))
    operators = rng.choice(len(OPERATORS), sites, p=[0.42, 0.3, 0.22, 0.06])
    heights = rng.uniform(20, 45, sites)
    return xy, station_xy, operators, heights


def loop_predict(xy, station_xy, operators, heights, parameters, profile) -> np.ndarray:
    """The best operator's speed per cell, one cell and one station at a time."""
    shannon = parameters.shannon
    noise_mw = 10 ** ((-174 + 10 * math.log10(profile.bandwidth_mhz * 1e6) + parameters.noise_figure_db) / 10)
    fc = profile.frequency_mhz / 1000
    h_ut, w, h = parameters.user_height_m, 20.0, 5.0
    by_operator = [[j for j in range(len(station_xy)) if operators[j] == o] for o in range(len(OPERATORS))]
    result = np.zeros(len(xy))
    for i, (x, y) in enumerate(xy):
        best = 0.0
        for members in by_operator:
            near = sorted((math.hypot(station_xy[j][0] - x, station_xy[j][1] - y), j) for j in members)
            powers = []
            for d, j in near[: parameters.nearest]:
                if d > parameters.max_distance_m:
                    continue
                d = max(d, parameters.min_distance_m)
                h_bs = min(max(heights[j], 10.0), 150.0)
                d3 = math.sqrt(d * d + (h_bs - h_ut) ** 2)
                d_bp = 2 * math.pi * h_bs * h_ut * fc * 1e9 / 299_792_458.0

                def pl1(dist, h_bs=h_bs):
                    return (
                        20 * math.log10(40 * math.pi * dist * fc / 3)
                        + min(0.03 * h**1.72, 10) * math.log10(dist)
                        - min(0.044 * h**1.72, 14.77)
                        + 0.002 * math.log10(h) * dist
                    )

                los = pl1(d3) if d <= d_bp else pl1(d_bp) + 40 * math.log10(d3 / d_bp)
                nlos = (
                    161.04 - 7.1 * math.log10(w) + 7.5 * math.log10(h)
                    - (24.37 - 3.7 * (h / h_bs) ** 2) * math.log10(h_bs)
                    + (43.42 - 3.1 * math.log10(h_bs)) * (math.log10(d3) - 3)
                    + 20 * math.log10(fc) - (3.2 * math.log10(11.75 * h_ut) ** 2 - 4.97)
                )  # fmt: skip
                powers.append(10 ** ((profile.eirp_dbm - max(los, nlos)) / 10))
            if not powers:
                continue
            signal = max(powers)
            sinr = 10 * math.log10(signal / (noise_mw + parameters.load * (sum(powers) - signal)))
            if sinr < shannon.sinr_min_db:
                continue
            se = min(shannon.alpha * math.log2(1 + 10 ** (sinr / 10)), shannon.max_se)
            best = max(best, se * profile.bandwidth_mhz * profile.layers * (1 - parameters.load))
        result[i] = best
    return result


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cells", type=int, default=500_000)
    parser.add_argument("--sites", type=int, default=1_000)
    parser.add_argument("--sample", type=int, default=2_000, help="cells timed with the per-cell loop")
    parser.add_argument("--small", action="store_true", help="50,000 cells × 200 sites, 500 in the loop")
    args = parser.parse_args()
    if args.small:
        args.cells, args.sites, args.sample = 50_000, 200, 500

    import django

    django.setup()
    from hatangso.analytics.measurements.coverage import PROFILES, CoverageParameters, StationGroup, predict

    parameters, profile = CoverageParameters(), PROFILES["4G"]
    xy, station_xy, operators, heights = synthetic_grid(args.cells, args.sites)
    groups = [
        StationGroup(name, "4G", profile.frequency_mhz, station_xy[operators == o], heights[operators == o])
        for o, name in enumerate(OPERATORS)
        if (operators == o).any()
    ]
    print(
        f"{len(xy):,} cells × {len(station_xy):,} sites ({len(groups)} operators), "
        f"loop sample {args.sample:,}"
    )

    started = time.perf_counter()
    tile = parameters.tile_cells
    tiles = []
    for start in range(0, len(xy), tile):
        best = predict(xy[start : start + tile], groups, parameters)
        tiles.append(np.max(np.column_stack([b["mbps"] for b in best.values()]), axis=1))
    fast = np.concatenate(tiles)
    vectorised = time.perf_counter() - started

    sample = np.random.default_rng(7).choice(len(xy), min(args.sample, len(xy)), replace=False)
    started = time.perf_counter()
    slow = loop_predict(xy[sample], station_xy, operators, heights, parameters, profile)
    looped = (time.perf_counter() - started) * len(xy) / len(sample)
    difference = float(np.max(np.abs(slow - fast[sample])))
    if difference > 1e-6:
        print(f"The loop and the vectorised grid disagree by up to {difference:.3g} Mb/s", file=sys.stderr)
        return 1
    print(f"vectorised grid: {vectorised:.2f} s ({len(xy) / vectorised:,.0f} cells/s)")
    print(f"per-cell loop:   {looped:.1f} s (scaled up from {len(sample):,} cells)")
    print(f"ratio: {looped / vectorised:,.0f} × faster (same speeds on the sample, max |Δ| {difference:.1e})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
