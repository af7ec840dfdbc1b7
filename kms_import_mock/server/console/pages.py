"""The console's HTML, rendered on the server: every value escaped, no inline script or style.

The pages work without JavaScript for reading; ``console.js`` adds the row selection, the
**Key actions** menu and the confirmation dialog, and sends the deletion to the JSON API.
"""

from __future__ import annotations

import datetime as _dt
from contextvars import ContextVar
from html import escape
from typing import Any
from urllib.parse import quote, urlencode

from . import timeline
from .view import NO_VALUE, KeyRow, when

ROOT = "/_kms_import/console/"

#: The AWS account the request shows (its pages' links and selector keep it), set per request
#: by the console app: a context variable, so concurrent requests of a threaded server don't mix.
ACCOUNT: ContextVar[str] = ContextVar("kms_import_mock_console_account", default="")
#: Every account that has KMS keys, for the selector (set with ACCOUNT).
ACCOUNTS: ContextVar[tuple[str, ...]] = ContextVar("kms_import_mock_console_accounts", default=())


def _attr(value: object) -> str:
    return escape(str(value), quote=True)


def _query(region: str) -> str:
    account = ACCOUNT.get()
    return urlencode({"region": region, **({"account": account} if account else {})})


def keys_url(region: str) -> str:
    return f"{ROOT}?{_query(region)}"


def key_url(region: str, key_id: str) -> str:
    return f"{ROOT}keys/{quote(key_id, safe='')}?{_query(region)}"


def _layout(
    title: str, region: str, regions: list[str], csrf: str, now: _dt.datetime, main: str
) -> str:
    options = "".join(
        f'<option value="{_attr(r)}"{" selected" if r == region else ""}>{escape(r)}</option>'
        for r in regions
    )
    account = ACCOUNT.get()
    accounts = "".join(
        f'<option value="{_attr(a)}"{" selected" if a == account else ""}>{escape(a)}</option>'
        for a in ACCOUNTS.get() or (account,)
    )
    clock = now.astimezone(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="kms-import-mock-csrf" content="{_attr(csrf)}">
<meta name="kms-import-mock-region" content="{_attr(region)}">
<meta name="kms-import-mock-account" content="{_attr(account)}">
<title>{escape(title)} | kms-import-mock console</title>
<link rel="stylesheet" href="{ROOT}static/console.css">
<script src="{ROOT}static/console.js" defer></script>
</head>
<body>
<header class="topbar">
<a class="brand" href="{_attr(keys_url(region))}">kms-import-mock
<span>Key Management Service</span></a>
<form class="region" method="get" action="{ROOT}">
<label for="region-select">Region</label>
<select id="region-select" name="region">{options}</select>
<label for="account-select">Account</label>
<select id="account-select" name="account">{accounts}</select>
<button type="submit" class="secondary js-hidden">Show</button>
</form>
<p class="clock">Mock clock: <time>{escape(clock)}</time></p>
</header>
<main>
<div id="flash" role="status" class="flash" hidden></div>
{main}
</main>
<dialog id="delete-dialog" aria-labelledby="delete-title" aria-describedby="delete-text">
<h2 id="delete-title">Delete key material</h2>
<p id="delete-text">Delete the key material of <strong id="delete-key-name"></strong>?
Until you reimport it, the key is <strong>Pending import</strong> and every cryptographic
operation that uses it fails.</p>
<p id="delete-error" class="error" role="alert" hidden></p>
<div class="buttons">
<button type="button" class="secondary" data-dialog="cancel">Cancel</button>
<button type="button" class="danger" data-dialog="confirm">Delete key material</button>
</div>
</dialog>
</body>
</html>
"""


def _key_data(row: KeyRow) -> str:
    """The attributes ``console.js`` reads: which key, how to name it, may it be deleted."""
    return (
        f'data-key-id="{_attr(row.key_id)}" data-key-name="{_attr(row.name)}" '
        f'data-deletable="{"true" if row.deletable else "false"}"'
    )


def keys_page(
    region: str,
    regions: list[str],
    rows: list[KeyRow],
    csrf: str,
    now: _dt.datetime,
) -> str:
    body = []
    for row in rows:
        label = f"Select key {row.name}"
        body.append(
            f"<tr {_key_data(row)}>"
            f'<td><input type="checkbox" class="select-key" aria-label="{_attr(label)}"></td>'
            f'<td><a href="{_attr(key_url(region, row.key_id))}">{escape(row.key_id)}</a></td>'
            f"<td>{escape(row.alias or NO_VALUE)}</td>"
            f'<td><span class="status status-{_attr(row.state)}">{escape(row.status)}</span></td>'
            f"<td>{escape(row.origin_label)}</td>"
            f"<td>{escape(row.key_spec)}</td>"
            f"<td>{escape(row.expiry)}</td>"
            "</tr>"
        )
    if not rows:
        body.append('<tr><td colspan="7" class="empty">No keys in this Region.</td></tr>')
    main = f"""<nav aria-label="Breadcrumb" class="crumbs">
Key Management Service &rsaquo; Keys</nav>
<div class="heading">
<h1>Keys <span class="count">({len(rows)})</span></h1>
<div class="menu-wrap">
<button type="button" id="key-actions" class="secondary" aria-haspopup="menu"
 aria-expanded="false" aria-controls="key-actions-menu">Key actions &#9662;</button>
<div role="menu" id="key-actions-menu" aria-labelledby="key-actions" hidden>
<button type="button" role="menuitem" tabindex="-1" data-action="delete-key-material"
 aria-disabled="true">Delete key material</button>
</div>
</div>
</div>
<table class="keys">
<caption>Keys in {escape(region)}</caption>
<thead><tr><th scope="col"><span class="visually-hidden">Select</span></th>
<th scope="col">Key ID</th><th scope="col">Alias</th><th scope="col">Status</th>
<th scope="col">Origin</th><th scope="col">Key spec</th>
<th scope="col">Key material expiry</th></tr></thead>
<tbody>{"".join(body)}</tbody>
</table>"""
    return _layout("Keys", region, regions, csrf, now, main)


def _event_time(value: str | None) -> str:
    if value is None:
        return NO_VALUE
    moment = _dt.datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=_dt.timezone.utc)
    return when(moment.timestamp())


def _dl(items: list[tuple[str, str]]) -> str:
    return (
        "<dl>"
        + "".join(f"<div><dt>{escape(k)}</dt><dd>{escape(v)}</dd></div>" for k, v in items)
        + "</dl>"
    )


def _materials_table(materials: list[dict[str, Any]]) -> str:
    if not materials:
        return ""
    rows = "".join(
        "<tr>"
        f"<td><code>{escape(m['KeyMaterialId'])}</code></td>"
        f"<td>{escape(m.get('KeyMaterialState', NO_VALUE).replace('_', ' ').capitalize())}</td>"
        f"<td>{escape(m.get('ImportState', NO_VALUE).replace('_', ' ').capitalize())}</td>"
        f"<td>{escape(_material_expiry(m))}</td>"
        "</tr>"
        for m in materials
    )
    return (
        '<table class="materials"><caption>All key material</caption><thead><tr>'
        '<th scope="col">Key material ID</th><th scope="col">Material state</th>'
        '<th scope="col">Import state</th><th scope="col">Expiry</th></tr></thead>'
        f"<tbody>{rows}</tbody></table>"
    )


def _material_expiry(material: dict[str, Any]) -> str:
    if material.get("ImportState") != "IMPORTED":
        return NO_VALUE
    if material.get("ValidTo") is None:
        return "does not expire"
    return f"expires {when(material['ValidTo'])}"


def key_page(
    region: str,
    regions: list[str],
    row: KeyRow,
    materials: list[dict[str, Any]],
    moments: list[timeline.Moment],
    csrf: str,
    now: _dt.datetime,
) -> str:
    general = _dl(
        [
            ("Key ID", row.key_id),
            ("ARN", row.arn),
            ("Alias", row.alias or NO_VALUE),
            ("Status", row.status),
            ("Origin", row.origin_label),
            ("Key spec", row.key_spec),
            ("Key usage", str(row.metadata.get("KeyUsage", NO_VALUE))),
            ("Description", row.description or NO_VALUE),
            ("Creation date", when(row.metadata.get("CreationDate"))),
        ]
    )
    if row.external:
        state = "Imported" if row.has_material else "Pending import"
        material_id = row.current_material_id or NO_VALUE
        imported = _event_time(timeline.last_import(moments, row.current_material_id))
        material = _dl(
            [
                ("Key material state", state),
                ("Key material ID", material_id),
                ("Imported", imported if row.has_material else NO_VALUE),
                ("Expiration", row.expiry),
            ]
        )
    else:
        material = (
            f"<p>{escape(row.origin_label)} created this key's material; only imported key "
            "material can be deleted.</p>"
        )
    main = f"""<nav aria-label="Breadcrumb" class="crumbs">
<a href="{_attr(keys_url(region))}">Keys</a> &rsaquo; {escape(row.key_id)}</nav>
<h1>{escape(row.name)}</h1>
<section aria-label="General configuration" class="panel">
<h2>General configuration</h2>
{general}
</section>
<section aria-label="Key material" class="panel" {_key_data(row)}>
<div class="heading">
<h2>Key material</h2>
<button type="button" class="secondary" data-action="delete-key-material"
 {"" if row.deletable else "disabled"}>Delete key material</button>
</div>
{material}
{_materials_table(materials)}
<figure class="history">
{timeline.svg(moments, row.name)}
<figcaption>Key material history, from the key's CloudTrail events</figcaption>
</figure>
</section>"""
    return _layout(row.name, region, regions, csrf, now, main)


def error_page(
    status: int, message: str, region: str, regions: list[str], csrf: str, now: _dt.datetime
) -> str:
    main = f"""<nav aria-label="Breadcrumb" class="crumbs">
<a href="{_attr(keys_url(region))}">Keys</a></nav>
<h1>{status}</h1>
<p class="error" role="alert">{escape(message)}</p>"""
    return _layout(f"Error {status}", region, regions, csrf, now, main)
