"""`hatangso import KIND FILE` looks the kind up among those the apps registered."""

import pytest
from django.core.management import call_command
from django.utils import translation

from hatangso.registry import import_kinds as registry_kinds
from hatangso.registry.imports import IMPORTERS
from hatangso.utilities.import_kinds import (
    IMPORT_KINDS,
    ImportKind,
    Option,
    import_options,
    kind_label,
    register_import,
)

# Every kind the command had before the apps registered their own.
KINDS = {
    "admin-units": {"--valid-from", "--valid-to", "--province", "--provinces", "--source"},
    "crosswalk": {"--effective", "--skip-invalid-rows", "--source"},
    "villages": {"--synthetic"},
    "boundaries": {"--on", "--source", "--synthetic"},
    "values": {"--synthetic"},
    "roads": {"--plan", "--synthetic"},
    "speedtests": {"--synthetic"},
    "lines": {"--synthetic"},
    "population": {"--on", "--synthetic"},
    "ookla": {"--period", "--network", "--synthetic"},
    "mlab": {"--synthetic"},
    **{kind: {"--synthetic", "--keep-outside"} for kind in ("stations", "opencellid")},
    **{kind: {"--synthetic"} for kind in ("poles", "ducts", "fibre", "gov-links", "zones")},
}


def test_every_app_registers_its_kinds_with_their_options():
    assert {name: {o.flag for o in kind.options} for name, kind in IMPORT_KINDS.items()} == KINDS
    flags = [option.flag for option in import_options()]
    assert sorted(flags) == sorted(set().union(*KINDS.values()))
    # The registry names its kinds without importing its importers: the two lists agree.
    assert set(registry_kinds.KINDS) == set(IMPORTERS)


@pytest.fixture
def echo_kind():
    def run(*, path, actor, options):
        yield f"{path.name} {options['colour']} {actor.name}"

    register_import(ImportKind("echo", run, "thử / test", options=(Option("--colour", {"default": "xanh"}),)))
    yield
    del IMPORT_KINDS["echo"]


def test_a_registered_kind_runs_through_the_command(db, echo_kind, tmp_path, capsys):
    call_command("import", "echo", str(tmp_path / "tep.csv"), "--colour", "đỏ")
    assert capsys.readouterr().out == "tep.csv đỏ system\n"


def test_a_kind_is_named_in_the_readers_language():
    assert kind_label("values") == "số liệu"
    with translation.override("en"):
        assert kind_label("values") == "data values"
    assert kind_label("coverage-layer") == "coverage-layer"  # computed, not imported: its name
