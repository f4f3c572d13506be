"""The data version that stored results are checked against (issue 15): it grows with every
committed write, once per transaction, not with publications, and on PostgreSQL also when a
transaction holding an older change-log id commits after a newer one."""

import threading

import pytest
from django.db import connection, transaction

from hatangso.core.changelog import Actor, record_change
from hatangso.core.dataversion import NO_NUMBERS, data_version, data_versions
from hatangso.core.models import ChangeLogEntry, CommitCount
from hatangso.core.scoping import COMMAND_LINE
from hatangso.core.sharing import page_version
from hatangso.plans.models import Agency

pytestmark = pytest.mark.django_db(transaction=True)

ACTOR = Actor.command("test")


def write(code: str) -> None:
    record_change(ACTOR, ChangeLogEntry.Action.CREATE, Agency.objects.create(code=code, name=code))


def commits() -> int:
    """Committed transactions that wrote data (not those that change no number)."""
    return sum(CommitCount.objects.exclude(domain=NO_NUMBERS).values_list("commits", flat=True))


def test_a_transaction_counts_once_when_it_commits_and_not_when_it_rolls_back():
    before, counted = data_version(), commits()
    with transaction.atomic():
        write("a")
        write("b")
        with transaction.atomic():
            write("c")
        assert commits() == counted  # nothing committed yet
    assert commits() == counted + 1
    newest = ChangeLogEntry.objects.order_by("-id").values_list("id", flat=True).first()
    assert data_version() == newest + counted + 1 > before  # the newest id, one more commit

    with pytest.raises(RuntimeError), transaction.atomic():
        write("d")
        raise RuntimeError
    assert commits() == counted + 1

    with transaction.atomic():
        write("e")
        try:
            with transaction.atomic():
                write("f")
                raise RuntimeError
        except RuntimeError:
            pass
    assert commits() == counted + 2  # the rolled-back savepoint dropped its callback, the outer one counted


def test_a_publication_changes_no_data_version(seed_plan):
    from hatangso.analytics.publishing import publish_scorecard

    version, counted, page = data_version(), commits(), page_version()
    publication = publish_scorecard(plan=seed_plan, period="2024", actor=Actor.command("publish"))
    assert ChangeLogEntry.objects.filter(object_type="analytics.publishedscorecard").exists()
    assert (data_version(), commits()) == (version, counted)
    assert page_version() != page  # but the pages that show it are built again
    assert publication.snapshot["scorecard"]["data_version"] == version


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite writers take turns: ids follow commits")
def test_an_older_id_committed_after_a_newer_one_still_moves_the_version():
    older_written, newer_committed = threading.Event(), threading.Event()
    failures = []

    def older_transaction():
        try:
            with transaction.atomic():
                write("older")  # takes the lower change-log id
                older_written.set()
                assert newer_committed.wait(30)
        except BaseException as error:  # reported by the main thread
            failures.append(error)
            older_written.set()
        finally:
            connection.close()

    thread = threading.Thread(target=older_transaction)
    thread.start()
    assert older_written.wait(30)
    with transaction.atomic():
        write("newer")
    seen = data_version()  # what a reader stamps results computed now with, without "older"
    newer_committed.set()
    thread.join(30)
    assert not failures and not thread.is_alive()
    older_id, newer_id = ChangeLogEntry.objects.order_by("id").values_list("id", flat=True)
    assert older_id < newer_id
    assert data_version() > seen


def test_accounts_and_tasks_change_no_number(seed_plan):
    from hatangso.core.services import create_api_token, create_user
    from hatangso.workplan.models import Task
    from hatangso.workplan.services import set_task

    version, counted = data_version(), commits()
    user = create_user(username="someone", password="a-long-enough-password-1", actor=ACTOR)
    create_api_token(user=user, name="script", actor=ACTOR)
    set_task(task=Task.objects.first(), user=COMMAND_LINE, actor=ACTOR, status=Task.Status.IN_PROGRESS)
    assert (data_version(), commits()) == (version, counted)
    write("agency")  # a plan's agency is plan data
    assert data_version() > version


def test_each_domain_has_the_newest_entry_of_its_object_types_and_its_commits_in_one_query(
    django_assert_num_queries,
):
    def logged(object_type: str) -> int:
        fields = {"actor": "test", "origin": "test", "action": "create", "object_id": "1", "object_repr": "x"}
        return ChangeLogEntry.objects.create(object_type=object_type, **fields).pk

    ChangeLogEntry.objects.all().delete()
    registry = logged("registry.poletenancy")  # of the registry's domain by its prefix, registry.pole
    everything = logged("plans.plan")
    logged("collection.dhis2mapping")  # changes no number
    values = [logged(kind) for kind in ("collection.submission", "collection.datavalue")]
    logged("workplan.task")  # changes no number
    CommitCount.objects.all().delete()
    CommitCount.objects.create(domain="values", commits=3)
    with django_assert_num_queries(1):  # the log's newest per object type and the commit counts
        versions = data_versions()
    assert versions.newest == {"values": values[-1], "registry": registry, "*": everything}
    assert versions.commits == {"values": 3}


def test_the_newest_entry_of_each_type_is_read_from_the_type_index_not_behind_newer_entries():
    """After an import, the newest entry of the plans lies behind every entry of the values. With
    statistics, PostgreSQL's planner read the primary key backwards through them for each type;
    the statement reads one index row per type on both databases, whatever the statistics."""
    from hatangso.core.dataversion import newest_by_type_and_commits_sql

    fields = {"actor": "test", "origin": "test", "action": "create", "object_id": "1", "object_repr": "x"}
    ChangeLogEntry.objects.all().delete()
    plan = ChangeLogEntry.objects.create(object_type="plans.plan", **fields).pk
    ChangeLogEntry.objects.bulk_create(
        ChangeLogEntry(object_type="collection.datavalue", **fields) for _ in range(20_000)
    )
    sql = newest_by_type_and_commits_sql()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        if connection.vendor == "postgresql":
            cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)
            [[plan_of_statement]] = cursor.fetchone()
            nodes, rows_read = [plan_of_statement["Plan"]], 0
            while nodes:
                node = nodes.pop()
                rows_read += (node.get("Actual Rows", 0) + node.get("Rows Removed by Filter", 0)) * node.get(
                    "Actual Loops", 1
                )
                nodes += node.get("Plans", [])
            assert rows_read < 100
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql)
            searches = [detail for *_, detail in cursor.fetchall() if "core_changelogentry" in detail]
            assert searches and all("INDEX changelog_type_newest" in detail for detail in searches)
    assert data_versions().newest["*"] == plan
