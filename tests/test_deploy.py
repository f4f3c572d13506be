"""Deployment (issue 19 item 4): the files in deploy/ and the README's table of settings."""

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def example_environment() -> dict[str, str]:
    lines = (ROOT / "deploy" / "hatangso.env.example").read_text(encoding="utf-8").splitlines()
    pairs = [line.split("=", 1) for line in lines if line and not line.startswith("#")]
    return {name: value for name, value in pairs}


def test_the_example_environment_passes_the_deploy_check(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("HATANGSO_")}
    env.update(example_environment())
    # What step 4 of the README's deployment asks for: a new secret and a home of one's own.
    env["HATANGSO_SECRET_KEY"] = "a-production-like-secret-key-with-enough-entropy-8f3k2l9x7q1w5e0r4t6y"
    env["HATANGSO_HOME"] = str(tmp_path)
    env["DJANGO_SETTINGS_MODULE"] = "hatangso.settings"
    result = subprocess.run(
        [sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
        env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_the_unit_starts_the_server_with_arguments_the_command_accepts():
    from hatangso.core.management.commands.serve import Command

    unit = (ROOT / "deploy" / "hatangso.service").read_text(encoding="utf-8")
    start = next(line for line in unit.splitlines() if line.startswith("ExecStart="))
    program, command, *arguments = shlex.split(start.removeprefix("ExecStart="))
    assert program.endswith("/.venv/bin/hatangso") and command == "serve"
    options = vars(Command().create_parser("hatangso", "serve").parse_args(arguments))
    assert (options["bind"], options["workers"], options["dev"]) == ("127.0.0.1:8000", 5, False)
    assert "ExecReload=/bin/kill -HUP $MAINPID" in unit  # a graceful restart of the workers


def test_every_setting_the_code_reads_is_in_the_readme():
    read = set()
    for path in (ROOT / "src" / "hatangso").rglob("*.py"):
        if "tests" not in path.parts:
            read |= set(re.findall(r"HATANGSO_[A-Z_]+", path.read_text(encoding="utf-8")))
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("| variable | default | meaning |")[1].split("\n\n")[0]
    listed = set(re.findall(r"HATANGSO_[A-Z_]+", table))
    listed |= {f"HATANGSO_SMTP{suffix}" for suffix in re.findall(r"`(_[A-Z]+)`", table)}
    assert read - listed == set()
    assert set(example_environment()) <= listed
