"""The dashboard and the scorecard API under concurrent clients, on loopback.

Builds the demo into a throw-away HATANGSO_HOME (or uses `--home`, a home `hatangso demo` already
filled), starts the app as users run it (`hatangso serve`: gunicorn, its default workers) on a free
port of 127.0.0.1, logs one session in (`vhtt`, the demo's plan owner), then per endpoint:

- the first request after the start (the dashboard's evaluations are cached until the next
  compute or write; a fresh home starts cold);
- a single client asking `--requests` times in a row (the baseline of this run);
- `--clients` threads asking `--requests` times each at once, stopped after `--seconds` (warm);
- after a write (a commune's value saved through the API with its token), `--clients` threads
  asking once each, all at the same moment: the first views after a write;

and prints p50 / p95 / max latency, throughput, and the p50 under load as a ratio to the
single-client p50 (times are only comparable within one run: these machines are shared).

    [HATANGSO_REDIS_URL=redis://127.0.0.1:6379/14] .venv/bin/python bench/dashboard_load.py [--home DIR]
        [--clients 50] [--requests 20] [--seconds 120]

With HATANGSO_REDIS_URL the server's shared cache (and sessions) are in Redis; without, in the
database.
"""

import argparse
import http.client
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
HATANGSO = ROOT / ".venv" / "bin" / "hatangso"
USER, PASSWORD = "vhtt", "hatangso-demo"  # the demo's plan owner (local demo only)
WRITER = "tuha"  # the demo's commune clerk, who writes a value between the runs
HOST = "127.0.0.1"  # loopback only


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def build_demo(home: Path) -> None:
    print(f"Building the demo into {home} …", flush=True)
    started = time.perf_counter()
    subprocess.run([str(HATANGSO), "demo", "--no-serve"], env={**os.environ, "HATANGSO_HOME": str(home)},
                   check=True, stdout=subprocess.DEVNULL)  # fmt: skip
    print(f"  demo built in {time.perf_counter() - started:.0f} s", flush=True)


def start_server(home: Path, port: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [str(HATANGSO), "serve", "--host", HOST, "--port", str(port)],
        env={**os.environ, "HATANGSO_HOME": str(home)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection(HOST, port, timeout=2)
            connection.request("GET", "/dang-nhap/")
            if connection.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.5)
    server.terminate()
    raise SystemExit("The server did not start within 120 s")


def log_in(port: int) -> str:
    """The session cookie of the demo's plan owner, through the real login form."""
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    connection.request("GET", "/dang-nhap/")
    response = connection.getresponse()
    page = response.read().decode()
    csrf_cookie = re.search(r"csrftoken=([^;]+)", response.getheader("Set-Cookie") or "")[1]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
    body = urlencode({"username": USER, "password": PASSWORD, "csrfmiddlewaretoken": token})
    connection.request("POST", "/dang-nhap/", body, {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": f"csrftoken={csrf_cookie}",
        "Referer": f"http://{HOST}:{port}/dang-nhap/",
    })  # fmt: skip
    response = connection.getresponse()
    response.read()
    session = re.search(r"sessionid=([^;]+)", response.getheader("Set-Cookie") or "")
    if response.status != 302 or session is None:
        raise SystemExit(f"Logging in as {USER} failed ({response.status})")
    return f"sessionid={session[1]}"


def fetch(connection: http.client.HTTPConnection, path: str, cookie: str) -> float:
    started = time.perf_counter()
    connection.request("GET", path, headers={"Cookie": cookie})
    response = connection.getresponse()
    body = response.read()
    elapsed = time.perf_counter() - started
    if response.status != 200:
        raise RuntimeError(f"GET {path}: {response.status} {body[:200]!r}")
    return elapsed


def sequential(port: int, path: str, cookie: str, count: int) -> list[float]:
    connection = http.client.HTTPConnection(HOST, port, timeout=60)
    times = []
    for _ in range(count):
        times.append(fetch(connection, path, cookie))
    connection.close()
    return times


def concurrent(port: int, path: str, cookie: str, clients: int, count: int, seconds: float):
    """`clients` threads, each asking up to `count` times until `seconds` have passed."""
    times: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(clients + 1)
    deadline = [0.0]

    def client():
        connection = http.client.HTTPConnection(HOST, port, timeout=120)
        start.wait()
        mine = []
        try:
            for _ in range(count):
                if time.monotonic() > deadline[0]:
                    break
                mine.append(fetch(connection, path, cookie))
        except Exception as exc:  # counted and printed, the run goes on
            with lock:
                errors.append(str(exc)[:200])
        finally:
            connection.close()
        with lock:
            times.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    deadline[0] = time.monotonic() + seconds
    began = time.perf_counter()
    start.wait()
    for thread in threads:
        thread.join()
    return times, time.perf_counter() - began, errors


def writer_token(home: Path) -> str:
    """An API token of the demo's commune clerk (`hatangso user token`, shown once)."""
    result = subprocess.run([str(HATANGSO), "user", "token", WRITER], check=True, capture_output=True,
                            text=True, env={**os.environ, "HATANGSO_HOME": str(home)})  # fmt: skip
    return re.search(r"hts_[A-Za-z0-9_-]+", result.stdout)[0]


def write_a_value(port: int, token: str, value: int) -> None:
    """The clerk saves households of 2025 for Tứ Hạ: a new data version, so every stored result of the
    reported values is stale and every shared page is rebuilt by its next reader."""
    connection = http.client.HTTPConnection(HOST, port, timeout=60)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    connection.request("GET", "/api/v1/values/?element=households&unit=19996&period=2025", headers=headers)
    rows = json.loads(connection.getresponse().read())["items"]
    body = {"data_element": "households", "unit": "19996", "period": "2025", "value": str(value)}
    if rows:
        body["version"] = rows[0]["version"]
    connection.request("PUT", "/api/v1/values/", json.dumps(body), headers)
    response = connection.getresponse()
    answer = response.read()
    connection.close()
    if response.status != 200:
        raise SystemExit(f"The write failed ({response.status}): {answer[:200]!r}")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, help="a HATANGSO_HOME with the demo already built")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=20, help="requests per client")
    parser.add_argument("--seconds", type=float, default=120, help="time limit of each concurrent run")
    parser.add_argument("--plan", default="1529-kh-ubnd", help="plan slug")
    args = parser.parse_args()
    home = args.home or Path(tempfile.mkdtemp(prefix="hatangso-bench-dashboard-"))
    if args.home is None:
        build_demo(home)
    port = free_port()
    server = start_server(home, port)
    try:
        cookie = log_in(port)
        endpoints = {
            "dashboard /": "/",
            "scorecard API": f"/api/v1/plans/{args.plan}/scorecard",
        }
        redis = os.environ.get("HATANGSO_REDIS_URL")
        cache = f"Redis {redis}" if redis else "database"
        print(f"\nhttp://{HOST}:{port}/ — {args.clients} clients × {args.requests} requests per endpoint "
              f"(limit {args.seconds:.0f} s), session of {USER}, shared cache: {cache}, "
              f"load average before: {os.getloadavg()[0]:.1f}\n")  # fmt: skip
        token = writer_token(home)
        header = (f"{'endpoint':<16}{'first':>9}{'1 client p50':>14}{'p50':>9}{'p95':>9}{'max':>9}"
                  f"{'req/s':>8}{'p50 ratio':>11}{'done':>7}"
                  f"{'after write p50':>17}{'p95':>9}{'max':>9}")  # fmt: skip
        print(header)
        print("-" * len(header))
        for number, (name, path) in enumerate(endpoints.items()):
            first = sequential(port, path, cookie, 1)[0]
            single = sequential(port, path, cookie, args.requests)
            times, wall, errors = concurrent(port, path, cookie, args.clients, args.requests, args.seconds)
            write_a_value(port, token, 2300 + number)
            after, _, after_errors = concurrent(port, path, cookie, args.clients, 1, args.seconds)
            base = statistics.median(single)
            p50 = statistics.median(times) if times else float("nan")
            print(
                f"{name:<16}{first * 1000:>7.0f}ms{base * 1000:>12.0f}ms{p50 * 1000:>7.0f}ms"
                f"{percentile(times, 0.95) * 1000:>7.0f}ms{max(times) * 1000:>7.0f}ms"
                f"{len(times) / wall:>8.1f}{p50 / base:>10.1f}×{len(times):>7}"
                f"{statistics.median(after) * 1000:>15.0f}ms{percentile(after, 0.95) * 1000:>7.0f}ms"
                f"{max(after) * 1000:>7.0f}ms"
            )
            for error in sorted(set(errors + after_errors)):
                print(f"  error: {error}")
        print(f"\n(single client p50 = the baseline; ratio = p50 under {args.clients} clients / baseline; "
              f"{os.cpu_count()} CPUs)")  # fmt: skip
    finally:
        server.terminate()
        server.wait(timeout=30)
        if args.home is None:
            shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
