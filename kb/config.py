"""Every setting of the app with its default; see the README's Configuration section."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

DEFAULTS: dict[str, object] = {
    # Signing key for session cookies and CSRF tokens; set KB_SECRET_KEY in production.
    "SECRET_KEY": "dev-only-change-me",
    # SQLAlchemy URL; the default is a SQLite file in the instance folder.
    "DATABASE_URL": f"sqlite:///{ROOT / 'instance' / 'kb.sqlite'}",
    # Folder holding the catalogue's Markdown and YAML files.
    "CONTENT_DIR": str(ROOT / "content"),
    # A deployment's own offerings, sectors and evidence types: one or more folders
    # (separated by ":" on Linux) each holding offerings/, sectors/ or evidence/. Their
    # files add to the catalogue, and one with the id of one of ours replaces it.
    "EXTRA_CONTENT_DIR": "",
    # Folder for the full-text search index.
    "INDEX_DIR": str(ROOT / "instance" / "index"),
    # Rows per page in catalogue lists.
    "PAGE_SIZE": 50,
    # Largest request body accepted, in bytes.
    "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
    # Failed logins allowed per email and address within the window below.
    "LOGIN_MAX_FAILURES": 5,
    # Length of the login rate-limit window, in seconds.
    "LOGIN_WINDOW_SECONDS": 900,
    # Send the session cookie only over HTTPS; it is also sent secure whenever the
    # request itself came over HTTPS.
    "SESSION_COOKIE_SECURE": False,
    # Session cookies are not sent on cross-site requests.
    "SESSION_COOKIE_SAMESITE": "Lax",
    # Largest evidence file accepted, in bytes; keep it below MAX_CONTENT_LENGTH.
    "EVIDENCE_MAX_BYTES": 15 * 1024 * 1024,
    # Where uploaded evidence files are kept: "database" (every server sees them) or
    # the path of a folder (one server only).
    "FILE_STORE": "database",
    # Evidence items per page of an organisation's evidence register.
    "EVIDENCE_PAGE_SIZE": 50,
    # Requests one API token may make in each window below (429 with Retry-After over it).
    "API_RATE_LIMIT": 600,
    # Length of the API rate-limit window, in seconds; the count is in the database.
    "API_RATE_WINDOW_SECONDS": 60,
    # Each server process keeps who is logged in between requests until it sees a
    # change in the database (kb/web/member_memo.py); False reads them for every
    # request. On PostgreSQL it costs one more connection per process.
    "MEMBER_MEMO": True,
    # Require login for the catalogue pages and the catalogue API too.
    "CATALOGUE_REQUIRES_LOGIN": False,
    # Single sign-on with one OpenID Connect provider: its issuer URL, the client id
    # and secret registered there, the scopes asked for, the claim that carries the
    # person's groups, the words on the login button, and the rules that give access
    # (a JSON list such as [{"group": "csms-editors", "org": "acme", "role": "editor"},
    # {"domain": "acme.example", "org": "acme", "role": "viewer"}]).
    "OIDC_ISSUER": "",
    "OIDC_CLIENT_ID": "",
    "OIDC_CLIENT_SECRET": "",
    "OIDC_SCOPES": "openid email profile",
    "OIDC_GROUPS_CLAIM": "groups",
    "OIDC_LABEL": "Single sign-on",
    "OIDC_RULES": [],
    # Several providers: a JSON list of objects with the keys name, label, issuer,
    # client_id, client_secret, scopes, groups_claim, metadata_url and rules.
    "OIDC_PROVIDERS": [],
}
