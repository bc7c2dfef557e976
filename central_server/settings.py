"""The server's settings, declared once with type and default; read from flags or the environment.

Every field can be set by an environment variable ``DESK_SERVER_<FIELD>`` (upper case).
pydantic-settings is not a dependency, so this is a plain dataclass with a small loader.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

from desk_app.domain.i18n import tr

VIETNAM = timezone(timedelta(hours=7), "ICT")  # no daylight saving time
PLACEHOLDER_SECRETS = {"", "changeme", "change-me", "changethis", "secret", "admin", "password"}


def vn_now() -> datetime:
    """The server's clock as Vietnam local wall time, naive like every time on the wire."""
    return datetime.now(VIETNAM).replace(tzinfo=None)


@dataclass(frozen=True)
class Settings:
    database_url: str = "sqlite:///./central-server/server.sqlite3"
    data_dir: Path = Path("./central-server")            # attachments live under data_dir/blobs
    environment: str = "development"                      # development | production
    admin_token: str = ""                                 # empty: the admin HTTP API is off (CLI only)
    max_body_bytes: int = 8 * 1024 * 1024                 # one push or any JSON request
    max_batch_events: int = 1000
    max_chunk_bytes: int = 8 * 1024 * 1024                # one attachment upload request
    max_attachment_bytes: int = 100 * 1024 * 1024
    pull_page_max: int = 2000
    code_block_max: int = 500
    lease_daily_max_per_desk: int = 2000                  # numbers one desk may take a day (of 9,999)
    enrolment_code_hours: int = 72
    public_rate_per_second: float = 5.0                   # per client IP: status lookups and enrolment
    public_burst: int = 20
    enrol_rate_per_second: float = 1.0                    # per client IP: guessing codes is hopeless
    enrol_burst: int = 30
    pool_size: int = 10
    forwarded_allow_ips: str = ""                         # proxies whose X-Forwarded-For is believed (comma-separated IPs); none by default
    part_max_age_hours: float = 24.0                      # unfinished attachment uploads older than this are deleted
    # the citizens' pages (central_server/web)
    web_secret: str = ""                                  # HMAC key of the pages' form tokens; empty: kept in data_dir/web-secret
    web_post_rate_per_second: float = 0.2                 # per client IP: ratings and messages sent from the pages
    web_post_burst: int = 10
    web_online_rate_per_second: float = 0.5               # per client IP: an online submission's saves and submits
    web_online_burst: int = 40
    web_upload_piece_bytes: int = 256 * 1024              # what the page's script sends at a time
    web_upload_rate_per_second: float = 20.0              # per client IP: pieces of the online submission's files
    web_upload_burst: int = 400
    web_max_unanswered: int = 5                           # a citizen's messages waiting for the counter's reply, per dossier
    web_page_cache: int = 2048                            # dossier pages kept rendered per process (0: none, nor their parts; see web/pagecache.py)
    web_page_probe_async: int = 1                         # PostgreSQL: the dossier page's probe on the event loop (0: in a thread; web/probe.py)
    # citizen notices (central_server/notify, central_server/zalo): off unless configured
    zalo_app_id: str = ""                                 # the Zalo app; with the OA id and OA secret key: the channel is on
    zalo_app_secret: str = ""                             # header secret_key of the token refresh
    zalo_oa_secret_key: str = ""                          # signs the webhooks (not the app secret)
    zalo_oa_id: str = ""
    zalo_oa_name: str = ""                                # the OA's name, as the dossier page tells the citizen to follow it
    zalo_access_token: str = ""                           # seed the token store once (the server keeps the rotated pair)
    zalo_refresh_token: str = ""
    zalo_templates: str = ""                              # ZNS template ids per notice: "received=123,result_ready=456,..."
    zalo_zns_mode: str = ""                               # "development": ZNS sends to the OA's admins only
    zalo_api_base: str = "https://openapi.zalo.me"
    zalo_oauth_base: str = "https://oauth.zaloapp.com"
    zalo_zns_base: str = "https://business.openapi.zalo.me"
    zalo_webhook_max_age_seconds: int = 3600              # older (or further ahead) webhook timestamps are refused
    zalo_cs_window_hours: float = 168.0                   # customer-service messages within this of the user's last interaction
    zalo_link_code_hours: float = 24.0
    zalo_link_guesses: int = 5                            # wrong link codes a Zalo user may send within the window...
    zalo_link_guess_window_minutes: float = 15.0
    zalo_link_block_minutes: float = 60.0                 # ...then the user is blocked this long
    zalo_link_guess_pause_seconds: float = 30.0           # after 2 wrong codes, each try waits this after the last
    zalo_help_every_minutes: float = 60.0                 # a user linked to no dossier gets the help text at most this often
    # where a citizen's image may be fetched from (the webhook gives a URL): "[scheme://]host[:port]",
    # "*." for subdomains, https unless named; Zalo's CDN hosts are zdn.vn / zadn.vn (U)
    zalo_media_hosts: str = "*.zdn.vn,*.zadn.vn,*.zalo.me"
    zalo_media_max_bytes: int = 5 * 1024 * 1024
    zalo_media_timeout_seconds: float = 10.0
    zalo_media_attempts: int = 8                          # a failing fetch is retried this many rounds, then noted
    zalo_redirect_uri: str = ""                           # the OA consent's callback: https://<server>/zalo/oauth/callback
    smtp_host: str = ""                                   # with smtp_from: e-mail notices are on
    smtp_port: int = 25
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_from: str = ""
    smtp_security: str = ""                               # "" | starttls | ssl
    worker_process: int = 1                               # 0: `desk-app server` starts no worker process (one runs elsewhere: `desk-app server worker`)
    notify_worker: int = 1                                # 0: this worker process sends nothing (another does); it still works on the webhook's calls
    notify_poll_seconds: float = 1.0                      # the worker is woken when rows for it commit, and polls this often besides
    notify_backoff_seconds: float = 5.0                   # first retry after this, doubling
    notify_backoff_max_seconds: float = 3600.0
    notify_max_attempts: int = 12                         # then the notice is failed for good (shown at the desk)
    notify_concurrency: int = 8                           # notices in flight at once (one per dossier and channel)
    notify_lease_seconds: float = 30.0                    # the sending process renews its lease; another takes over after it

    def __post_init__(self) -> None:
        if self.environment == "production" and self.admin_token.strip().lower() in PLACEHOLDER_SECRETS - {""}:
            raise ValueError(tr("DESK_SERVER_ADMIN_TOKEN đang là giá trị mẫu; hãy đặt một bí mật thật khi chạy thật."))
        if self.environment == "production" and self.admin_token and len(self.admin_token) < 24:
            raise ValueError(tr("DESK_SERVER_ADMIN_TOKEN phải dài ít nhất 24 ký tự khi chạy thật."))

    @property
    def zalo_enabled(self) -> bool:
        """The Zalo channel is on only when it is configured: otherwise no page mentions Zalo."""
        return bool(self.zalo_app_id and self.zalo_oa_secret_key and self.zalo_oa_id)

    @property
    def email_enabled(self) -> bool:
        return bool(self.smtp_host and self.smtp_from)

    @property
    def sqlalchemy_url(self) -> str:
        """The URL with the driver SQLAlchemy should use (psycopg 3 for PostgreSQL)."""
        url = self.database_url
        for prefix in ("postgresql://", "postgres://"):
            if url.startswith(prefix):
                return "postgresql+psycopg://" + url[len(prefix):]
        return url

    @property
    def is_sqlite(self) -> bool:
        return self.sqlalchemy_url.startswith("sqlite")

    @property
    def sqlite_path(self) -> str | None:
        """The SQLite database's file as the URL names it (None for PostgreSQL or an in-memory
        database): where the server keeps it, and what its worker's wake-up address is made of."""
        return sqlite_file(self.sqlalchemy_url)

    @property
    def blob_dir(self) -> Path:
        return Path(self.data_dir) / "blobs"

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides) -> "Settings":
        """Defaults, then ``DESK_SERVER_*`` variables, then explicit ``overrides`` (flags)."""
        env = os.environ if environ is None else environ
        values: dict = {}
        for f in fields(cls):
            raw = env.get("DESK_SERVER_" + f.name.upper())
            if raw is not None:
                values[f.name] = _convert(f.type, raw)
        values.update({k: v for k, v in overrides.items() if v is not None})
        if "data_dir" in values:
            values["data_dir"] = Path(values["data_dir"])
        else:  # a demo on SQLite keeps its files beside its database
            path = sqlite_file(values.get("database_url", cls.database_url))
            if path is not None:
                values["data_dir"] = Path(path).parent
        return cls(**values)

    def with_(self, **changes) -> "Settings":
        return replace(self, **changes)


def sqlite_file(url: str) -> str | None:
    """The file a ``sqlite:///…`` URL names (None for any other database, or one in memory)."""
    if not url.startswith("sqlite") or "///" not in url:
        return None
    path = url.split("///", 1)[1].split("?", 1)[0]
    return path if path and path != ":memory:" else None


def _convert(type_name, raw: str):
    t = str(type_name)
    if "int" in t and "Path" not in t:
        return int(raw)
    if "float" in t:
        return float(raw)
    if "Path" in t:
        return Path(raw)
    return raw
