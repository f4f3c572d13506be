"""Data versions: what stored indicator results are checked against (README, *How the numbers are
computed*). Every accepted write writes a change-log row; a version is the newest change-log id of
the rows that count plus the number of committed transactions that wrote them.

Ids, not times: ids only grow and two writes never share one, where clocks repeat and jump. The
commit count is there because PostgreSQL hands out ids at insert, not at commit: a transaction
holding id 100 can commit after one holding 101, and results computed in between (stamped with a
version ≥ 101, without the first transaction's data) would pass as current; its commit raises the
count. Inside a test's transaction, where nothing commits, the id still grows with each write.

Writes fall into domains: an app names the object types that only one source of figures reads
(`data_domain`: a commune's values are read only by the reported-values provider), so a value saved
leaves registry and measurement results current. Object types named by no domain (plans, units,
the catalog, imports of files) belong to every result; those that change no number at all
(publications, accounts, tasks) are left out (`not_data`)."""

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from django.db import connection, transaction
from django.db.models import F

from hatangso.core.models import ChangeLogEntry, CommitCount

EVERYTHING = "*"
NO_NUMBERS = "-"  # the commit count of writes that change no number (never part of a data version)
NOT_DATA: list[str] = []
DOMAINS: dict[str, tuple[str, ...]] = {}  # domain -> the object-type prefixes only it reads


def not_data(object_type_prefix: str) -> None:
    """Change-log rows whose object type starts with the prefix record no change of any number."""
    NOT_DATA.append(object_type_prefix)


def data_domain(name: str, object_type_prefixes: Iterable[str]) -> None:
    """Rows of these object types change only the figures of `name` (a provider's name)."""
    DOMAINS[name] = tuple(object_type_prefixes)


def domain_of(object_type: str) -> str | None:
    if object_type.startswith(tuple(NOT_DATA)):
        return None
    return next((name for name, prefixes in DOMAINS.items() if object_type.startswith(prefixes)), EVERYTHING)


@cache
def _commit_counter(domain: str):
    """One function per domain, so a transaction registers it once (`on_commit` keeps a list)."""

    def count() -> None:
        with transaction.atomic():  # as core.throttle.hit counts: a parallel first commit is counted
            counted, created = CommitCount.objects.select_for_update().get_or_create(
                domain=domain, defaults={"commits": 1}
            )
            if not created:
                CommitCount.objects.filter(pk=counted.pk).update(commits=F("commits") + 1)

    return count


def count_commit_of(object_type: str) -> None:
    """Count the current transaction in the object type's domain once, after it commits (writes
    that change no number in their own count, which only pages read: core.sharing.page_version)."""
    counter = _commit_counter(domain_of(object_type) or NO_NUMBERS)
    if not any(entry[1] is counter for entry in transaction.get_connection().run_on_commit):
        transaction.on_commit(counter)


@dataclass(frozen=True)
class DataVersions:
    newest: dict[str, int]  # domain -> the newest change-log id of its object types
    commits: dict[str, int]  # domain -> committed transactions

    def of(self, domains: Iterable[str]) -> int:
        """The version of the figures read from these domains (and what every figure reads)."""
        named = {EVERYTHING, *(d for d in domains if d in DOMAINS)}
        return max(self.newest.get(d, 0) for d in named) + sum(self.commits.get(d, 0) for d in named)

    @property
    def total(self) -> int:
        """The version of all data (what a publication is compared with)."""
        return self.of(DOMAINS)


# The newest change-log id of each object type, walking the object_type index from one type to the
# next (one probe per type, a few dozen in all) instead of reading the log backwards until a row of
# the domain turns up: after a million values were imported, the newest row of the registry or of
# the plans lies behind a million rows of values. A type's newest id is the first row at or before
# it in the index's order, descending: an order only that index gives. (`MAX(id) … WHERE object_type
# = …` let PostgreSQL's planner, once it had statistics, read the primary key backwards instead,
# through every newer row of the other types: 38 ms for 37,000 rows.) The commit counts come in the
# same statement, marked apart (a commune's scorecard is a score of small queries).
_NEWEST_BY_TYPE_AND_COMMITS = """
WITH RECURSIVE types(object_type) AS (
    SELECT MIN(object_type) FROM {log}
    UNION ALL
    SELECT (SELECT MIN(object_type) FROM {log} WHERE object_type > types.object_type)
    FROM types WHERE types.object_type IS NOT NULL
)
SELECT 0, object_type, (
    SELECT id FROM {log} AS newest WHERE newest.object_type <= types.object_type
    ORDER BY newest.object_type DESC, newest.id DESC LIMIT 1
)
FROM types WHERE object_type IS NOT NULL
UNION ALL
SELECT 1, domain, commits FROM {commits}
"""


def newest_by_type_and_commits_sql() -> str:
    """`_NEWEST_BY_TYPE_AND_COMMITS` over the database's tables."""
    quote = connection.ops.quote_name
    return _NEWEST_BY_TYPE_AND_COMMITS.format(
        log=quote(ChangeLogEntry._meta.db_table), commits=quote(CommitCount._meta.db_table)
    )


def data_versions() -> DataVersions:
    with connection.cursor() as cursor:
        cursor.execute(newest_by_type_and_commits_sql())
        rows = cursor.fetchall()
    newest_by_type = [(object_type, pk) for is_count, object_type, pk in rows if not is_count]
    commits = {domain: count for is_count, domain, count in rows if is_count}
    every_domain = tuple(p for prefixes in DOMAINS.values() for p in prefixes)
    newest = dict.fromkeys([*DOMAINS, EVERYTHING], 0)
    for object_type, pk in newest_by_type:
        for name, prefixes in DOMAINS.items():
            if object_type.startswith(prefixes):
                newest[name] = max(newest[name], pk)
        if not object_type.startswith((*NOT_DATA, *every_domain)):
            newest[EVERYTHING] = max(newest[EVERYTHING], pk)
    return DataVersions(newest=newest, commits=commits)


def data_version() -> int:
    """The version of all data, 0 before any write."""
    return data_versions().total
