"""A pytest plugin, loaded with `-p` before pytest-django reads the settings: each test run gets
its own HATANGSO_HOME, so tests never touch a user's data directory (`./.hatangso`)."""

import os
import tempfile

if "HATANGSO_HOME" not in os.environ or os.environ.get("CI"):
    os.environ["HATANGSO_HOME"] = tempfile.mkdtemp(prefix="hatangso-test-")
os.environ.setdefault("HATANGSO_SECRET_KEY", "test-only-secret-key-not-for-production-use-0123456789")
