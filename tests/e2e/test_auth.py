"""test_auth.py -- end to end, accounts and API keys (issue 2, seed 004 Security Model) on a real
entityd: the first start writes admin.key (mode 0600, path logged, key never logged); missing,
malformed and revoked keys get UNAUTHENTICATED; createApiKey / revokeApiKey / createAccount /
updateAccount as ADMIN, and FORBIDDEN for lower levels; each key sees only its own account; bad
mutation input comes back as UserErrors; a restart keeps the accounts and does not bootstrap again.
"""
import os
import shutil
import stat
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Server, tap  # noqa: E402

CREATE_KEY = """mutation K($accountId: Int!, $level: AuthorizationLevel!, $name: String!) {
  createApiKey(accountId: $accountId, level: $level, name: $name) { key id success errors { message field } } }"""
REVOKE_KEY = """mutation R($id: ID!) { revokeApiKey(id: $id) { success errors { message field } } }"""
CREATE_ACCOUNT = """mutation C($id: Int, $input: AccountInput!) {
  createAccount(id: $id, input: $input) {
    account { id name awsIntegration syntheticPermission infrastructureAgents } success errors { message field } } }"""
UPDATE_ACCOUNT = """mutation U($id: Int!, $input: AccountInput!) {
  updateAccount(id: $id, input: $input) {
    account { id name awsIntegration syntheticPermission infrastructureAgents } success errors { message field } } }"""
ACCOUNTS = "{ actor { accounts { id name } } }"
ACCOUNT = "query A($id: Int!) { actor { account(id: $id) { id name awsIntegration syntheticPermission infrastructureAgents } } }"


def codes(body):
    return [((e.get("extensions") or {}).get("code")) for e in (body or {}).get("errors") or []]


def data(body):
    return (body or {}).get("data") or {}


def check_unauthenticated(status, body, name):
    tap.ok(status in (200, 401) and codes(body) == ["UNAUTHENTICATED"], name, detail=f"{status} {body}")


def check_forbidden(status, body, name):
    tap.ok(status == 200 and "FORBIDDEN" in codes(body), name, detail=f"{status} {body}")


def main():
    with Server() as s:
        # ---- bootstrap ----
        key_path = os.path.join(s.data_dir, "admin.key")
        st = os.stat(key_path)
        tap.eq(stat.S_IMODE(st.st_mode), 0o600, "admin.key has mode 0600")
        tap.ok(s.admin_key and s.admin_key.startswith("ek_") and len(s.admin_key) == 46,
               "admin.key holds an ek_ key of 46 characters", detail=s.admin_key)
        log = s.read_log()
        tap.ok(key_path in log, "the log names the admin.key path", detail=log)
        tap.ok(s.admin_key not in log, "the log never contains the key")

        # ---- missing and bad keys ----
        status, body = s.gql(ACCOUNTS, key=None)
        check_unauthenticated(status, body, "no API-Key: UNAUTHENTICATED")
        status, body = s.gql(ACCOUNTS, key="ek_" + "A" * 43)
        check_unauthenticated(status, body, "unknown key: UNAUTHENTICATED")
        status, body = s.gql(ACCOUNTS, key="not a key")
        check_unauthenticated(status, body, "malformed key: UNAUTHENTICATED")
        status, body = s.gql(ACCOUNTS, key=s.admin_key + "x")
        check_unauthenticated(status, body, "admin key with a suffix: UNAUTHENTICATED")

        # ---- admin sees account 1 ----
        status, body = s.gql(ACCOUNTS)
        tap.eq((status, data(body).get("actor")), (200, {"accounts": [{"id": 1, "name": "default"}]}),
               "ADMIN key: actor.accounts is account 1 'default'")

        # ---- createAccount ----
        status, body = s.gql(CREATE_ACCOUNT, {"id": 2, "input": {"name": "team two", "awsIntegration": True}})
        p = data(body).get("createAccount") or {}
        tap.eq((p.get("success"), p.get("account")),
               (True, {"id": 2, "name": "team two", "awsIntegration": True, "syntheticPermission": False,
                       "infrastructureAgents": []}), "createAccount id 2 as ADMIN")
        status, body = s.gql(CREATE_ACCOUNT, {"id": 2, "input": {"name": "again"}})
        p = data(body).get("createAccount") or {}
        tap.ok(p.get("success") is False and p.get("errors", [{}])[0].get("field") == "id" and p.get("account") is None,
               "createAccount with a taken id: UserError on id", detail=body)

        # ---- createApiKey ----
        status, body = s.gql(CREATE_KEY, {"accountId": 2, "level": "OHI_ONLY", "name": "agents of two"})
        p = data(body).get("createApiKey") or {}
        key2 = p.get("key")
        tap.ok(p.get("success") is True and p.get("errors") == [] and key2 and key2.startswith("ek_") and p.get("id"),
               "createApiKey for account 2 (OHI_ONLY) returns the key once with its id", detail=body)
        key2_id = p.get("id")
        status, body = s.gql(CREATE_KEY, {"accountId": 99, "level": "NONE", "name": "x"})
        p = data(body).get("createApiKey") or {}
        tap.ok(p.get("success") is False and p.get("key") is None and
               (p.get("errors") or [{}])[0].get("field") == "accountId",
               "createApiKey for an unknown account: UserError on accountId", detail=body)
        status, body = s.gql(CREATE_KEY, {"accountId": 2, "level": "NONE", "name": ""})
        p = data(body).get("createApiKey") or {}
        tap.ok(p.get("success") is False and (p.get("errors") or [{}])[0].get("field") == "name",
               "createApiKey with an empty name: UserError on name", detail=body)
        status, body = s.gql(CREATE_KEY, {"accountId": 2, "level": "ROOT", "name": "x"})
        tap.ok(status in (200, 400) and body and body.get("errors") and not data(body).get("createApiKey"),
               "createApiKey with an unknown level is a GraphQL error", detail=body)

        # ---- listing keys: ADMIN only, never the key ----
        KEYS = "{ actor { account(id: 2) { apiKeys { id name level prefix createdAt revokedAt } } } }"
        status, body = s.gql(KEYS)
        keys = ((data(body).get("actor") or {}).get("account") or {}).get("apiKeys") or []
        tap.ok(len(keys) == 1 and keys[0]["id"] == key2_id and keys[0]["level"] == "OHI_ONLY" and
               keys[0]["prefix"] == (key2 or "")[:10] and keys[0]["revokedAt"] is None and
               key2 not in str(body), "Account.apiKeys lists the key (prefix only) for ADMIN", detail=body)
        status, body = s.gql(KEYS, key=key2)
        check_forbidden(status, body, "Account.apiKeys with a non-ADMIN key: FORBIDDEN")

        # ---- the new key: own account only ----
        status, body = s.gql(ACCOUNTS, key=key2)
        tap.eq((status, data(body).get("actor")), (200, {"accounts": [{"id": 2, "name": "team two"}]}),
               "account 2 key: actor.accounts is only account 2")
        status, body = s.gql(ACCOUNT, {"id": 2}, key=key2)
        tap.eq(((data(body).get("actor") or {}).get("account") or {}).get("awsIntegration"), True,
               "account 2 key reads its own account")
        status, body = s.gql(ACCOUNT, {"id": 1}, key=key2)
        check_forbidden(status, body, "account 2 key reading account 1: FORBIDDEN")
        tap.eq((data(body).get("actor") or {}).get("account", "absent"), None, "... and the field is null")
        status, body = s.gql(ACCOUNT, {"id": 777}, key=key2)
        check_forbidden(status, body, "account 2 key reading a missing account: FORBIDDEN (no probing)")
        status, body = s.gql(ACCOUNT, {"id": 777})
        tap.ok(status == 200 and not body.get("errors") and data(body)["actor"]["account"] is None,
               "ADMIN reading a missing account: null, no error", detail=body)

        # ---- level too low ----
        status, body = s.gql(CREATE_KEY, {"accountId": 2, "level": "ADMIN", "name": "escalate"}, key=key2)
        check_forbidden(status, body, "OHI_ONLY key calling createApiKey: FORBIDDEN")
        status, body = s.gql(UPDATE_ACCOUNT, {"id": 2, "input": {"syntheticPermission": True}}, key=key2)
        check_forbidden(status, body, "OHI_ONLY key calling updateAccount: FORBIDDEN")
        status, body = s.gql(REVOKE_KEY, {"id": key2_id}, key=key2)
        check_forbidden(status, body, "OHI_ONLY key calling revokeApiKey: FORBIDDEN")

        # ---- updateAccount ----
        status, body = s.gql(UPDATE_ACCOUNT, {"id": 2, "input": {
            "name": "team 2", "syntheticPermission": True, "infrastructureAgents": ["agent-b", "agent-a", "agent-b"]}})
        p = data(body).get("updateAccount") or {}
        tap.eq((p.get("success"), p.get("account")),
               (True, {"id": 2, "name": "team 2", "awsIntegration": True, "syntheticPermission": True,
                       "infrastructureAgents": ["agent-a", "agent-b"]}),
               "updateAccount changes name, flags and agents; absent fields stay")
        status, body = s.gql(UPDATE_ACCOUNT, {"id": 2, "input": {"name": "  "}})
        p = data(body).get("updateAccount") or {}
        tap.ok(p.get("success") is False and p.get("account") is None and
               (p.get("errors") or [{}])[0].get("field") == "input.name",
               "updateAccount with a blank name: UserError on input.name", detail=body)
        status, body = s.gql(UPDATE_ACCOUNT, {"id": 404, "input": {"name": "x"}})
        p = data(body).get("updateAccount") or {}
        tap.ok(p.get("success") is False and (p.get("errors") or [{}])[0].get("field") == "id",
               "updateAccount of an unknown account: UserError on id", detail=body)
        status, body = s.gql(UPDATE_ACCOUNT, {"id": 2, "input": {"infrastructureAgents": ["x" * 201]}})
        p = data(body).get("updateAccount") or {}
        tap.ok(p.get("success") is False and
               (p.get("errors") or [{}])[0].get("field") == "input.infrastructureAgents.0",
               "updateAccount with a too long agent id: UserError", detail=body)
        status, body = s.gql(ACCOUNT, {"id": 2}, key=key2)
        tap.eq(((data(body).get("actor") or {}).get("account") or {}).get("name"), "team 2",
               "the change is visible to the account's key")

        # ---- revokeApiKey ----
        status, body = s.gql(REVOKE_KEY, {"id": "nope"})
        p = data(body).get("revokeApiKey") or {}
        tap.ok(p.get("success") is False and (p.get("errors") or [{}])[0].get("field") == "id",
               "revokeApiKey with a malformed id: UserError", detail=body)
        status, body = s.gql(REVOKE_KEY, {"id": key2_id})
        tap.eq(data(body).get("revokeApiKey"), {"success": True, "errors": []}, "revokeApiKey as ADMIN")
        status, body = s.gql(ACCOUNTS, key=key2)
        check_unauthenticated(status, body, "the revoked key: UNAUTHENTICATED")
        status, body = s.gql(REVOKE_KEY, {"id": key2_id})
        p = data(body).get("revokeApiKey") or {}
        tap.ok(p.get("success") is False, "revoking it again: success false", detail=body)

        # The only ADMIN key cannot be revoked (the server would be locked).
        status, body = s.gql(REVOKE_KEY, {"id": "1"})  # the bootstrap key is the first key
        p = data(body).get("revokeApiKey") or {}
        tap.ok(p.get("success") is False and "last" in ((p.get("errors") or [{}])[0].get("message") or ""),
               "revoking the last ADMIN key (id 1) is refused", detail=body)
        status, body = s.gql(ACCOUNTS)
        tap.eq(status, 200, "the admin key still works")
        data_dir = s.data_dir
        s.keep_data = True

    # ---- restart: no second bootstrap ----
    with Server(data_dir=data_dir) as s2:
        with open(os.path.join(data_dir, "admin.key")) as f:
            tap.eq(f.read().strip(), s2.admin_key, "admin.key unchanged after a restart")
        status, body = s2.gql(ACCOUNTS)
        tap.eq([a["id"] for a in (data(body).get("actor") or {}).get("accounts") or []], [1, 2],
               "after a restart: the same accounts, no new bootstrap account")
    shutil.rmtree(data_dir, ignore_errors=True)
    tap.done()


if __name__ == "__main__":
    main()
