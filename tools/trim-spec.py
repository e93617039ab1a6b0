#!/usr/bin/env python3
"""Trim Atlassian's OpenAPI specs to the operations seats uses, for the test fixtures.

Reads the full specs from /work/shared/atlassian-api (or $ATLASSIAN_API_DIR) and writes
tests/fixtures/openapi/<api>.json plus SOURCES.md. Each kept operation, path-level item and
component is copied unchanged; only operations not listed below and components nothing kept
refers to (transitively) are dropped, as is the long prose `x-atlassian-narrative`.

Run from the repository root:  python3 tools/trim-spec.py
"""
import hashlib
import json
import os
import re
import sys

SRC = os.environ.get("ATLASSIAN_API_DIR", "/work/shared/atlassian-api")
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "openapi")

ORG_DIR = "/v2/orgs/{orgId}/directories/{directoryId}"
APIS = [
    {
        "name": "org",
        "file": "admin-organization/atlassian_org_openapi.json",
        "ops": [
            ("get", "/v1/orgs"),
            ("get", "/v1/orgs/{orgId}"),
            ("get", "/v2/orgs/{orgId}/directories"),
            ("post", ORG_DIR + "/users/search"),
            ("get", ORG_DIR + "/users/count"),
            ("get", ORG_DIR + "/users"),
            ("get", ORG_DIR + "/users/{userId}"),
            ("get", ORG_DIR + "/users/{accountId}/role-assignments"),
            ("post", ORG_DIR + "/users/{accountId}/suspend"),
            ("post", ORG_DIR + "/users/{accountId}/restore"),
            ("delete", ORG_DIR + "/users/{accountId}"),
            ("post", ORG_DIR + "/groups/search"),
            ("get", ORG_DIR + "/groups"),
            ("get", ORG_DIR + "/groups/{groupId}"),
            ("get", ORG_DIR + "/groups/{groupId}/role-assignments"),
            ("post", ORG_DIR + "/groups/{groupId}/memberships"),
            ("delete", ORG_DIR + "/groups/{groupId}/memberships/{accountId}"),
            ("get", "/v1/orgs/{orgId}/directory/users/{accountId}/last-active-dates"),
            ("post", "/v1/orgs/{orgId}/users/{userId}/roles/assign"),
            ("post", "/v1/orgs/{orgId}/users/{userId}/roles/revoke"),
            ("post", "/v2/orgs/{orgId}/workspaces"),
            ("get", "/v1/orgs/{orgId}/events-stream"),
            ("get", "/v1/orgs/{orgId}/users"),
        ],
    },
    {
        "name": "user-management",
        "file": "admin-user-management/atlassian_user_management_openapi.json",
        "ops": [
            ("get", "/users/{account_id}/manage"),
            ("post", "/users/{account_id}/manage/lifecycle/disable"),
            ("post", "/users/{account_id}/manage/lifecycle/enable"),
            ("get", "/users/{account_id}/manage/profile"),
        ],
    },
    {
        "name": "jira",
        "file": "jira-platform/openapi-jira-cloud.json",
        "ops": [
            ("get", "/rest/api/3/myself"),
            ("get", "/rest/api/3/applicationrole"),
            ("get", "/rest/api/3/applicationrole/{key}"),
            ("get", "/rest/api/3/group/bulk"),
            ("get", "/rest/api/3/group/member"),
            ("post", "/rest/api/3/group/user"),
            ("delete", "/rest/api/3/group/user"),
            ("get", "/rest/api/3/users/search"),
            ("post", "/rest/api/3/issue/{issueIdOrKey}/notify"),
            ("get", "/rest/api/3/issue/{issueIdOrKey}/comment"),
            ("post", "/rest/api/3/issue/{issueIdOrKey}/comment"),
        ],
    },
    {
        "name": "confluence-v1",
        "file": "confluence-v1/confluence.json",
        "ops": [
            ("get", "/wiki/rest/api/group"),
            ("get", "/wiki/rest/api/group/{groupId}/membersByGroupId"),
            ("post", "/wiki/rest/api/group/userByGroupId"),
            ("delete", "/wiki/rest/api/group/userByGroupId"),
        ],
    },
]

# Keys of a path item that are not operations and are kept as they are.
PATH_ITEM_KEYS = ("parameters", "summary", "description", "servers")
REF = re.compile(r"^#/components/([^/]+)/(.+)$")


def refs(node):
    """Every `$ref` string inside node."""
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "$ref" and isinstance(v, str):
                yield v
            else:
                yield from refs(v)
    elif isinstance(node, list):
        for v in node:
            yield from refs(v)


def unescape(token):
    return token.replace("~1", "/").replace("~0", "~")


def trim(doc, ops):
    paths = {}
    for method, path in ops:
        item = doc["paths"].get(path)
        if item is None or method not in item:
            sys.exit(f"{method.upper()} {path} is not in the spec")
        kept = paths.setdefault(path, {k: item[k] for k in PATH_ITEM_KEYS if k in item})
        kept[method] = item[method]

    components = {}
    # Security schemes are tiny and tell a reader how each API authenticates.
    if "securitySchemes" in doc.get("components", {}):
        components["securitySchemes"] = doc["components"]["securitySchemes"]
    todo = list(refs(paths))
    seen = set()
    while todo:
        ref = todo.pop()
        if ref in seen:
            continue
        seen.add(ref)
        m = REF.match(ref)
        if not m:
            sys.exit(f"unsupported $ref {ref!r}: only #/components/<kind>/<name> is handled")
        kind, name = m.group(1), unescape(m.group(2))
        target = doc["components"][kind][name]
        components.setdefault(kind, {})[name] = target
        todo.extend(refs(target))

    out = {}
    for key in ("openapi", "info", "servers", "security", "tags"):
        if key in doc:
            out[key] = doc[key]
    if "tags" in out:
        used = {t for item in paths.values() for op in item.values() if isinstance(op, dict) for t in op.get("tags", [])}
        out["tags"] = [t for t in out["tags"] if t.get("name") in used]
    out["paths"] = paths
    out["components"] = {k: dict(sorted(v.items())) for k, v in sorted(components.items())}
    return out


def upstream(sources_md, rel):
    """The SOURCES.md table row for rel, as (upstream, source repo @ commit : path)."""
    for line in sources_md.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 8 and cells[0] == f"`{rel}`":
            return cells[1], cells[6], cells[7]
    return "?", "?", "?"


CAVEATS = """
## Caveats

* **Confluence v1 is a 2023-08 copy.** Upstream (checked 2026-09) still has the four group operations kept
  here (`GET /group`, `GET /group/{groupId}/membersByGroupId`, `POST|DELETE /group/userByGroupId`); the
  name-based group operations are gone upstream and are not vendored.
* **Org API**: the 2026-08-21 snapshot (47 operations). The deprecated `GET .../users` and `GET .../groups`
  (end 2027-06-30) are kept because the sandbox may still serve them.
* **Known defects in the published specs** are not edited here; `tests/support/spec.rs` (`ERRATA`) fixes them in
  memory when loading and fails loudly if a regenerated fixture no longer has them:
  `user-management.json` `AccountId.pattern` ends in a newline (no account ID matches as published);
  `org.json` `roles/assign|revoke` path parameter `userId` has `format: uuid` although it takes account IDs.
"""


def main():
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(SRC, "SOURCES.md"), encoding="utf-8") as f:
        sources_md = f.read()
    rows = []
    for api in APIS:
        path = os.path.join(SRC, api["file"])
        raw = open(path, "rb").read()
        doc = json.loads(raw)
        trimmed = trim(doc, api["ops"])
        text = json.dumps(trimmed, indent=1, ensure_ascii=False) + "\n"
        name = api["name"] + ".json"
        with open(os.path.join(OUT, name), "w", encoding="utf-8") as f:
            f.write(text)
        api_url, repo, reser = upstream(sources_md, api["file"])
        counts = ", ".join(f"{len(v)} {k}" for k, v in trimmed["components"].items())
        rows.append(
            f"| `{name}` | `{api['file']}` | `{hashlib.sha256(raw).hexdigest()}` | {api_url} | {repo} | {reser} "
            f"| {len(api['ops'])} ops; {counts} | {len(text.encode())} |"
        )
        print(f"{name}: {len(text.encode())} bytes, {len(api['ops'])} ops, {counts}")

    with open(os.path.join(OUT, "SOURCES.md"), "w", encoding="utf-8") as f:
        f.write(
            "# Vendored OpenAPI fixtures: where each came from\n\n"
            "Generated by `tools/trim-spec.py`; do not edit by hand, re-run the script instead.\n"
            "Each file holds only the operations seats calls plus every component they reference (transitively),\n"
            "copied unchanged from the full spec (re-serialized with `json.dumps(indent=1)`; schemas are not edited).\n"
            "Dropped: other operations, unreferenced components, the prose `x-atlassian-narrative`, unused tags.\n\n"
            "The content is Atlassian's (published on `dac-static.atlassian.com` / `developer.atlassian.com`);\n"
            "it is here as test data only. The full specs came from public GitHub copies:\n\n"
            "| fixture | full spec it was cut from | sha256 of that full spec | upstream | copied from (repo @ commit : path) | re-serialized upstream? | kept | bytes |\n"
            "|---|---|---|---|---|---|---|---|\n"
        )
        f.write("\n".join(rows) + "\n")
        f.write(CAVEATS)


if __name__ == "__main__":
    main()
