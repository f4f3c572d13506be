import json

import yaml

from hatangso.plans.planfile import SCHEMA_FILE, plan_file_schema
from hatangso.plans.services import SEED_PLAN_FILE


def test_shipped_schema_is_current():
    assert SCHEMA_FILE.read_text(encoding="utf-8") == plan_file_schema()


def test_schema_describes_the_seed_plan_file():
    schema = json.loads(plan_file_schema())
    data = yaml.safe_load(SEED_PLAN_FILE.read_text(encoding="utf-8"))
    assert set(data) <= set(schema["properties"])
    assert set(schema["required"]) <= set(data)
    indicator_keys = set(schema["$defs"]["IndicatorSpec"]["properties"])
    assert all(set(indicator) <= indicator_keys for indicator in data["indicators"])
