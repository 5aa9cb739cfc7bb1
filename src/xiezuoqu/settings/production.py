"""Production: PostgreSQL, HTTPS behind a reverse proxy, TOTP for every staff role."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import XIEZUOQU, env_bool, env_list

DEBUG = False
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if len(SECRET_KEY) < 50 or SECRET_KEY.startswith("insecure-"):
    raise ImproperlyConfigured("生产环境必须通过 SECRET_KEY 环境变量设置至少 50 个字符的随机密钥。")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = False
# The deployment is an intranet: its host names can never be on the browsers' public preload list.
SILENCED_SYSTEM_CHECKS = ["security.W021"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_NAME = "__Host-xzq-session"
CSRF_COOKIE_NAME = "__Host-xzq-csrf"

XIEZUOQU = {**XIEZUOQU, "TOTP_REQUIRED_ROLES": env_list("XIEZUOQU_TOTP_REQUIRED_ROLES", "all")}
