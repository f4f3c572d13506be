import os
import subprocess
import sys


def test_production_settings_pass_the_deploy_check(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "hatangso.settings",
        "HATANGSO_HOME": str(tmp_path),
        "HATANGSO_HTTPS": "1",
        "HATANGSO_SECRET_KEY": "a-production-like-secret-key-with-enough-entropy-8f3k2l9x7q1w5e0r4t6y",
    }
    env.pop("HATANGSO_DEBUG", None)
    result = subprocess.run(
        [sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_pages_carry_security_headers(client, db):
    response = client.get("/")
    assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_passwords_are_hashed_with_argon2(django_user_model, db, settings):
    from hatangso import settings as production  # the tests hash with a fast hasher (conftest.py)

    settings.PASSWORD_HASHERS = production.PASSWORD_HASHERS
    user = django_user_model.objects.create_user("clerk", password="a long passphrase 2024")
    assert user.password.startswith("argon2")
