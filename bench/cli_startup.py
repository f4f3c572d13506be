"""Start-up of the `hatangso` commands (issue 19, item 7): quick commands must not pay for the heavy
libraries (altair, python-docx, openpyxl, scipy, numpy, pyarrow, DuckDB, pyproj, shapely, sqlglot)
they never use.

Times each command as a subprocess (`python -m hatangso.cli …`, what the `hatangso` script runs),
`--repeat` times after one untimed warm-up run (which also writes the bytecode), and prints the
median and best CPU time (user + system, from the child's resource usage) and wall time, the ratio
of the median CPU time to the baselines `python -c pass` and `python -c "import django"` measured
in the same run, and which heavy libraries the command imported (one extra run with
`-X importtime`). Homes:

- an empty home, migrated by the warm-up run (the issue's `plan list` case);
- the seed plan (Hương Trà 2024) with the reference units and nothing else: `compute --json` then
  reads no Parquet (no measurement is imported), so it needs no heavy library either;
- with `--demo`, a full `hatangso demo --no-serve` home (about a minute of CPU to build), whose
  `compute --json` does read the measurement store: pyarrow, numpy, pyproj are expected there.

With `--before SRC` the same commands also run with `PYTHONPATH=SRC` (the `src` folder of another
version, e.g. `git archive HEAD~1 | tar -x -C /tmp/before`), interleaved with the current ones and
on homes of their own, and the table gains the ratio before / now.

Every home is a throw-away directory on SQLite (deleted at the end unless `--keep`).

    nice -n 19 .venv/bin/python bench/cli_startup.py [--repeat 7] [--demo] [--before SRC] [--keep]
"""

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HEAVY = (
    "altair",
    "vl_convert",
    "docx",
    "openpyxl",
    "scipy",
    "numpy",
    "pyarrow",
    "duckdb",
    "pyproj",
    "shapely",
    "sqlglot",
    "pyspark",
)
GOAL_S = 0.5

SEED_HOME = """
import django
django.setup()
from hatangso.core.changelog import Actor
from hatangso.core.management.base import ensure_database
from hatangso.core.scoping import COMMAND_LINE
from hatangso.geography.services import load_reference_units
from hatangso.plans.services import SEED_PLAN_FILE, load_plan
ensure_database()
actor = Actor.command("bench")
load_reference_units(actor=actor)
load_plan(path=SEED_PLAN_FILE, actor=actor, user=COMMAND_LINE)
"""


def environment(home: str | None, src: str | None = None) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HATANGSO_")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # start-up is measured with the bytecode written
    if src:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [src, env.get("PYTHONPATH")]))
    env["DJANGO_SETTINGS_MODULE"] = "hatangso.settings"
    env["COLUMNS"] = "100"
    if home:
        env["HATANGSO_HOME"] = home
    return env


def run(argv: list[str], env: dict, flags: tuple[str, ...] = ()) -> tuple[float, float, str]:
    """(CPU seconds of the child, wall seconds, stderr); exits on a failed command."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, *flags, *argv], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        sys.exit(f"failed ({result.returncode}): {' '.join(argv)}\n{result.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, wall, result.stderr


def heavy_imported(argv: list[str], env: dict) -> list[str]:
    _, _, log = run(argv, env, flags=("-X", "importtime"))
    names = {line.rsplit("|", 1)[-1].strip() for line in log.splitlines() if line.startswith("import time:")}
    return [h for h in HEAVY if h in names]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--demo", action="store_true", help="also time compute --json on a demo home")
    parser.add_argument("--before", metavar="SRC", help="also time the version whose src folder is SRC")
    parser.add_argument("--keep", action="store_true", help="keep the homes")
    args = parser.parse_args()

    root = tempfile.mkdtemp(prefix="hatangso-bench-startup-")
    cli = ["-m", "hatangso.cli"]
    cases = [  # (label, argv, home, src)
        ("python -c pass", ["-c", "pass"], None, None),
        ('python -c "import django"', ["-c", "import django"], None, None),
    ]
    variants = [("", None)] + ([(" (before)", os.path.abspath(args.before))] if args.before else [])
    for suffix, src in variants:
        empty, seeded, demo = (
            os.path.join(root, name + suffix.strip(" ()")) for name in ("empty", "seed", "demo")
        )
        for folder in (empty, seeded):
            os.mkdir(folder)
        started = time.perf_counter()
        run(["-c", SEED_HOME], environment(seeded, src))
        print(
            f"seed home{suffix} (reference units + seed plan) built in {time.perf_counter() - started:.1f} s"
        )
        mine = [
            ("hatangso --help", [*cli, "--help"], empty),
            ("hatangso plan --help", [*cli, "plan", "--help"], empty),
            ("hatangso plan list (empty home)", [*cli, "plan", "list"], empty),
            ("hatangso plan list", [*cli, "plan", "list"], seeded),
            ("hatangso user list", [*cli, "user", "list"], seeded),
            ("hatangso tasks list", [*cli, "tasks", "list"], seeded),
            ("hatangso sites list", [*cli, "sites", "list"], seeded),
            ("hatangso compute --json (no Parquet)", [*cli, "compute", "--json"], seeded),
        ]
        if args.demo:
            os.mkdir(demo)
            started = time.perf_counter()
            run([*cli, "demo", "--no-serve"], environment(demo, src))
            print(f"demo home{suffix} built in {time.perf_counter() - started:.1f} s")
            mine.append(("hatangso compute --json (demo, Parquet)", [*cli, "compute", "--json"], demo))
        cases += [(label + suffix, argv, home, src) for label, argv, home in mine]

    for _, argv, home, src in cases:  # warm-up: bytecode, migrations, caches of the file system
        run(argv, environment(home, src))
    cpu: dict[str, list[float]] = {case[0]: [] for case in cases}
    wall: dict[str, list[float]] = {case[0]: [] for case in cases}
    for _ in range(args.repeat):  # interleaved, so a burst of load on the machine hits every command
        for label, argv, home, src in cases:
            c, w = run(argv, environment(home, src))[:2]
            cpu[label].append(c)
            wall[label].append(w)
    loads = ", ".join(f"{v:.1f}" for v in os.getloadavg())

    bare = statistics.median(cpu["python -c pass"])
    django = statistics.median(cpu['python -c "import django"'])
    print(f"\n{args.repeat} runs each, interleaved; load average at the end {loads} (2 cores)")
    print(f"CPU = user + system of the command's process; goal ≤ {GOAL_S} s CPU for a quick command\n")
    print(
        f"{'command':<51}{'CPU med':>8}{'best':>7}{'wall med':>9}{'× pass':>8}{'× django':>9}"
        f"{'before/now' if args.before else '':>11}  heavy imported"
    )
    for label, argv, home, src in cases:
        med = statistics.median(cpu[label])
        heavy = ", ".join(heavy_imported(argv, environment(home, src))) or "—"
        now = cpu.get(label.removesuffix(" (before)"))
        gain = f"{med / statistics.median(now):>10.1f}×" if label.endswith(" (before)") else " " * 11
        print(
            f"{label:<51}{med:>7.3f}s{min(cpu[label]):>6.3f}s{statistics.median(wall[label]):>8.3f}s"
            f"{med / bare:>7.1f}×{med / django:>8.1f}×{gain}  {heavy}"
        )
    if args.keep:
        print(f"\nhomes kept in {root}")
    else:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
