"""Settings for bench/cases_load.py: the product settings, plus a URL module with a bare JSON view
to compare against. Rate limits are off (the benchmark files thousands of cases from a few
accounts on purpose) and passwords use a cheap hasher (the benchmark creates many accounts)."""

from gongzhi.settings import *  # noqa: F403

ROOT_URLCONF = "bench.cases_urls"
RATELIMIT_ENABLED = False
AXES_ENABLED = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
DEBUG = False
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "ERROR"}}
