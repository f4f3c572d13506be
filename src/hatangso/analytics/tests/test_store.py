"""The measurement store's shared reading database: one per process, each query on a connection of
its own (its views and registered tables unseen by the others), and a new one after a fork."""

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from hatangso.analytics.measurements import store
from hatangso.analytics.measurements.engines import DuckDBEngine


def test_each_reader_sees_only_what_it_made_and_it_goes_with_it():
    first, second = store.reader(), store.reader()
    first.execute("CREATE TEMP VIEW speeds AS SELECT 1 AS mbps")
    second.register("speeds", pa.table({"mbps": [5, 7]}))
    assert first.execute("SELECT sum(mbps) FROM speeds").fetchone() == (1,)
    assert second.execute("SELECT sum(mbps) FROM speeds").fetchone() == (12,)
    first.close()
    second.close()
    with pytest.raises(Exception, match="speeds"):
        store.reader().execute("SELECT * FROM speeds")


def test_threads_querying_sources_of_the_same_name_each_get_their_own(tmp_path):
    files = []
    for number in range(8):
        path = tmp_path / f"part-{number}.parquet"
        pq.write_table(pa.table({"mbps": [number] * (number + 1)}), path)
        files.append(path)

    def total(number: int):
        source = files[number] if number % 2 else pa.table({"mbps": [number] * (number + 1)})
        return DuckDBEngine().rows("SELECT sum(mbps) FROM lines", sources={"lines": source}, params={})

    with ThreadPoolExecutor(max_workers=4) as pool:
        found = list(pool.map(total, [n for _ in range(5) for n in range(8)]))
    assert found == [[(n * (n + 1),)] for _ in range(5) for n in range(8)]


# A parent that has read the store forks a child (a web server's worker) that reads it too and then
# exits as a worker does, its interpreter releasing the module's database. An inherited database
# crashed the child there (SIGSEGV: DuckDB's threads are not in it).
FORKED_READER = """
import os, sys
from hatangso.analytics.measurements import store
store.reader().execute("SELECT 1").fetchone()
pid = os.fork()
if pid == 0:
    assert store.reader().execute("SELECT 40 + 2").fetchone() == (42,)
    sys.exit(0)
print(os.waitpid(pid, 0)[1])
"""


def test_a_forked_process_reads_the_store_and_exits_cleanly():
    done = subprocess.run([sys.executable, "-c", FORKED_READER], capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stdout.strip(), done.stderr) == (0, "0", "")
