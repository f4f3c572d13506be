"""The dashboard and the scorecard API under concurrent clients, on loopback.

Builds the demo into a throw-away HATANGSO_HOME (or uses `--home`, a home `hatangso demo` already
filled), starts the app as users run it (`hatangso serve`: gunicorn, its default workers unless
`--workers` / `--threads` say otherwise) on a free port of 127.0.0.1, logs one browser in (`vhtt`,
the demo's plan owner: its session and form-token cookies), then per endpoint:

- the first request after the start (the dashboard's evaluations are cached until the next
  compute or write; a fresh home starts cold);
- a single client asking `--requests` times in a row (the baseline of this run);
- `--clients` clients asking `--requests` times each at once, each the next as soon as the last is
  answered, stopped after `--seconds` (warm);
- after a write (a commune's value saved through the API with its token), `--clients` clients
  asking once each, all at the same moment: the first views after a write;

and prints p50 / p95 / max latency, throughput, the p50 under load as a ratio to the single-client
p50, and the CPU the server's processes and this load generator used during the warm run, per
answered request (times are only comparable within one run: these machines are shared; CPU per
request much less depends on what else runs).

The clients are keep-alive HTTP/1.1 connections in one asyncio loop of this process (≈ 0.1 ms of CPU
a request), so the load generator takes little of the machine it shares with the server.

    [HATANGSO_REDIS_URL=redis://127.0.0.1:6379/14] .venv/bin/python bench/dashboard_load.py [--home DIR]
        [--clients 50] [--requests 20] [--seconds 120] [--workers N] [--threads N]

With HATANGSO_REDIS_URL the server's shared cache (and sessions) are in Redis; without, in the
database.
"""

import argparse
import asyncio
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


def start_server(home: Path, port: int, options: list[str]) -> subprocess.Popen:
    server = subprocess.Popen(
        [str(HATANGSO), "serve", "--host", HOST, "--port", str(port), *options],
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
    """The cookies of the demo's plan owner's browser, through the real login form."""
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
    cookies = response.getheader("Set-Cookie") or ""
    session = re.search(r"sessionid=([^;]+)", cookies)
    if response.status != 302 or session is None:
        raise SystemExit(f"Logging in as {USER} failed ({response.status})")
    # Both cookies, as a browser sends them: the form token's (renewed at login) and the session's.
    csrf_cookie = (re.search(r"csrftoken=([^;]+)", cookies) or [None, csrf_cookie])[1]
    return f"csrftoken={csrf_cookie}; sessionid={session[1]}"


class Client:
    """One keep-alive HTTP/1.1 connection of the load generator: asyncio streams and the least parsing
    an answer needs (status, Content-Length, body), so 50 of them cost the machine little CPU."""

    def __init__(self, port: int, cookie: str):
        self.port, self.cookie = port, cookie
        self.reader = self.writer = None

    async def get(self, path: str) -> float:
        started = time.perf_counter()
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(HOST, self.port)
        self.writer.write(
            f"GET {path} HTTP/1.1\r\nHost: {HOST}:{self.port}\r\nCookie: {self.cookie}\r\n\r\n".encode()
        )
        head = await self.reader.readuntil(b"\r\n\r\n")
        length = re.search(rb"\r\ncontent-length: *(\d+)", head, re.IGNORECASE)
        if length is None:  # every answer of these endpoints has one; gunicorn closes otherwise
            raise RuntimeError(f"GET {path}: no Content-Length in {head[:200]!r}")
        body = await self.reader.readexactly(int(length[1]))
        elapsed = time.perf_counter() - started
        if not head.startswith(b"HTTP/1.1 200"):
            status = head.split(b"\r\n", 1)[0]
            raise RuntimeError(f"GET {path}: {status!r} {body[:200]!r}")
        if re.search(rb"\r\nconnection: *close", head, re.IGNORECASE):
            self.close()
        return elapsed

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.reader = self.writer = None


def sequential(port: int, path: str, cookie: str, count: int) -> list[float]:
    async def run():
        client = Client(port, cookie)
        try:
            return [await client.get(path) for _ in range(count)]
        finally:
            client.close()

    return asyncio.run(run())


def concurrent(port: int, path: str, cookie: str, clients: int, count: int, seconds: float):
    """`clients` connections in one asyncio loop, each asking up to `count` times (the next as soon as
    the last is answered) until `seconds` have passed; every connection is opened before the start."""

    async def run():
        connections = [Client(port, cookie) for _ in range(clients)]
        for connection in connections:
            connection.reader, connection.writer = await asyncio.open_connection(HOST, port)
        times: list[float] = []
        errors: list[str] = []
        deadline = time.monotonic() + seconds

        async def client(connection: Client):
            try:
                for _ in range(count):
                    if time.monotonic() > deadline:
                        break
                    times.append(await connection.get(path))
            except Exception as exc:  # counted and printed, the run goes on
                errors.append(str(exc)[:200])
            finally:
                connection.close()

        began = time.perf_counter()
        await asyncio.gather(*(client(connection) for connection in connections))
        return times, time.perf_counter() - began, errors

    return asyncio.run(run())


def cpu_seconds(pid: int) -> float:
    """User and system CPU of a process and its living children (gunicorn's master and workers)."""
    clock = os.sysconf("SC_CLK_TCK")
    total = 0.0
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    total += (int(fields[11]) + int(fields[12])) / clock  # utime, stime
    return total + sum(cpu_seconds(int(child)) for child in children)


class CPU:
    """The CPU seconds the server and this load generator used during a `with` block."""

    def __init__(self, server: subprocess.Popen):
        self.server = server

    def __enter__(self):
        self.server_start, self.client_start = cpu_seconds(self.server.pid), time.process_time()
        return self

    def __exit__(self, *exc):
        self.server_used = cpu_seconds(self.server.pid) - self.server_start
        self.client_used = time.process_time() - self.client_start


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


def load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


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
    parser.add_argument("--workers", type=int, help="the server's processes (default: serve's)")
    parser.add_argument("--threads", type=int, help="threads per process (default: serve's)")
    args = parser.parse_args()
    home = args.home or Path(tempfile.mkdtemp(prefix="hatangso-bench-dashboard-"))
    if args.home is None:
        build_demo(home)
    port = free_port()
    options = [*(["--workers", str(args.workers)] if args.workers else []),
               *(["--threads", str(args.threads)] if args.threads else [])]  # fmt: skip
    server = start_server(home, port, options)
    try:
        cookie = log_in(port)
        endpoints = {
            "dashboard /": "/",
            "scorecard API": f"/api/v1/plans/{args.plan}/scorecard",
        }
        redis = os.environ.get("HATANGSO_REDIS_URL")
        cache = f"Redis {redis}" if redis else "database"
        print(f"\nhttp://{HOST}:{port}/ (hatangso serve {' '.join(options)}) — {args.clients} clients × "
              f"{args.requests} requests per endpoint (limit {args.seconds:.0f} s), session of {USER}, "
              f"shared cache: {cache}, load average at the start: {load_average()}\n")  # fmt: skip
        token = writer_token(home)
        header = (f"{'endpoint':<16}{'first':>9}{'1 client p50':>14}{'p50':>9}{'p95':>9}{'max':>9}"
                  f"{'req/s':>8}{'p50 ratio':>11}{'done':>7}"
                  f"{'server CPU':>12}{'client CPU':>12}"
                  f"{'after write p50':>17}{'p95':>9}{'max':>9}")  # fmt: skip
        print(header)
        print("-" * len(header))
        for number, (name, path) in enumerate(endpoints.items()):
            first = sequential(port, path, cookie, 1)[0]
            single = sequential(port, path, cookie, args.requests)
            with CPU(server) as cpu:
                times, wall, errors = concurrent(
                    port, path, cookie, args.clients, args.requests, args.seconds
                )
            write_a_value(port, token, 2300 + number)
            after, _, after_errors = concurrent(port, path, cookie, args.clients, 1, args.seconds)
            base = statistics.median(single)
            p50 = statistics.median(times) if times else float("nan")
            print(
                f"{name:<16}{first * 1000:>7.0f}ms{base * 1000:>12.0f}ms{p50 * 1000:>7.0f}ms"
                f"{percentile(times, 0.95) * 1000:>7.0f}ms{max(times) * 1000:>7.0f}ms"
                f"{len(times) / wall:>8.1f}{p50 / base:>10.1f}×{len(times):>7}"
                f"{cpu.server_used / len(times) * 1000:>7.2f}ms/rq"
                f"{cpu.client_used / len(times) * 1000:>7.2f}ms/rq"
                f"{statistics.median(after) * 1000:>15.0f}ms{percentile(after, 0.95) * 1000:>7.0f}ms"
                f"{max(after) * 1000:>7.0f}ms"
            )
            for error in sorted(set(errors + after_errors)):
                print(f"  error: {error}")
        print(f"\n(single client p50 = the baseline; ratio = p50 under {args.clients} clients / baseline; "
              f"server / client CPU = CPU seconds of the server's processes / of this load generator during "
              f"the {args.clients} clients' run, per answered request; {os.cpu_count()} CPUs; "
              f"load average at the end: {load_average()})")  # fmt: skip
    finally:
        server.terminate()
        server.wait(timeout=30)
        if args.home is None:
            shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
