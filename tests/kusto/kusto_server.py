#!/usr/bin/env python3
"""kusto_server.py -- a loopback Azure Data Explorer (Kusto) REST server for entityd's tests.

One process is one Kusto cluster. Python 3 standard library only. It speaks the REST protocol of
shared/reference/kusto-protocol.md strictly, so that a client that passes against it sends what real
ADX accepts: KQL is tokenized and parsed, names that Kusto requires to be quoted must be quoted, and
names that must exist must exist. The interface is notes/kusto-test-server-interface.md; everything
added beyond it is marked (added) below.

Start:   python3 tests/kusto/kusto_server.py --port 0 --port-file FILE [--require-auth] [--verbose]
         Binds 127.0.0.1 only; writes the port to FILE (tmp + rename) once listening; SIGTERM/SIGINT
         stop it cleanly (exit 0). ThreadingHTTPServer, HTTP/1.1 keep-alive, gzip answers when the
         request has Accept-Encoding: gzip. Request bodies over 16 MiB get 413.

Kusto endpoints
  POST /v1/rest/mgmt     {"db","csl","properties"} -> v1 {"Tables":[{"TableName":"Table_0",...}]}
  POST /v2/rest/query    -> v2 frames (DataSetHeader, @ExtendedProperties, PrimaryResult(s),
                         QueryCompletionInformation, DataSetCompletion). Options honoured:
                         results_v2_fragment_primary_tables (TableHeader/TableFragment/TableCompletion),
                         results_v2_newlines_between_frames, results_error_reporting_placement.
                         A csl starting with '.' -> 400 plain text, as the service does.
  GET  /v1/rest/auth/metadata -> 404 (clients then use public-cloud defaults)
  Required request headers: Content-Type application/json, Accept application/json,
  x-ms-client-request-id -> else 400 OneApiError. Every answer echoes x-ms-client-request-id and adds
  a fresh x-ms-activity-id. With auth required: "Authorization: Bearer <t>", t issued by the token
  endpoints below and unexpired, or a static token -> else 401 with a plain-text body.

Token endpoints (the client's IMDS and AAD base URLs point here)
  GET  /metadata/identity/oauth2/token?api-version=..&resource=R[&client_id=C]  (header Metadata: true)
       -> {"access_token","refresh_token":"","expires_in","expires_on","not_before","resource",
           "token_type":"Bearer"}, all strings. No Metadata header -> 400 bad_request_102.
  POST /{tenant}/oauth2/v2.0/token  form client_id, client_secret, scope=<resource>/.default,
       grant_type=client_credentials -> {"token_type":"Bearer","expires_in":N,"ext_expires_in":N,
       "access_token"}; bad secret -> 400 invalid_client; unknown client -> 400 unauthorized_client.
  Tokens are random fake JWTs valid for token_ttl_s seconds of real time (not the test clock).

Test control (JSON in and out; not Kusto)
  POST /_test/reset        forget everything: databases, faults, command log, operations, clock pin,
                           issued tokens, auth config (back to the command-line defaults)
  POST /_test/setup        {"databases": {"<db>": {"tables": {"T": "A:string,B:long"},
                           "views": {"V": "Col:string"}, "retentionDays": 30,
                           "entity_groups": {"G": ["cluster('c').database('d')"]} (added),
                           "rows": {"T": [[...], ...]} (added; values as in v2 JSON)}}}
  GET  /_test/state        {"databases": {...tables{schema,rows}, functions, entity_groups, retentionDays},
                           "commands": [...], "operations": {id: {...}} (in submission order),
                           "operation_order": [ids] (added), "token_requests": [...] (added),
                           "now": "<server clock>" (added)}
  POST /_test/faults       {"faults": [{"path","match" (regex on csl),"db" (added),"count" (default 1;
                           negative = forever),"status","retry_after","body","plain_text","delay_ms",
                           "kind": http|one_api_partial|v1_exceptions|malformed|drop_connection,
                           "permanent" (added: @permanent override),"code","message" (added),
                           "execute" (added, see below)}]}  appended to the queue; each request takes the
                           first matching fault. Faults without "path" match only the Kusto endpoints;
                           with an explicit "path" they can also hit the token endpoints (added).
                           kind http without status = only the delay, then the normal answer.
                           one_api_partial/v1_exceptions/malformed answer from the real result when
                           "execute" is true (default: true for queries and .show, false for commands
                           that change state, which then answer as if nothing had run).
  GET  /_test/faults       (added) the faults still queued
  POST /_test/operations   {"<operationId>": [{"State":"InProgress"}, {"State":"Completed","Status":".."}],
                           "default": [{"State":"Completed"}]}; a step may also carry "ShouldRetry": bool
                           and (added) "Missing": true (the lookup finds no record). One step per
                           lookup, the last one sticks. An id's script is bound at its first lookup
                           (its own script, else the default then in force); posting a script for an
                           id rebinds it from its first step.
  POST /_test/auth         {"static_tokens": [..], "require": bool, "token_ttl_s": N,
                           "client_secrets": {"<clientId>": "<secret>"},
                           "msi_client_ids": [..] (added: IMDS client_id allow-list; null = any),
                           "audiences": [..] (added: token resources accepted by Kusto; null = any),
                           "revoke_all": true (added: forget issued tokens)}; GET returns the config.
  GET  /_test/commands?since=N   {"commands": [log entries from index N], "next": <length>}
  POST /_test/clock        (added) {"now": "<RFC3339>"} pins the server clock, {"now": null} releases
                           it, {"advance_s": N} moves a pinned clock; GET returns {"now","pinned"}.
                           ago()/now(), operation timestamps and the heartbeat filter use this clock.
  Command log entries: {"path","db","csl","client_request_id","authorization","x_ms_app",
                        "x_ms_client_version","properties","at" (real time),"status","fault"}; every Kusto
                        request is logged, including faulted, refused and 413 ones.
  Order of a Kusto request: log -> fault (before auth and header checks, so a fault fires even for
  an unauthenticated request) -> auth -> required headers -> body -> the command or query.

Management commands (POST /v1/rest/mgmt). Any other text -> 400 BadRequest_SyntaxError, @permanent true.
  .show version (added) | .show databases | .show database [D] schema | .show database D policy retention
  .show tables [(T, ...)] | .show functions | .show function F | .show function F schema as json
  .show entity_groups | .show entity_group G | .show operations [<id> | (<id>, ...)]
      Each .show may be followed by a pipeline: | where | project | extend | summarize | count | take
      | sort | top | distinct, evaluated with Kusto's semantics (e.g. summarize without `by` over zero
      rows yields one row of nulls/empty strings, as the service does).
  .create table T (c:type, ...) [with (docstring=.., folder=..)]      (exists already: unchanged)
  .create-merge table T (c:type, ...)                                  (adds columns; type change -> error)
  .ingest inline into table T [with (..)] <| csv                       (RFC 4180; types checked)
  .create entity_group G [ifnotexists] (E, ...) | .alter entity_group G (E, ...)
  .alter-merge entity_group G (E, ...) (added) | .drop entity_group G [ifexists]
  .create-or-alter function [with (docstring, folder, view, skipvalidation)] F(params) { body }
  .create function [ifnotexists] ... | .alter function ... (both added) | .drop function F [ifexists]
  .execute database script [with (ContinueOnErrors=true|ThrowOnErrors=true)] <| statements
  .alter-merge database D policy retention softdelete = Nd [recoverability = enabled|disabled]
  .set-or-append async T [with (extend_schema=true, ...)] <| let _startTime=datetime(..);
      let _endTime=datetime(..);  [let _label="..";]*  body        -> one row, OperationId (guid)
Queries (POST /v2/rest/query): [set ..;] [let x = ..;] <T | view | F()> [| operators as above], e.g.
  Heartbeats | where Timestamp > ago(1h) | summarize arg_max(Timestamp, *) by ClusterEndpoint

Strictness (what is refused, each with a message naming the problem)
  * Names: unquoted only if [A-Za-z_][A-Za-z0-9_]* and not a KQL keyword (where, project, table,
    database, function, let, as, ...; see KEYWORDS); otherwise ['..'] or [".."]. Quoted names must still
    be valid entity names (letters, digits, _ - . space; 1..1024) -> BadRequest_EntityNameIsNotValid.
  * Literals: strings '..' ".." (backslash escapes), @'..' @".." (verbatim), h-prefixed, ```..```;
    numbers; timespans 1d 2h 30m 10s 100ms ... and timespan([d.]hh:mm[:ss[.fffffff]]); datetime(..)
    with 0-7 fraction digits; guids. Unterminated strings, bad literals, unbalanced brackets refused.
  * Function bodies must be in { }. macro-expand needs `as Alias` (or `Alias in G`), a parenthesised
    subquery, known parameters (kind, isfuzzy, best_effort, force_remote), and `entity_group` must be
    followed by [ ... ]; a stored group it names must exist (unless skipvalidation=true).
  * Entity references: cluster('c').database('d') or database('d') (and cluster('c') in .create entity_group),
    as in Microsoft's Kusto.Language grammar. Anything else is refused.
  * Existence: unknown database -> BadRequest_DatabaseNotExist; ingest into a missing table ->
    BadRequest_TableNotExist; missing function or entity group -> BadRequest_EntityNotFound; creating an
    existing entity group without ifnotexists -> BadRequest_EntityAlreadyExists.
  * .create-or-alter entity_group is refused: it is not a documented ADX command (upstream adx-mon
    found that ADX has none and uses .drop + .create).

.execute database script: a statement starts at a line beginning with '.'; lines that are exactly `//`
(adx-mon's separator), other `//` comment lines and blank lines between statements are skipped, so
`//`-separated and blank-line-separated scripts both work; inside open brackets (a function body) every
line, comments and blank lines included, belongs to the statement. A syntax error in any statement refuses the whole script (400).
Each statement then runs in order; .show statements are not run (Result "Skipped", as documented).
A failure is a row with Result "Failed" and the error as Reason. With ContinueOnErrors=true the script goes
on; otherwise it stops at the first failure (later statements get no row). As the ADX documentation
states, execution is not transactional: statements that ran before a failure stay applied (no rollback).
ThrowOnErrors=true turns the first failure into the command's error.

.set-or-append async: the text after `<|` must parse as KQL, start with `let _startTime=datetime(X);` and,
on the next line, `let _endTime=datetime(Y);` with X < Y (this server's contract with adx-mon's form;
a violation is 400 General_BadRequest "kusto_server.py contract ..."), and the body's source table must
exist. The operation (id, db, table, window, body, command) is recorded; the body is not run.
.show operations answers per the /_test/operations script: `.show operations <id>` (latest-update
mode: zero rows for an unknown id) and `.show operations | where OperationId == "<id>" | ...` advance
that id's script one step; plain `.show operations` lists the records without advancing anything.
Records form a log (an InProgress record at submission, then one per answered step, LastUpdatedOn strictly
increasing), so arg_max works; upstream's `| summarize arg_max(..)` form over an unknown id yields, as in
Kusto, a single row with an empty State.

.ingest inline: the data starts after `<|` (spaces and one line break right after it are skipped); fields
are RFC 4180; each record must have as many fields as the table has columns; typed columns are checked
(long/int, real, bool, datetime, timespan, guid, decimal; dynamic must be JSON); an empty field is null.
A refused ingest appends nothing.

Encoding choices where the references are silent or unverified: v1 dynamic cells are native JSON values;
the Entities column of entity-group commands is a string holding a JSON array (Kusto.Language declares
string); datetimes are written without a fraction when it is zero, else with 7 digits; .show database
schema gives a database row, a row per table and a row per column (CLR type names, bool = System.SByte);
.show function F schema as json has FunctionKind "ViewFunction" or "UnknownFunction". A bare name in a
query resolves to a let, then a table, then a function (table-before-function is unverified against ADX).

Not implemented: macro-expand evaluation (cross-cluster queries), synchronous .set-or-append, v1 queries,
declare query_parameters values. Such requests get 400 General_BadRequest naming the limitation.
"""
import argparse
import base64
import gzip
import json
import os
import re
import secrets
import signal
import socket
import sys
import threading
import time
import urllib.parse
import uuid
from datetime import datetime as _dt, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MAX_BODY = 16 * 1024 * 1024
TICKS_PER_SECOND = 10_000_000
EPOCH = _dt(1970, 1, 1, tzinfo=timezone.utc)

# --------------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------------


class KustoError(Exception):
    """An error answered as a OneApiError body (or, for 401, plain text)."""

    TYPES = {
        "BadRequest_SyntaxError": "Kusto.Data.Exceptions.SyntaxException",
        "BadRequest_DatabaseNotExist": "Kusto.Data.Exceptions.DatabaseNotFoundException",
        "BadRequest_TableNotExist": "Kusto.Data.Exceptions.TableNotFoundException",
        "BadRequest_EntityNameIsNotValid": "Kusto.Data.Exceptions.EntityNameIsNotValidException",
        "BadRequest_EntityNotFound": "Kusto.Data.Exceptions.EntityNotFoundException",
        "BadRequest_EntityAlreadyExists": "Kusto.Data.Exceptions.EntityAlreadyExistsException",
        "General_BadRequest": "Kusto.Data.Exceptions.KustoBadRequestException",
        "PayloadTooLarge": "Kusto.Data.Exceptions.KustoRequestPayloadTooLargeException",
    }

    def __init__(self, code, detail, status=400, permanent=True, message=None, etype=None, inner=None):
        super().__init__(detail)
        self.code = code
        self.detail = detail
        self.status = status
        self.permanent = permanent
        self.message = message or "Request is invalid and cannot be executed."
        self.etype = etype or self.TYPES.get(code, "Kusto.Data.Exceptions.KustoBadRequestException")
        self.inner = inner


def line_col(text, pos):
    line = text.count("\n", 0, pos) + 1
    col = pos - (text.rfind("\n", 0, pos) + 1) + 1
    return line, col


class KqlSyntaxError(KustoError):
    def __init__(self, msg, text=None, pos=None):
        where = ""
        if text is not None and pos is not None:
            ln, col = line_col(text, min(pos, len(text)))
            where = f" [line:position={ln}:{col}]"
        super().__init__("BadRequest_SyntaxError", f"Syntax error: SYN0002: {msg}{where}",
                         inner={"code": "SYN0002", "message": msg})
        self.msg = msg


def semantic_error(msg, code="SEM0100"):
    return KustoError("General_BadRequest", f"Semantic error: {code}: {msg}",
                      etype="Kusto.Data.Exceptions.SemanticException", inner={"code": code, "message": msg})


def not_found(kind, name, code="BadRequest_EntityNotFound"):
    return KustoError(code, f"{kind} '{name}' was not found.")


# --------------------------------------------------------------------------------------------------
# Values: datetime / timespan ticks (100 ns) since the Unix epoch, text forms
# --------------------------------------------------------------------------------------------------

DATETIME_RE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?(Z|z|[+-]\d{2}:\d{2})?$")
TIMESPAN_CLOCK_RE = re.compile(r"^(-)?(?:(\d+)\.)?(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?$")
TIMESPAN_UNITS = {
    "d": 864_000_000_000, "day": 864_000_000_000, "days": 864_000_000_000,
    "h": 36_000_000_000, "hr": 36_000_000_000, "hrs": 36_000_000_000, "hour": 36_000_000_000,
    "hours": 36_000_000_000,
    "m": 600_000_000, "min": 600_000_000, "minute": 600_000_000, "minutes": 600_000_000,
    "s": 10_000_000, "sec": 10_000_000, "second": 10_000_000, "seconds": 10_000_000,
    "ms": 10_000, "milli": 10_000, "millis": 10_000, "millisecond": 10_000, "milliseconds": 10_000,
    "microsecond": 10, "microseconds": 10, "tick": 1, "ticks": 1,
}
TIMESPAN_UNIT_RE = re.compile(r"^(\d+(?:\.\d+)?)([A-Za-z]+)$")
GUID_TEXT_RE = re.compile(r"^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$")


def parse_datetime_text(s):
    """ISO 8601 / RFC 3339 text -> ticks, or raise ValueError. Fractions of 0..7 digits."""
    m = DATETIME_RE.match(s.strip())
    if not m:
        raise ValueError(f"'{s}' is not a valid datetime")
    y, mo, d, hh, mi, ss, frac, tz = m.groups()
    if frac is not None and len(frac) > 7:
        raise ValueError(f"'{s}' has more than 7 fractional digits (the resolution is 100 ns)")
    try:
        base = _dt(int(y), int(mo), int(d), int(hh or 0), int(mi or 0), int(ss or 0), tzinfo=timezone.utc)
    except ValueError as e:
        raise ValueError(f"'{s}' is not a valid datetime ({e})")
    delta = base - EPOCH
    ticks = (delta.days * 86400 + delta.seconds) * TICKS_PER_SECOND
    if frac:
        ticks += int(frac.ljust(7, "0"))
    if tz and tz not in ("Z", "z"):
        sign = 1 if tz[0] == "+" else -1
        ticks -= sign * (int(tz[1:3]) * 3600 + int(tz[4:6]) * 60) * TICKS_PER_SECOND
    return ticks


def format_datetime(ticks):
    secs, frac = divmod(ticks, TICKS_PER_SECOND)
    d = EPOCH + timedelta(seconds=secs)
    s = d.strftime("%Y-%m-%dT%H:%M:%S")
    if frac:
        s += f".{frac:07d}"
    return s + "Z"


def parse_timespan_text(s):
    """'[-][d.]hh:mm[:ss[.f]]' or '<n><unit>' or '<n>' (days) -> ticks, or raise ValueError."""
    s = s.strip()
    m = TIMESPAN_CLOCK_RE.match(s)
    if m:
        neg, days, hh, mi, ss, frac = m.groups()
        if frac is not None and len(frac) > 7:
            raise ValueError(f"'{s}' has more than 7 fractional digits")
        if int(mi) > 59 or int(ss or 0) > 59 or (days is not None and int(hh) > 23):
            raise ValueError(f"'{s}' is not a valid timespan")
        t = ((int(days or 0) * 24 + int(hh)) * 3600 + int(mi) * 60 + int(ss or 0)) * TICKS_PER_SECOND
        if frac:
            t += int(frac.ljust(7, "0"))
        return -t if neg else t
    neg = s.startswith("-")
    body = s[1:] if neg else s
    m = TIMESPAN_UNIT_RE.match(body)
    if m:
        unit = TIMESPAN_UNITS.get(m.group(2))
        if unit is None:
            raise ValueError(f"'{s}': unknown timespan unit '{m.group(2)}'")
        t = round(float(m.group(1)) * unit)
        return -t if neg else t
    if re.match(r"^\d+(?:\.\d+)?$", body):
        t = round(float(body) * TIMESPAN_UNITS["d"])
        return -t if neg else t
    raise ValueError(f"'{s}' is not a valid timespan")


def format_timespan(ticks):
    neg = ticks < 0
    t = -ticks if neg else ticks
    secs, frac = divmod(t, TICKS_PER_SECOND)
    days, rem = divmod(secs, 86400)
    hh, rem = divmod(rem, 3600)
    mi, ss = divmod(rem, 60)
    s = ("-" if neg else "") + (f"{days}." if days else "") + f"{hh:02d}:{mi:02d}:{ss:02d}"
    if frac:
        s += f".{frac:07d}"
    return s


def real_now_ticks():
    return time.time_ns() // 100


def rfc3339_real_now():
    return _dt.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# --------------------------------------------------------------------------------------------------
# Tokenizer
# --------------------------------------------------------------------------------------------------

# Words that can't be used as unquoted entity names (case-sensitive, as KQL keywords are).
KEYWORDS = frozenset("""
access alias and as between by cluster contains count database datatable declare distinct endswith
entity_group evaluate extend externaldata facet false find fork function getschema has in invoke join
let limit lookup materialize on or order parse partition pattern print project range render restrict
sample search serialize set sort startswith summarize table take top toscalar totable true typeof
union view where with
""".split()) | frozenset(["macro-expand"])

# Hyphenated words the tokenizer reads as one word (query operators and command verbs).
HYPHEN_WORDS = frozenset("""
macro-expand mv-expand mv-apply make-series make-graph project-away project-keep project-rename
project-reorder parse-where parse-kv top-nested top-hitters assert-schema graph-match graph-merge
graph-to-table sample-distinct create-or-alter create-merge alter-merge set-or-append set-or-replace
drop-pretend
""".split())

PUNCTS = ["<|", "==", "!=", "<=", ">=", "=~", "!~", "..", "=>", "(", ")", "[", "]", "{", "}", ",", ";",
          ":", "=", "<", ">", "|", ".", "*", "+", "-", "/", "%", "!", "?", "~", "@"]
IDENT_RE = re.compile(r"[A-Za-z_$][A-Za-z0-9_]*")
GUID_RE = re.compile(r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}(?![0-9A-Za-z_])")
NUMBER_RE = re.compile(r"0[xX][0-9A-Fa-f]+|\d+(?:\.\d+)?(?:[eE][+-]?\d+)?")
RAW_LITERAL_WORDS = {"datetime": "datetime", "date": "datetime", "timespan": "timespan", "time": "timespan",
                     "guid": "guid"}
OPENERS = {"(": ")", "[": "]", "{": "}"}
CLOSERS = {")", "]", "}"}


class Tok:
    __slots__ = ("kind", "value", "start", "end", "quoted")

    def __init__(self, kind, value, start, end, quoted=False):
        self.kind, self.value, self.start, self.end, self.quoted = kind, value, start, end, quoted

    def is_word(self, w=None):
        return self.kind == "name" and not self.quoted and (w is None or self.value == w)

    def is_punct(self, p=None):
        return self.kind == "punct" and (p is None or self.value == p)

    def __repr__(self):
        return f"Tok({self.kind},{self.value!r})"


class Lexer:
    """Produces tokens on demand, so a command can take the raw text after `<|` untokenized."""

    def __init__(self, text, pos=0, end=None):
        self.text = text
        self.pos = pos
        self.end = len(text) if end is None else end

    def err(self, msg, pos):
        raise KqlSyntaxError(msg, self.text, pos)

    def skip_space(self):
        t, n = self.text, self.end
        while self.pos < n:
            c = t[self.pos]
            if c in " \t\r\n\f\v":
                self.pos += 1
            elif t.startswith("//", self.pos):
                nl = t.find("\n", self.pos, n)
                self.pos = n if nl < 0 else nl + 1
            else:
                break

    def lex(self):
        self.skip_space()
        t, n, p = self.text, self.end, self.pos
        if p >= n:
            return Tok("eof", None, n, n)
        c = t[p]
        # strings
        if c in "'\"" or (c == "@" and p + 1 < n and t[p + 1] in "'\""):
            return self.lex_string(p)
        if c in "hH" and p + 1 < n and (t[p + 1] in "'\"" or (t[p + 1] == "@" and p + 2 < n and t[p + 2] in "'\"")):
            tok = self.lex_string(p + 1)
            tok.start = p
            return tok
        if t.startswith("```", p):
            close = t.find("```", p + 3, n)
            if close < 0:
                self.err("unterminated ``` multi-line string literal", p)
            self.pos = close + 3
            return Tok("string", t[p + 3:close], p, self.pos)
        # bracketed names ['x'] ["x"]
        if c == "[" and p + 1 < n and t[p + 1] in "'\"":
            s_tok = self.lex_string(p + 1)
            self.skip_inline_space()
            if self.pos >= n or t[self.pos] != "]":
                # not ['name'] but a list that starts with a string, e.g. datatable(a:string) ['x', 'y']
                self.pos = p + 1
                return Tok("punct", "[", p, p + 1)
            self.pos += 1
            return Tok("name", s_tok.value, p, self.pos, quoted=True)
        # guids (before numbers and identifiers: they may start with either)
        m = GUID_RE.match(t, p, n)
        if m:
            self.pos = m.end()
            return Tok("guid", m.group().lower(), p, self.pos)
        if c.isdigit():
            return self.lex_number(p)
        m = IDENT_RE.match(t, p, n)
        if m:
            return self.lex_word(m)
        for pu in PUNCTS:
            if t.startswith(pu, p):
                self.pos = p + len(pu)
                return Tok("punct", pu, p, self.pos)
        self.err(f"unexpected character {c!r}", p)

    def skip_inline_space(self):
        while self.pos < self.end and self.text[self.pos] in " \t":
            self.pos += 1

    def lex_string(self, p):
        t, n = self.text, self.end
        verbatim = t[p] == "@"
        if verbatim:
            p += 1
        q = t[p]
        i = p + 1
        out = []
        while True:
            if i >= n or t[i] in "\r\n":
                self.err("unterminated string literal", p)
            ch = t[i]
            if verbatim:
                if ch == q:
                    if i + 1 < n and t[i + 1] == q:
                        out.append(q)
                        i += 2
                        continue
                    i += 1
                    break
                out.append(ch)
                i += 1
                continue
            if ch == "\\":
                if i + 1 >= n:
                    self.err("unterminated string literal", p)
                e = t[i + 1]
                simple = {"\\": "\\", "'": "'", '"': '"', "n": "\n", "t": "\t", "r": "\r", "0": "\0",
                          "a": "\a", "b": "\b", "f": "\f", "v": "\v"}
                if e in simple:
                    out.append(simple[e])
                    i += 2
                elif e == "u" and re.match(r"[0-9A-Fa-f]{4}", t[i + 2:i + 6]):
                    out.append(chr(int(t[i + 2:i + 6], 16)))
                    i += 6
                else:
                    self.err(f"invalid escape sequence '\\{e}' in string literal", i)
                continue
            if ch == q:
                i += 1
                break
            out.append(ch)
            i += 1
        self.pos = i
        return Tok("string", "".join(out), p - (1 if verbatim else 0), i)

    def lex_number(self, p):
        t, n = self.text, self.end
        m = NUMBER_RE.match(t, p, n)
        text = m.group()
        q = m.end()
        um = re.compile(r"[A-Za-z_][A-Za-z0-9_]*").match(t, q, n)
        if um:
            unit = um.group()
            if text.lower().startswith("0x") or unit not in TIMESPAN_UNITS or "e" in text.lower():
                self.err(f"'{text}{unit}' is not a valid literal; a name that starts with a digit must be "
                         f"quoted as ['{text}{unit}']", p)
            self.pos = um.end()
            return Tok("timespan", round(float(text) * TIMESPAN_UNITS[unit]), p, self.pos)
        self.pos = q
        if text.lower().startswith("0x"):
            return Tok("long", int(text, 16), p, q)
        if "." in text or "e" in text.lower():
            return Tok("real", float(text), p, q)
        return Tok("long", int(text), p, q)

    def lex_word(self, m):
        t, n = self.text, self.end
        p = m.start()
        word, q = m.group(), m.end()
        # hyphenated keywords (macro-expand, create-or-alter, ...): the longest known one
        cur, k = word, q
        while k + 1 < n and t[k] == "-" and (t[k + 1].isalpha()):
            mm = IDENT_RE.match(t, k + 1, n)
            cur, k = cur + "-" + mm.group(), mm.end()
            if cur in HYPHEN_WORDS:
                word, q = cur, k
            elif not any(h.startswith(cur + "-") for h in HYPHEN_WORDS):
                break
        # datetime(...), timespan(...), guid(...): raw content up to ')'
        if word in RAW_LITERAL_WORDS:
            k = q
            while k < n and t[k] in " \t":
                k += 1
            if k < n and t[k] == "(":
                close = t.find(")", k, n)
                if close < 0:
                    self.err(f"unbalanced parentheses in {word}( literal", k)
                raw = t[k + 1:close].strip()
                self.pos = close + 1
                kind = RAW_LITERAL_WORDS[word]
                try:
                    if kind == "datetime":
                        val = None if raw == "null" else parse_datetime_text(raw)
                    elif kind == "timespan":
                        val = None if raw == "null" else parse_timespan_text(raw)
                    else:
                        if raw != "null" and not GUID_TEXT_RE.match(raw):
                            raise ValueError(f"'{raw}' is not a valid guid")
                        val = None if raw == "null" else raw.lower()
                except ValueError as e:
                    self.err(f"invalid {word} literal: {e}", p)
                return Tok(kind, val, p, self.pos)
        self.pos = q
        return Tok("name", word, p, q)


def tokenize_all(text):
    """Every token of text (used for bracket-balance checks and tests)."""
    lx = Lexer(text)
    out = []
    while True:
        tok = lx.lex()
        if tok.kind == "eof":
            return out
        out.append(tok)


def check_balanced(text, what="text"):
    stack = []
    for tok in tokenize_all(text):
        if tok.kind == "punct":
            if tok.value in OPENERS:
                stack.append(tok)
            elif tok.value in CLOSERS:
                if not stack or OPENERS[stack[-1].value] != tok.value:
                    raise KqlSyntaxError(f"unbalanced brackets in {what}: unexpected '{tok.value}'", text, tok.start)
                stack.pop()
    if stack:
        raise KqlSyntaxError(f"unbalanced brackets in {what}: '{stack[-1].value}' is never closed", text,
                             stack[-1].start)


ENTITY_NAME_RE = re.compile(r"^[\w\-. ]{1,1024}$", re.UNICODE)


def validate_entity_name(name, what):
    if not ENTITY_NAME_RE.match(name) or name != name.strip():
        raise KustoError("BadRequest_EntityNameIsNotValid",
                         f"The name '{name}' is not a valid {what} name: entity names are 1 to 1024 letters, "
                         f"digits, underscores, dashes, dots and spaces, without leading or trailing spaces.")
    return name


def quote_name(name):
    if IDENT_RE.fullmatch(name) and not name.startswith("$") and name not in KEYWORDS:
        return name
    return "['" + name.replace("\\", "\\\\").replace("'", "\\'") + "']"


# --------------------------------------------------------------------------------------------------
# Parser: token-stream helpers
# --------------------------------------------------------------------------------------------------

class Parser:
    def __init__(self, text, start=0, end=None):
        self.text = text
        self.lx = Lexer(text, start, end)
        self.buf = []
        self.last_end = start

    def peek(self, k=0):
        while len(self.buf) <= k:
            self.buf.append(self.lx.lex())
        return self.buf[k]

    def next(self):
        tok = self.peek()
        self.buf.pop(0)
        self.last_end = tok.end
        return tok

    def err(self, msg, tok=None):
        tok = tok or self.peek()
        raise KqlSyntaxError(msg, self.text, tok.start)

    @staticmethod
    def show(tok):
        if tok.kind == "eof":
            return "the end of the text"
        if tok.kind == "name" and tok.quoted:
            return f"['{tok.value}']"
        if tok.kind == "string":
            return f"string literal {tok.value!r}"
        return f"'{tok.value}'" if tok.kind in ("name", "punct") else f"{tok.kind} literal"

    def at_word(self, *words):
        tok = self.peek()
        return tok.is_word() and tok.value in words

    def accept_word(self, w):
        if self.peek().is_word(w):
            return self.next()
        return None

    def expect_word(self, w, context=""):
        if not self.peek().is_word(w):
            self.err(f"expected '{w}'{context} but found {self.show(self.peek())}")
        return self.next()

    def at_punct(self, p):
        return self.peek().is_punct(p)

    def accept_punct(self, p):
        if self.peek().is_punct(p):
            return self.next()
        return None

    def expect_punct(self, p, context=""):
        tok = self.peek()
        if not tok.is_punct(p):
            hint = ""
            if tok.kind == "name" and not tok.quoted:
                hint = " (a name with spaces or other special characters must be quoted as ['...'])"
            self.err(f"expected '{p}'{context} but found {self.show(tok)}{hint}")
        return self.next()

    def expect_eof(self, context=""):
        tok = self.peek()
        if tok.kind != "eof":
            if tok.is_punct() and tok.value in CLOSERS:
                self.err(f"unbalanced brackets: unexpected '{tok.value}'{context}")
            self.err(f"unexpected {self.show(tok)}{context}")

    def raw_rest(self):
        """The untokenized text after the last consumed token (e.g. after `<|`)."""
        if self.buf:
            raise AssertionError("raw_rest with lookahead")
        return self.text[self.last_end:self.lx.end]

    def name(self, what, validate=True, allow_dot=False):
        """An entity name: bare identifier (not a keyword) or ['..'] / [".."]."""
        tok = self.peek()
        if tok.kind == "name":
            if not tok.quoted:
                if tok.value.startswith("$"):
                    self.err(f"'{tok.value}' is not a valid {what} name")
                if tok.value in KEYWORDS:
                    self.err(f"the {what} name '{tok.value}' is a KQL keyword and must be quoted as "
                             f"['{tok.value}']")
                nxt_pos = tok.end
                t = self.text
                seps = "-" if allow_dot else "-."
                if nxt_pos + 1 < len(t) and t[nxt_pos] in seps and (t[nxt_pos + 1].isalnum() or t[nxt_pos + 1] == "_"):
                    m = re.compile(r"[\w\-.]+").match(t, tok.start)
                    full = m.group()
                    self.err(f"the {what} name '{full}' contains '{t[nxt_pos]}' and must be quoted as ['{full}']")
            self.next()
            if validate:
                validate_entity_name(tok.value, what)
            return tok.value
        if tok.kind in ("long", "real", "timespan"):
            raw = re.compile(r"[\w\-.]+").match(self.text, tok.start).group()
            self.err(f"expected a {what} name but found '{raw}'; a name that starts with a digit must be quoted "
                     f"as ['{raw}']")
        if tok.kind == "string":
            self.err(f"expected a {what} name but found a string literal; write the name as ['{tok.value}']")
        self.err(f"expected a {what} name but found {self.show(tok)}")

    def string(self, what):
        tok = self.peek()
        if tok.kind != "string":
            self.err(f"expected a string literal ({what}) but found {self.show(tok)}")
        return self.next().value

    def skip_balanced_until(self, stop_puncts, stop_words=()):
        """Skips tokens (checking bracket balance) until a top-level stop token or an unmatched closer."""
        stack = []
        while True:
            tok = self.peek()
            if tok.kind == "eof":
                if stack:
                    self.err(f"unbalanced brackets: '{stack[-1].value}' is never closed", stack[-1])
                return
            if not stack:
                if tok.is_punct() and (tok.value in stop_puncts or tok.value in CLOSERS):
                    return
                if tok.is_word() and tok.value in stop_words:
                    return
            if tok.is_punct() and tok.value in OPENERS:
                stack.append(tok)
            elif tok.is_punct() and tok.value in CLOSERS:
                if OPENERS[stack[-1].value] != tok.value:
                    self.err(f"unbalanced brackets: '{stack[-1].value}' closed by '{tok.value}'")
                stack.pop()
            self.next()


# --------------------------------------------------------------------------------------------------
# Parser: expressions
# --------------------------------------------------------------------------------------------------

class Expr:
    pass


class Lit(Expr):
    def __init__(self, value, typ):
        self.value, self.type = value, typ


class Col(Expr):
    def __init__(self, name):
        self.name = name


class Star(Expr):
    pass


class Call(Expr):
    def __init__(self, name, args, target=None):
        self.name, self.args, self.target = name, args, target


class Member(Expr):
    def __init__(self, target, name):
        self.target, self.name = target, name


class Index(Expr):
    def __init__(self, target, key):
        self.target, self.key = target, key


class BinOp(Expr):
    def __init__(self, op, left, right):
        self.op, self.left, self.right = op, left, right


class Unary(Expr):
    def __init__(self, op, operand):
        self.op, self.operand = op, operand


class Between(Expr):
    def __init__(self, operand, lo, hi, negate):
        self.operand, self.lo, self.hi, self.negate = operand, lo, hi, negate


class InList(Expr):
    def __init__(self, operand, items, negate, nocase):
        self.operand, self.items, self.negate, self.nocase = operand, items, negate, nocase


class ListExpr(Expr):
    """The parenthesised right side of has_any / has_all."""

    def __init__(self, items):
        self.items = items


class RawExpr(Expr):
    """An expression the parser only checked for balance (e.g. a subquery inside toscalar())."""

    def __init__(self, text):
        self.text = text


STRING_OPS = {"has", "contains", "startswith", "endswith", "has_cs", "contains_cs", "startswith_cs",
              "endswith_cs", "hasprefix", "hassuffix", "hasprefix_cs", "hassuffix_cs", "has_any", "has_all",
              "matches"}
CMP_PUNCTS = {"==", "!=", "<", "<=", ">", ">=", "=~", "!~"}


def parse_expr(p):
    return parse_or(p)


def parse_or(p):
    left = parse_and(p)
    while p.accept_word("or"):
        left = BinOp("or", left, parse_and(p))
    return left


def parse_and(p):
    left = parse_cmp(p)
    while p.accept_word("and"):
        left = BinOp("and", left, parse_cmp(p))
    return left


def parse_cmp(p):
    left = parse_add(p)
    tok = p.peek()
    if tok.kind == "punct" and tok.value in CMP_PUNCTS:
        p.next()
        return BinOp(tok.value, left, parse_add(p))
    negate = False
    if tok.is_punct("!") and p.peek(1).is_word() and p.peek(1).start == tok.end:
        negate = True
        p.next()
        tok = p.peek()
        if tok.value not in STRING_OPS | {"in", "between"}:
            p.err(f"'!{tok.value}' is not an operator")
    if tok.is_word("between"):
        p.next()
        p.expect_punct("(", " after 'between'")
        lo = parse_add(p)
        p.expect_punct("..", " in 'between (a .. b)'")
        hi = parse_add(p)
        p.expect_punct(")", " to close 'between (a .. b)'")
        return Between(left, lo, hi, negate)
    if tok.is_word("in"):
        p.next()
        nocase = bool(p.peek().is_punct("~") and p.peek().start == tok.end and p.next())
        p.expect_punct("(", " after 'in'")
        items = []
        if not p.at_punct(")"):
            start = p.peek().start
            items.append(parse_expr(p))
            if p.at_punct("|"):  # x in (T | project y): a tabular subquery, only checked
                p.skip_balanced_until(set())
                items = [RawExpr(p.text[start:p.peek().start])]
            while p.accept_punct(","):
                items.append(parse_expr(p))
        p.expect_punct(")", " to close the 'in (...)' list")
        return InList(left, items, negate, nocase)
    if tok.is_word() and tok.value in STRING_OPS:
        p.next()
        op = tok.value
        if op in ("has_any", "has_all"):
            p.expect_punct("(", f" after '{op}'")
            items = [parse_expr(p)]
            while p.accept_punct(","):
                items.append(parse_expr(p))
            p.expect_punct(")", f" to close the '{op} (...)' list")
            return BinOp(op, left, ListExpr(items))
        if op == "matches":
            p.expect_word("regex", " after 'matches'")
            op = "matches regex"
        return BinOp(("!" if negate else "") + op, left, parse_add(p))
    if negate:
        p.err("expected an operator after '!'")
    return left


def parse_add(p):
    left = parse_mul(p)
    while p.peek().is_punct() and p.peek().value in ("+", "-"):
        op = p.next().value
        left = BinOp(op, left, parse_mul(p))
    return left


def parse_mul(p):
    left = parse_unary(p)
    while p.peek().is_punct() and p.peek().value in ("*", "/", "%"):
        op = p.next().value
        left = BinOp(op, left, parse_unary(p))
    return left


def parse_unary(p):
    if p.at_punct("-"):
        p.next()
        return Unary("-", parse_unary(p))
    if p.at_punct("+"):
        p.next()
        return parse_unary(p)
    return parse_postfix(p)


def parse_call_args(p, fname):
    args = []
    if p.accept_punct(")"):
        return args
    while True:
        if p.at_punct("*") and (p.peek(1).is_punct(",") or p.peek(1).is_punct(")")):
            p.next()
            args.append(Star())
        else:
            start = p.peek().start
            e = parse_expr(p)
            if p.at_punct("|") or p.at_punct(";"):
                # a tabular argument (toscalar(T | count)): only checked for balance
                p.skip_balanced_until({",", ")"})
                e = RawExpr(p.text[start:p.last_end])
            args.append(e)
        if p.accept_punct(","):
            continue
        p.expect_punct(")", f" to close the arguments of {fname}()")
        return args


def parse_postfix(p):
    e = parse_primary(p)
    while True:
        tok = p.peek()
        if tok.is_punct("."):
            p.next()
            nt = p.peek()
            if nt.kind != "name":
                p.err(f"expected a name after '.' but found {p.show(nt)}")
            p.next()
            if p.at_punct("("):
                p.next()
                e = Call(nt.value, parse_call_args(p, nt.value), target=e)
            else:
                e = Member(e, nt.value)
        elif tok.kind == "name" and tok.quoted and tok.start == p.last_end:
            p.next()  # x['key'] reads like a bracketed name after an expression
            e = Index(e, Lit(tok.value, "string"))
        elif tok.is_punct("["):
            p.next()
            key = parse_expr(p)
            p.expect_punct("]", " to close the index")
            e = Index(e, key)
        else:
            return e


def parse_dynamic_literal(p, start_tok):
    p.expect_punct("(", " after 'dynamic'")
    start = p.peek().start
    p.skip_balanced_until(set())
    raw = p.text[start:p.peek().start]
    p.expect_punct(")", " to close dynamic(...)")
    raw = raw.strip()
    if raw == "null":
        return Lit(None, "dynamic")
    try:
        return Lit(json.loads(raw), "dynamic")
    except ValueError:
        p.err(f"invalid dynamic literal: {raw[:60]!r} is not JSON", start_tok)


def parse_primary(p):
    tok = p.peek()
    k = tok.kind
    if k == "string":
        p.next()
        return Lit(tok.value, "string")
    if k == "long":
        p.next()
        return Lit(tok.value, "long")
    if k == "real":
        p.next()
        return Lit(tok.value, "real")
    if k in ("timespan", "datetime", "guid"):
        p.next()
        return Lit(tok.value, k)
    if tok.is_punct("("):
        p.next()
        e = parse_expr(p)
        if p.at_punct("|"):
            p.err("a tabular subquery is not allowed here")
        p.expect_punct(")", " to close the parenthesised expression")
        return e
    if k == "name":
        if tok.is_word("true") or tok.is_word("false"):
            p.next()
            return Lit(tok.value == "true", "bool")
        if tok.is_word("dynamic") and p.peek(1).is_punct("("):
            p.next()
            return parse_dynamic_literal(p, tok)
        if tok.is_word() and tok.value in KEYWORDS and not p.peek(1).is_punct("("):
            p.err(f"'{tok.value}' is a KQL keyword; as a name it must be quoted as ['{tok.value}']")
        p.next()
        if p.at_punct("("):
            p.next()
            return Call(tok.value, parse_call_args(p, tok.value))
        return Col(tok.value)
    if k == "eof":
        p.err("the expression is incomplete: unexpected end of the text")
    p.err(f"expected an expression but found {p.show(tok)}")


# --------------------------------------------------------------------------------------------------
# Parser: queries (let/set statements, a source, | operators), macro-expand, entity references
# --------------------------------------------------------------------------------------------------

class Query:
    def __init__(self):
        self.lets = []      # [(name, kind, value)] kind: "query" (a Query) | "entity_group" (refs) | "function"
        self.sets = []      # [(name, value)]
        self.source = None  # Source
        self.ops = []       # [Op]
        self.start = self.end = 0


class Source:
    def __init__(self, kind, **kw):
        self.kind = kind    # expr | macro | datatable | print | sub | raw
        self.__dict__.update(kw)


class Op:
    def __init__(self, kind, **kw):
        self.kind = kind
        self.__dict__.update(kw)


# Every tabular operator of KQL; those not evaluated here are only checked for bracket balance.
KNOWN_OPERATORS = frozenset("""
as consume count distinct evaluate extend externaldata facet filter find fork getschema invoke join limit
lookup make-series make-graph graph-match graph-merge graph-to-table mv-apply mv-expand order parse
parse-where parse-kv partition print project project-away project-keep project-rename project-reorder
range reduce render sample sample-distinct scan search serialize sort summarize take top top-hitters
top-nested union where assert-schema
""".split())
MACRO_PARAMS = {"kind": ("inner", "outer"), "isfuzzy": (True, False), "best_effort": (True, False),
                "force_remote": (True, False)}
AGGREGATES = {"count", "countif", "arg_max", "arg_min", "max", "min", "sum", "avg", "dcount", "any",
              "take_any", "make_list", "make_set", "sumif", "avgif", "maxif", "minif", "dcountif",
              "percentile", "percentiles", "stdev", "variance", "make_bag", "buildschema", "hll", "tdigest",
              "count_distinct", "make_list_if", "make_set_if", "take_anyif", "binary_all_or", "binary_all_and"}


def parse_query(p, closer=None):
    """[let|set ...;]* tabular-expression [;]   ending at EOF or before `closer`."""
    q = Query()
    q.start = p.peek().start
    while True:
        if p.at_word("let"):
            p.next()
            name = p.name("let", validate=False)
            p.expect_punct("=", f" after 'let {name}'")
            q.lets.append(parse_let_value(p, name))
            p.expect_punct(";", f" to end 'let {name} = ...'")
        elif p.at_word("set"):
            p.next()
            opt = p.name("request property", validate=False)
            val = True
            if p.accept_punct("="):
                val = parse_primary(p)
            q.sets.append((opt, val))
            p.expect_punct(";", f" to end 'set {opt}'")
        elif p.at_word("declare") or p.at_word("alias") or p.at_word("restrict") or p.at_word("pattern"):
            p.next()
            p.skip_balanced_until({";"})
            p.expect_punct(";")
        else:
            break
    tok = p.peek()
    if tok.kind == "eof" or (closer and tok.is_punct(closer)):
        p.err("the query has no tabular expression" + (" (empty body)" if closer else ""))
    q.source = parse_source(p)
    while p.accept_punct("|"):
        q.ops.append(parse_operator(p))
    p.accept_punct(";")
    q.end = p.last_end
    tok = p.peek()
    if closer:
        if not tok.is_punct(closer):
            if tok.is_punct() and tok.value in CLOSERS:
                p.err(f"unbalanced brackets: expected '{closer}' but found '{tok.value}'")
            p.err(f"expected '|' or '{closer}' but found {p.show(tok)}")
    else:
        p.expect_eof(" after the query")
    return q


def parse_let_value(p, name):
    if p.at_word("entity_group"):
        p.next()
        if not p.at_punct("["):
            p.err("'entity_group' must be followed by '[' and a list of entity references")
        return (name, "entity_group", parse_entity_refs(p, "[", "]", allow_cluster_only=False))
    if p.at_punct("("):
        # a function definition `(params) { body }`, or a parenthesised expression
        save = (p.lx.pos, list(p.buf), p.last_end)
        p.next()
        p.skip_balanced_until(set())
        if p.accept_punct(")") and p.at_punct("{"):
            p.next()
            body = parse_query(p, closer="}")
            p.expect_punct("}")
            return (name, "function", body)
        p.lx.pos, p.buf, p.last_end = save
    sub = Query()
    sub.start = p.peek().start
    sub.source = parse_source(p)
    while p.accept_punct("|"):
        sub.ops.append(parse_operator(p))
    sub.end = p.last_end
    return (name, "query", sub)


def parse_source(p):
    tok = p.peek()
    if tok.is_word("macro-expand"):
        return parse_macro_expand(p)
    if tok.is_word("datatable"):
        p.next()
        cols = parse_schema(p, "datatable column")
        one = p.peek()
        if one.kind == "name" and one.quoted:  # datatable(a:string) ['x'] lexes like a bracketed name
            p.next()
            values = [Lit(one.value, "string")]
            if len(cols) != 1:
                p.err(f"datatable has 1 value, not a multiple of its {len(cols)} columns", one)
            return Source("datatable", columns=cols, values=values)
        p.expect_punct("[", " to open the datatable values")
        values = []
        if not p.at_punct("]"):
            values.append(parse_expr(p))
            while p.accept_punct(","):
                if p.at_punct("]"):
                    break
                values.append(parse_expr(p))
        p.expect_punct("]", " to close the datatable values")
        if cols and len(values) % len(cols):
            p.err(f"datatable has {len(values)} values, not a multiple of its {len(cols)} columns")
        return Source("datatable", columns=cols, values=values)
    if tok.is_word("print"):
        p.next()
        return Source("print", items=parse_named_list(p))
    if tok.is_word() and tok.value in ("union", "range", "find", "search", "externaldata", "evaluate"):
        start = tok.start
        p.next()
        p.skip_balanced_until({"|", ";"})
        return Source("raw", text=p.text[start:p.last_end])
    if tok.is_punct("("):
        p.next()
        sub = parse_query(p, closer=")")
        p.expect_punct(")")
        return Source("sub", query=sub)
    if tok.kind == "name" and tok.is_word() and tok.value in KEYWORDS and not p.peek(1).is_punct("("):
        p.err(f"'{tok.value}' is a KQL keyword; a table with this name must be quoted as ['{tok.value}']")
    if tok.kind == "name" and not tok.quoted and not p.peek(1).is_punct("("):
        p.name("table", validate=False, allow_dot=True)  # the checks on unquoted names ('-', keywords)
        p.buf.insert(0, tok)
    e = parse_postfix(p)
    return Source("expr", expr=e)


def parse_named_list(p):
    items = []
    while True:
        tok = p.peek()
        name = None
        if tok.kind == "name" and p.peek(1).is_punct("="):
            name = p.name("column", validate=False)
            p.next()
        items.append((name, parse_expr(p)))
        if not p.accept_punct(","):
            return items


def parse_operator(p):
    tok = p.peek()
    if tok.kind != "name" or tok.quoted:
        p.err(f"expected a query operator after '|' but found {p.show(tok)}")
    name = tok.value
    p.next()
    if name in ("where", "filter"):
        return Op("where", expr=parse_expr(p))
    if name in ("project", "extend", "project-reorder"):
        return Op(name, items=parse_named_list(p))
    if name == "summarize":
        while p.at_word("hint") and p.peek(1).is_punct("."):
            p.next(), p.next(), p.next()
            p.expect_punct("=")
            parse_primary(p)
        aggs = [] if p.at_word("by") else parse_named_list(p)
        keys = []
        if p.accept_word("by"):
            keys = parse_named_list(p)
        for nm, e in aggs:
            if not (isinstance(e, Call) and e.target is None and e.name in AGGREGATES):
                p.err("summarize expects aggregation functions such as count(), arg_max(), max() before 'by'")
        return Op("summarize", aggs=aggs, keys=keys)
    if name == "count":
        return Op("count")
    if name in ("take", "limit"):
        return Op("take", n=parse_expr(p))
    if name in ("sort", "order"):
        p.expect_word("by", f" after '{name}'")
        return Op("sort", keys=parse_sort_keys(p))
    if name == "top":
        n = parse_expr(p)
        p.expect_word("by", " after 'top N'")
        return Op("top", n=n, keys=parse_sort_keys(p)[:1])
    if name == "distinct":
        if p.accept_punct("*"):
            return Op("distinct", items=None)
        return Op("distinct", items=parse_named_list(p))
    if name in ("project-away", "project-keep"):
        names = [p.name("column", validate=False)]
        while p.accept_punct(","):
            names.append(p.name("column", validate=False))
        return Op(name, names=names)
    if name == "project-rename":
        pairs = []
        while True:
            new = p.name("column", validate=False)
            p.expect_punct("=", " in project-rename")
            pairs.append((new, p.name("column", validate=False)))
            if not p.accept_punct(","):
                return Op(name, pairs=pairs)
    if name in KNOWN_OPERATORS:
        start = tok.start
        p.skip_balanced_until({"|", ";"})
        return Op("raw", name=name, text=p.text[start:p.last_end])
    if name == "macro-expand":
        p.err("macro-expand is a tabular source, not an operator after '|'", tok)
    p.err(f"unknown query operator '{name}'", tok)


def parse_sort_keys(p):
    keys = []
    while True:
        e = parse_expr(p)
        desc = True
        if p.accept_word("asc"):
            desc = False
        elif p.accept_word("desc"):
            desc = True
        nulls_first = not desc
        if p.accept_word("nulls"):
            if p.accept_word("first"):
                nulls_first = True
            else:
                p.expect_word("last", " after 'nulls'")
                nulls_first = False
        keys.append((e, desc, nulls_first))
        if not p.accept_punct(","):
            return keys


def parse_macro_expand(p):
    start_tok = p.next()  # macro-expand
    params = {}
    while p.peek().kind == "name" and not p.peek().quoted and p.peek(1).is_punct("=") \
            and not p.peek().is_word("entity_group"):
        key = p.next().value
        if key not in MACRO_PARAMS:
            p.err(f"unknown macro-expand parameter '{key}' (known: {', '.join(MACRO_PARAMS)})")
        p.next()
        vt = p.next()
        allowed = MACRO_PARAMS[key]
        val = vt.value if vt.kind == "name" else None
        if val in ("true", "false"):
            val = val == "true"
        if val not in allowed:
            p.err(f"invalid value for macro-expand parameter '{key}': {p.show(vt)}", vt)
        params[key] = val
    if p.at_word("entity_group"):
        eg_tok = p.next()
        if not p.at_punct("["):
            p.err("'entity_group' must be followed by '[' and a list of entity references; to use a stored "
                  "entity group write its name without 'entity_group'", eg_tok)
        group = ("inline", parse_entity_refs(p, "[", "]", allow_cluster_only=False))
        if not p.at_word("as"):
            p.err("macro-expand needs 'as <Alias>' after the entity group")
        p.next()
        alias = p.name("entity alias", validate=False)
    else:
        tok = p.peek()
        if tok.kind != "name":
            p.err(f"macro-expand expects an entity group but found {p.show(tok)}")
        first = p.name("entity group", validate=False)
        if p.accept_word("in"):
            alias = first
            group = ("name", p.name("entity group", validate=False))
        else:
            if not p.at_word("as"):
                p.err(f"macro-expand needs 'as <Alias>' after the entity group '{first}'")
            p.next()
            alias = p.name("entity alias", validate=False)
            group = ("name", first)
    if p.at_punct("{"):
        p.err("the macro-expand subquery must be enclosed in parentheses ( ... ), not braces { ... }")
    if not p.at_punct("("):
        p.err(f"macro-expand needs a parenthesised subquery after 'as {alias}' but found {p.show(p.peek())}")
    p.next()
    sub = parse_query(p, closer=")")
    p.expect_punct(")")
    src = sub.source
    if src.kind == "expr" and isinstance(src.expr, Member) and isinstance(src.expr.target, Col) \
            and src.expr.target.name != alias:
        raise KqlSyntaxError(f"unknown entity alias '{src.expr.target.name}' in the macro-expand subquery "
                             f"(the alias is '{alias}')", p.text, sub.start)
    return Source("macro", params=params, group=group, alias=alias, query=sub, pos=start_tok.start)


def parse_entity_refs(p, open_p, close_p, allow_cluster_only):
    p.expect_punct(open_p, " to open the list of entity references")
    refs = []
    if p.at_punct(close_p):
        p.err("an entity group needs at least one entity reference")
    while True:
        refs.append(parse_entity_ref(p, allow_cluster_only))
        if p.accept_punct(","):
            continue
        if not p.at_punct(close_p):
            p.err(f"expected ',' or '{close_p}' after an entity reference but found {p.show(p.peek())}")
        p.next()
        return refs


def _entity_call(p, word):
    p.expect_word(word)
    p.expect_punct("(", f" after '{word}'")
    tok = p.peek()
    if tok.kind != "string":
        p.err(f"{word}() takes a string literal, e.g. {word}('name'), but found {p.show(tok)}")
    p.next()
    p.expect_punct(")", f" to close {word}(...)")
    if not tok.value:
        p.err(f"{word}('') names nothing", tok)
    return tok.value


def _q(s):
    return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'"


def parse_entity_ref(p, allow_cluster_only):
    tok = p.peek()
    shape = "cluster('<cluster>').database('<database>') or database('<database>')"
    if tok.is_word("cluster"):
        c = _entity_call(p, "cluster")
        if p.accept_punct("."):
            if not p.at_word("database"):
                p.err(f"an entity reference must be {shape}; found {p.show(p.peek())} after cluster(...).")
            d = _entity_call(p, "database")
            ref = f"cluster({_q(c)}).database({_q(d)})"
        else:
            if not allow_cluster_only:
                p.err(f"an entity reference here must be {shape}, not a bare cluster('{c}')", tok)
            ref = f"cluster({_q(c)})"
    elif tok.is_word("database"):
        d = _entity_call(p, "database")
        ref = f"database({_q(d)})"
    else:
        p.err(f"an entity reference must be {shape}; found {p.show(tok)}")
    if p.at_punct("."):
        p.err("an entity group lists clusters and databases; a table or function can't follow database(...)")
    return ref


TYPE_ALIASES = {"string": "string", "long": "long", "int64": "long", "int": "int", "int32": "int",
                "real": "real", "double": "real", "bool": "bool", "boolean": "bool", "datetime": "datetime",
                "date": "datetime", "timespan": "timespan", "time": "timespan", "guid": "guid",
                "uniqueid": "guid", "dynamic": "dynamic", "decimal": "decimal"}


def parse_type(p, what):
    tok = p.peek()
    if tok.kind == "name" and not tok.quoted and tok.value in TYPE_ALIASES:
        p.next()
        return TYPE_ALIASES[tok.value]
    p.err(f"expected a column type (string, long, int, real, bool, datetime, timespan, guid, dynamic, decimal) "
          f"for the {what} but found {p.show(tok)}")


def parse_schema(p, what):
    p.expect_punct("(", f" to open the list of {what}s")
    cols = []
    seen = set()
    if p.accept_punct(")"):
        return cols
    while True:
        n = p.name(what)
        if n in seen:
            p.err(f"the {what} '{n}' appears twice")
        seen.add(n)
        p.expect_punct(":", f" after the {what} name '{n}'")
        cols.append((n, parse_type(p, f"{what} '{n}'")))
        if p.accept_punct(","):
            continue
        p.expect_punct(")", f" to close the list of {what}s")
        return cols


def parse_schema_text(text, what="column"):
    """'A:string,B:long' (as /_test/setup gives it) -> [(name, type)]."""
    p = Parser("(" + text + ")")
    cols = parse_schema(p, what)
    p.expect_eof()
    return cols


def parse_with_props(p, allowed, what):
    """with (k = v, ...) -> dict; keys checked against `allowed` (case-sensitive, as Kusto is)."""
    props = {}
    if not p.accept_word("with"):
        return props
    p.expect_punct("(", " after 'with'")
    while True:
        key_tok = p.peek()
        if key_tok.kind != "name":
            p.err(f"expected a property name in with(...) but found {p.show(key_tok)}")
        key = p.next().value
        if key not in allowed:
            p.err(f"unknown property '{key}' for {what} (known: {', '.join(sorted(allowed))})", key_tok)
        p.expect_punct("=", f" after '{key}'")
        vt = p.next()
        if vt.kind == "name" and not vt.quoted and vt.value in ("true", "false"):
            val = vt.value == "true"
        elif vt.kind in ("string", "long", "real", "timespan", "datetime", "guid", "name"):
            val = vt.value
        else:
            p.err(f"expected a value for '{key}' but found {p.show(vt)}", vt)
        props[key] = val
        if p.accept_punct(","):
            continue
        p.expect_punct(")", " to close with(...)")
        return props


def prop_bool(props, key, default=False):
    v = props.get(key, default)
    if isinstance(v, bool):
        return v
    if isinstance(v, str) and v.lower() in ("true", "false"):
        return v.lower() == "true"
    raise KustoError("General_BadRequest", f"the property '{key}' must be true or false, not {v!r}")


# --------------------------------------------------------------------------------------------------
# Evaluation: result tables, expressions, operators
# --------------------------------------------------------------------------------------------------

class RTable:
    """A result table: name, [(column, kql type)], rows of Python values
    (datetime/timespan as ticks, dynamic as JSON values, guid as text)."""

    def __init__(self, name, columns, rows):
        self.name = name
        self.columns = list(columns)
        self.rows = rows


NUMERIC = {"int", "long", "real", "decimal"}


class Env:
    def __init__(self, columns, ectx):
        self.columns = columns
        self.idx = {n: i for i, (n, _) in enumerate(columns)}
        self.types = {n: t for n, t in columns}
        self.ectx = ectx


class EvalCtx:
    def __init__(self, ctx, db):
        self.ctx = ctx
        self.db = db                  # DatabaseM
        self.now = ctx.now
        self.scalars = {}             # name -> (value, type)
        self.tabulars = {}            # name -> Query
        self.depth = 0

    def child(self):
        e = EvalCtx(self.ctx, self.db)
        e.scalars, e.tabulars, e.depth = dict(self.scalars), dict(self.tabulars), self.depth + 1
        if e.depth > 16:
            raise semantic_error("functions nest too deeply (recursion?)", "SEM0001")
        return e


def unsupported(what):
    return KustoError("General_BadRequest", f"kusto_server.py does not evaluate {what} (test-server limitation)")


def to_str(v, t):
    if v is None:
        return ""
    if t == "datetime":
        return format_datetime(v)
    if t == "timespan":
        return format_timespan(v)
    if t == "bool":
        return "true" if v else "false"
    if t == "dynamic":
        return v if isinstance(v, str) else json.dumps(v, separators=(",", ":"))
    if t == "real" and isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def to_real(v, t):
    if v is None:
        return None
    if isinstance(v, bool):
        return 1.0 if v else 0.0
    if isinstance(v, (int, float)):
        return float(v)
    try:
        return float(str(v))
    except ValueError:
        return None


def to_long(v, t):
    r = to_real(v, t)
    return None if r is None or r != r or r in (float("inf"), float("-inf")) else int(r)


def to_bool(v, t):
    if v is None:
        return None
    if isinstance(v, bool):
        return v
    if isinstance(v, (int, float)):
        return v != 0
    s = str(v).strip().lower()
    return True if s == "true" else False if s == "false" else None


def to_dynamic(v, t):
    if v is None:
        return None
    if t == "string":
        try:
            return json.loads(v)
        except ValueError:
            return v
    if t in ("datetime", "timespan"):
        return to_str(v, t)
    return v


def to_datetime(v, t):
    if v is None or t == "datetime":
        return v
    try:
        return parse_datetime_text(str(v))
    except ValueError:
        return None


def to_timespan(v, t):
    if v is None or t == "timespan":
        return v
    try:
        return parse_timespan_text(str(v))
    except ValueError:
        return None


def _bin(args, ectx):
    v, size = args
    if v is None or size in (None, 0):
        return None
    if isinstance(v, float) or isinstance(size, float):
        import math
        return math.floor(v / size) * size
    return (v // size) * size


# name -> (argument count range, result-type(argtypes), impl(args, argtypes, ectx))
SCALAR_FUNCS = {
    "ago": ((1, 1), lambda ts: "datetime", lambda a, ts, e: None if a[0] is None else e.now - a[0]),
    "now": ((0, 1), lambda ts: "datetime", lambda a, ts, e: e.now + ((a[0] or 0) if a else 0)),
    "tostring": ((1, 1), lambda ts: "string", lambda a, ts, e: to_str(a[0], ts[0])),
    "todouble": ((1, 1), lambda ts: "real", lambda a, ts, e: to_real(a[0], ts[0])),
    "toreal": ((1, 1), lambda ts: "real", lambda a, ts, e: to_real(a[0], ts[0])),
    "tolong": ((1, 1), lambda ts: "long", lambda a, ts, e: to_long(a[0], ts[0])),
    "toint": ((1, 1), lambda ts: "int", lambda a, ts, e: to_long(a[0], ts[0])),
    "tobool": ((1, 1), lambda ts: "bool", lambda a, ts, e: to_bool(a[0], ts[0])),
    "toboolean": ((1, 1), lambda ts: "bool", lambda a, ts, e: to_bool(a[0], ts[0])),
    "todynamic": ((1, 1), lambda ts: "dynamic", lambda a, ts, e: to_dynamic(a[0], ts[0])),
    "parse_json": ((1, 1), lambda ts: "dynamic", lambda a, ts, e: to_dynamic(a[0], ts[0])),
    "todatetime": ((1, 1), lambda ts: "datetime", lambda a, ts, e: to_datetime(a[0], ts[0])),
    "totimespan": ((1, 1), lambda ts: "timespan", lambda a, ts, e: to_timespan(a[0], ts[0])),
    "toguid": ((1, 1), lambda ts: "guid",
               lambda a, ts, e: (str(a[0]).lower() if a[0] is not None and GUID_TEXT_RE.match(str(a[0])) else None)),
    "isnull": ((1, 1), lambda ts: "bool", lambda a, ts, e: a[0] is None),
    "isnotnull": ((1, 1), lambda ts: "bool", lambda a, ts, e: a[0] is not None),
    "isempty": ((1, 1), lambda ts: "bool", lambda a, ts, e: a[0] is None or a[0] == ""),
    "isnotempty": ((1, 1), lambda ts: "bool", lambda a, ts, e: not (a[0] is None or a[0] == "")),
    "strlen": ((1, 1), lambda ts: "long", lambda a, ts, e: len(to_str(a[0], ts[0]))),
    "tolower": ((1, 1), lambda ts: "string", lambda a, ts, e: to_str(a[0], ts[0]).lower()),
    "toupper": ((1, 1), lambda ts: "string", lambda a, ts, e: to_str(a[0], ts[0]).upper()),
    "strcat": ((1, 64), lambda ts: "string", lambda a, ts, e: "".join(to_str(x, t) for x, t in zip(a, ts))),
    "bin": ((2, 2), lambda ts: ts[0], lambda a, ts, e: _bin(a, e)),
    "floor": ((2, 2), lambda ts: ts[0], lambda a, ts, e: _bin(a, e)),
    "iff": ((3, 3), lambda ts: ts[1], lambda a, ts, e: a[1] if a[0] is True else a[2]),
    "iif": ((3, 3), lambda ts: ts[1], lambda a, ts, e: a[1] if a[0] is True else a[2]),
    "not": ((1, 1), lambda ts: "bool", lambda a, ts, e: None if a[0] is None else not a[0]),
    "array_length": ((1, 1), lambda ts: "long", lambda a, ts, e: len(a[0]) if isinstance(a[0], list) else None),
}


def check_comparable(ta, tb, op):
    if ta == tb or "dynamic" in (ta, tb) or (ta in NUMERIC and tb in NUMERIC) or {ta, tb} <= {"string", "guid"}:
        return
    raise semantic_error(f"Cannot compare values of types {ta} and {tb} with '{op}'. Try adding explicit casts",
                         "SEM0025")


def infer_type(e, env):
    if isinstance(e, Lit):
        return e.type
    if isinstance(e, Col):
        if e.name in env.types:
            return env.types[e.name]
        if e.name in env.ectx.scalars:
            return env.ectx.scalars[e.name][1]
        raise semantic_error(f"Failed to resolve scalar expression named '{e.name}'")
    if isinstance(e, (Member, Index)):
        infer_type(e.target, env)
        return "dynamic"
    if isinstance(e, Call):
        if e.target is not None:
            raise unsupported(f"the method call .{e.name}()")
        if e.name in AGGREGATES:
            raise semantic_error(f"the aggregation function '{e.name}' is only allowed inside summarize")
        f = SCALAR_FUNCS.get(e.name)
        if not f:
            raise unsupported(f"the function {e.name}()")
        lo, hi = f[0]
        if not lo <= len(e.args) <= hi:
            raise semantic_error(f"function '{e.name}' expects {lo}..{hi} arguments, got {len(e.args)}", "SEM0219")
        return f[1]([infer_type(a, env) for a in e.args])
    if isinstance(e, BinOp):
        if isinstance(e.right, ListExpr):
            infer_type(e.left, env)
            return "bool"
        ta, tb = infer_type(e.left, env), infer_type(e.right, env)
        if e.op in ("and", "or"):
            return "bool"
        if e.op in CMP_PUNCTS:
            check_comparable(ta, tb, e.op)
            return "bool"
        if e.op.lstrip("!") in STRING_OPS or e.op.endswith("matches regex"):
            return "bool"
        if e.op in ("+", "-"):
            if ta == "datetime" and tb == "datetime" and e.op == "-":
                return "timespan"
            if ta == "datetime" and tb == "timespan":
                return "datetime"
            if ta == "timespan" and tb == "datetime" and e.op == "+":
                return "datetime"
            if ta == "timespan" and tb == "timespan":
                return "timespan"
        if ta in NUMERIC and tb in NUMERIC:
            return "real" if "real" in (ta, tb) else "long"
        if ta == "timespan" and tb in NUMERIC and e.op in ("*", "/"):
            return "timespan"
        raise semantic_error(f"operator '{e.op}' does not apply to {ta} and {tb}", "SEM0025")
    if isinstance(e, Unary):
        return infer_type(e.operand, env)
    if isinstance(e, (Between, InList)):
        return "bool"
    if isinstance(e, Star):
        raise semantic_error("'*' is not allowed here")
    raise unsupported("this expression")


def _norm(v, t):
    if t == "string" and v is None:
        return ""
    if t == "guid" and v is not None:
        return str(v).lower()
    return v


def eval_expr(e, row, env):
    if isinstance(e, Lit):
        return e.value
    if isinstance(e, Col):
        i = env.idx.get(e.name)
        if i is not None:
            return row[i]
        return env.ectx.scalars[e.name][0]
    if isinstance(e, Member):
        v = eval_expr(e.target, row, env)
        v = to_dynamic(v, infer_type(e.target, env))
        return v.get(e.name) if isinstance(v, dict) else None
    if isinstance(e, Index):
        v = to_dynamic(eval_expr(e.target, row, env), infer_type(e.target, env))
        k = eval_expr(e.key, row, env)
        if isinstance(v, dict) and isinstance(k, str):
            return v.get(k)
        if isinstance(v, list) and isinstance(k, int) and -len(v) <= k < len(v):
            return v[k]
        return None
    if isinstance(e, Call):
        f = SCALAR_FUNCS[e.name]
        args = [eval_expr(a, row, env) for a in e.args]
        return f[2](args, [infer_type(a, env) for a in e.args], env.ectx)
    if isinstance(e, BinOp):
        op = e.op
        if op == "and":
            a = eval_expr(e.left, row, env)
            return False if a is False else (eval_expr(e.right, row, env) is True and a is True)
        if op == "or":
            return eval_expr(e.left, row, env) is True or eval_expr(e.right, row, env) is True
        if isinstance(e.right, ListExpr):
            sa = to_str(eval_expr(e.left, row, env), infer_type(e.left, env)).lower()
            hits = [re.search(r"(?<![0-9A-Za-z])" + re.escape(to_str(eval_expr(x, row, env), infer_type(x, env)).lower())
                              + r"(?![0-9A-Za-z])", sa) is not None for x in e.right.items]
            return any(hits) if op == "has_any" else all(hits)
        ta, tb = infer_type(e.left, env), infer_type(e.right, env)
        a, b = _norm(eval_expr(e.left, row, env), ta), _norm(eval_expr(e.right, row, env), tb)
        if op in CMP_PUNCTS:
            if a is None or b is None:
                return None
            if op in ("=~", "!~"):
                r = to_str(a, ta).lower() == to_str(b, tb).lower()
                return r if op == "=~" else not r
            if {ta, tb} <= {"string", "guid"} and ta != tb:
                a, b = str(a).lower(), str(b).lower()
            try:
                return {"==": a == b, "!=": a != b, "<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]
            except TypeError:
                return None
        neg = op.startswith("!")
        base = op.lstrip("!")
        if base in STRING_OPS or base == "matches regex":
            sa, sb = to_str(a, ta), to_str(b, tb)
            cs = base.endswith("_cs") or base == "matches regex"
            if not cs:
                sa, sb = sa.lower(), sb.lower()
            base = base.replace("_cs", "")
            if base == "matches regex":
                r = re.search(to_str(b, tb), to_str(a, ta)) is not None
            elif base in ("contains",):
                r = sb in sa
            elif base in ("startswith", "hasprefix"):
                r = sa.startswith(sb)
            elif base in ("endswith", "hassuffix"):
                r = sa.endswith(sb)
            else:  # has: whole term
                r = re.search(r"(?<![0-9A-Za-z])" + re.escape(sb) + r"(?![0-9A-Za-z])", sa) is not None
            return not r if neg else r
        if a is None or b is None:
            return None
        if op == "+":
            return a + b
        if op == "-":
            return a - b
        if op == "*":
            return a * b
        if op == "/":
            if b == 0:
                return None
            return a / b if isinstance(a, float) or isinstance(b, float) else int(a / b)
        if op == "%":
            return a % b if b else None
    if isinstance(e, Unary):
        v = eval_expr(e.operand, row, env)
        return None if v is None else -v
    if isinstance(e, Between):
        v, lo, hi = (eval_expr(x, row, env) for x in (e.operand, e.lo, e.hi))
        if v is None or lo is None or hi is None:
            return None
        r = lo <= v <= hi
        return not r if e.negate else r
    if isinstance(e, InList):
        t = infer_type(e.operand, env)
        v = _norm(eval_expr(e.operand, row, env), t)
        items = [_norm(eval_expr(x, row, env), infer_type(x, env)) for x in e.items]
        if e.nocase:
            v = to_str(v, t).lower()
            items = [to_str(x, "string").lower() for x in items]
        r = v in items
        return not r if e.negate else r
    raise unsupported("this expression")


def auto_name(e, i):
    if isinstance(e, Col):
        return e.name
    if isinstance(e, Call) and e.name == "bin" and e.args and isinstance(e.args[0], Col):
        return e.args[0].name
    if isinstance(e, Member):
        base = auto_name(e.target, i)
        return f"{base}_{e.name}"
    if isinstance(e, Call) and len(e.args) == 1 and isinstance(e.args[0], (Col, Member, Call)):
        return auto_name(e.args[0], i)
    return f"Column{i + 1}"


def _hashable(v):
    return json.dumps(v, sort_keys=True) if isinstance(v, (dict, list)) else v


def _sort_rows(rows, keys, env):
    # stable multi-key sort, applied from the last key to the first
    for e, desc, nulls_first in reversed(keys):
        t = infer_type(e, env)
        vals = [(eval_expr(e, r, env), r) for r in rows]
        present = [x for x in vals if x[0] is not None]
        absent = [x for x in vals if x[0] is None]
        try:
            present.sort(key=lambda x: _hashable(x[0]), reverse=desc)
        except TypeError:
            present.sort(key=lambda x: to_str(x[0], t), reverse=desc)
        vals = absent + present if nulls_first else present + absent
        rows = [r for _, r in vals]
    return rows


AGG_PREFIX = {"max": "max_", "min": "min_", "sum": "sum_", "avg": "avg_", "dcount": "dcount_", "any": "any_",
              "take_any": "any_", "make_list": "list_", "make_set": "set_"}


def summarize(tbl, op, ectx):
    env = Env(tbl.columns, ectx)
    keys = [(nm or auto_name(e, i), e) for i, (nm, e) in enumerate(op.keys)]
    key_names = [k for k, _ in keys]
    out_cols = [(k, infer_type(e, env)) for k, e in keys]
    plans = []  # (kind, data) producing values from a group's rows
    for i, (nm, call) in enumerate(op.aggs):
        f, args = call.name, call.args
        if f in ("arg_max", "arg_min"):
            if not args:
                raise semantic_error(f"{f}() needs at least one argument", "SEM0219")
            by_e = args[0]
            first = nm or (by_e.name if isinstance(by_e, Col) else f"{f[4:]}_{auto_name(by_e, i)}")
            cols = [(first, infer_type(by_e, env), ("expr", by_e))]
            taken = set(key_names) | {first}
            for a in args[1:]:
                if isinstance(a, Star):
                    for cn, ct in tbl.columns:
                        if cn not in taken:
                            cols.append((cn, ct, ("col", cn)))
                            taken.add(cn)
                else:
                    cn = auto_name(a, i)
                    if cn not in taken:
                        cols.append((cn, infer_type(a, env), ("expr", a)))
                        taken.add(cn)
            plans.append(("arg", f, by_e, cols))
            out_cols += [(c[0], c[1]) for c in cols]
            continue
        if f in ("count",):
            if args:
                raise semantic_error("count() takes no arguments inside summarize", "SEM0219")
            plans.append(("count", None))
            out_cols.append((nm or "count_", "long"))
            continue
        if f == "countif":
            plans.append(("countif", args[0]))
            out_cols.append((nm or "countif_", "long"))
            continue
        if f in ("max", "min", "sum", "avg", "dcount", "any", "take_any", "make_list", "make_set"):
            if len(args) != 1 or isinstance(args[0], Star):
                if f in ("any", "take_any") and args:
                    pass
                else:
                    raise semantic_error(f"{f}() expects one argument", "SEM0219")
            a = args[0]
            t = infer_type(a, env)
            rt = {"sum": "real" if t == "real" else "long" if t in NUMERIC else t, "avg": "real", "dcount": "long",
                  "make_list": "dynamic", "make_set": "dynamic"}.get(f, t)
            plans.append(("simple", f, a))
            out_cols.append((nm or AGG_PREFIX[f] + auto_name(a, i), rt))
            continue
        raise unsupported(f"the aggregation {f}()")
    groups = {}
    order = []
    for r in tbl.rows:
        k = tuple(_hashable(eval_expr(e, r, env)) for _, e in keys)
        if k not in groups:
            groups[k] = (tuple(eval_expr(e, r, env) for _, e in keys), [])
            order.append(k)
        groups[k][1].append(r)
    if not keys and not order:
        groups[()] = ((), [])
        order.append(())
    out_rows = []
    for k in order:
        kvals, rows = groups[k]
        out = list(kvals)
        for plan in plans:
            kind = plan[0]
            if kind == "count":
                out.append(len(rows))
            elif kind == "countif":
                out.append(sum(1 for r in rows if eval_expr(plan[1], r, env) is True))
            elif kind == "arg":
                _, f, by_e, cols = plan
                best, best_v = None, None
                for r in rows:
                    v = eval_expr(by_e, r, env)
                    if v is None:
                        continue
                    if best is None or (v > best_v if f == "arg_max" else v < best_v):
                        best, best_v = r, v
                for cn, ct, src in cols:
                    if best is None:
                        out.append(None)
                    elif src[0] == "col":
                        out.append(best[env.idx[src[1]]])
                    else:
                        out.append(eval_expr(src[1], best, env))
            else:
                _, f, a = plan
                vals = [eval_expr(a, r, env) for r in rows]
                nn = [v for v in vals if v is not None]
                if f == "max":
                    out.append(max(nn, key=_hashable) if nn else None)
                elif f == "min":
                    out.append(min(nn, key=_hashable) if nn else None)
                elif f == "sum":
                    out.append(sum(nn) if nn else (0 if not rows else None))
                elif f == "avg":
                    out.append(sum(nn) / len(nn) if nn else None)
                elif f == "dcount":
                    out.append(len({_hashable(v) for v in nn}))
                elif f in ("any", "take_any"):
                    out.append(nn[0] if nn else None)
                elif f == "make_list":
                    out.append(list(nn))  # [] over an empty input, as documented
                else:
                    seen, s = set(), []
                    for v in nn:
                        if _hashable(v) not in seen:
                            seen.add(_hashable(v))
                            s.append(v)
                    out.append(s)
        out_rows.append(out)
    names = [c for c, _ in out_cols]
    dup = {n for n in names if names.count(n) > 1}
    if dup:
        raise semantic_error(f"summarize produces the column '{sorted(dup)[0]}' twice", "SEM0100")
    return RTable(tbl.name, out_cols, out_rows)


def project(tbl, items, ectx, extend=False):
    env = Env(tbl.columns, ectx)
    cols = list(tbl.columns) if extend else []
    exprs = [("col", i) for i in range(len(tbl.columns))] if extend else []
    for i, (nm, e) in enumerate(items):
        if isinstance(e, Star):
            raise semantic_error("'*' is not allowed in project/extend")
        name = nm or auto_name(e, i)
        t = infer_type(e, env)
        names = [c for c, _ in cols]
        if name in names:
            if not extend:
                raise semantic_error(f"project produces the column '{name}' twice", "SEM0100")
            j = names.index(name)
            cols[j] = (name, t)
            exprs[j] = ("expr", e)
        else:
            cols.append((name, t))
            exprs.append(("expr", e))
    rows = [[r[x] if kind == "col" else eval_expr(x, r, env) for kind, x in exprs] for r in tbl.rows]
    return RTable(tbl.name, cols, rows)


def apply_ops(tbl, ops, ectx):
    for op in ops:
        k = op.kind
        env = Env(tbl.columns, ectx)
        if k == "where":
            t = infer_type(op.expr, env)
            if t != "bool" and t != "dynamic":
                raise semantic_error(f"the where predicate must be a bool, not {t}", "SEM0027")
            tbl = RTable(tbl.name, tbl.columns, [r for r in tbl.rows if eval_expr(op.expr, r, env) is True])
        elif k in ("project", "project-reorder"):
            tbl = project(tbl, op.items, ectx)
        elif k == "extend":
            tbl = project(tbl, op.items, ectx, extend=True)
        elif k == "summarize":
            tbl = summarize(tbl, op, ectx)
        elif k == "count":
            tbl = RTable(tbl.name, [("Count", "long")], [[len(tbl.rows)]])
        elif k in ("take", "top"):
            if infer_type(op.n, env) not in ("long", "int"):
                raise semantic_error(f"{k} expects an integer count", "SEM0219")
            n = eval_expr(op.n, [], env) or 0
            rows = tbl.rows if k == "take" else _sort_rows(tbl.rows, op.keys, env)
            tbl = RTable(tbl.name, tbl.columns, rows[:max(n, 0)])
        elif k == "sort":
            tbl = RTable(tbl.name, tbl.columns, _sort_rows(tbl.rows, op.keys, env))
        elif k == "distinct":
            if op.items is not None:
                tbl = project(tbl, op.items, ectx)
            seen, rows = set(), []
            for r in tbl.rows:
                h = tuple(_hashable(v) for v in r)
                if h not in seen:
                    seen.add(h)
                    rows.append(r)
            tbl = RTable(tbl.name, tbl.columns, rows)
        elif k in ("project-away", "project-keep"):
            for n in op.names:
                if n not in env.idx:
                    raise semantic_error(f"{k}: there is no column named '{n}'")
            keep = [i for i, (n, _) in enumerate(tbl.columns) if (n in op.names) == (k == "project-keep")]
            tbl = RTable(tbl.name, [tbl.columns[i] for i in keep], [[r[i] for i in keep] for r in tbl.rows])
        elif k == "project-rename":
            cols = list(tbl.columns)
            for new, old in op.pairs:
                if old not in env.idx:
                    raise semantic_error(f"project-rename: there is no column named '{old}'")
                cols[env.idx[old]] = (new, cols[env.idx[old]][1])
            tbl = RTable(tbl.name, cols, tbl.rows)
        else:
            raise unsupported(f"the '{op.name}' operator")
    return tbl


def lit_value(v, typ, what):
    """Converts a JSON-ish value into the stored Python value of a column type (raises ValueError)."""
    if v is None:
        return None
    if typ == "string":
        if not isinstance(v, str):
            raise ValueError(f"{what}: expected a string, got {v!r}")
        return v
    if typ in ("long", "int"):
        if isinstance(v, bool) or not isinstance(v, int):
            raise ValueError(f"{what}: expected an integer, got {v!r}")
        lim = 2 ** 63 if typ == "long" else 2 ** 31
        if not -lim <= v < lim:
            raise ValueError(f"{what}: {v} is out of range for {typ}")
        return v
    if typ == "real":
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            if v in ("NaN", "Infinity", "-Infinity"):
                return float(v.replace("Infinity", "inf"))
            raise ValueError(f"{what}: expected a number, got {v!r}")
        return float(v)
    if typ == "bool":
        if not isinstance(v, bool):
            raise ValueError(f"{what}: expected true or false, got {v!r}")
        return v
    if typ == "datetime":
        return v if isinstance(v, int) and not isinstance(v, bool) else parse_datetime_text(str(v))
    if typ == "timespan":
        return v if isinstance(v, int) and not isinstance(v, bool) else parse_timespan_text(str(v))
    if typ == "guid":
        if not isinstance(v, str) or not GUID_TEXT_RE.match(v):
            raise ValueError(f"{what}: {v!r} is not a guid")
        return v.lower()
    if typ == "decimal":
        return str(v)
    return v  # dynamic


def eval_query(q, ectx):
    """Evaluates a parsed Query (v2 queries, function bodies) -> RTable."""
    ectx = ectx.child()
    for name, kind, val in q.lets:
        if kind == "query":
            if not val.ops and val.source.kind == "expr" and not _is_tabular_expr(val.source.expr, ectx):
                env = Env([], ectx)
                t = infer_type(val.source.expr, env)
                ectx.scalars[name] = (eval_expr(val.source.expr, [], env), t)
            else:
                ectx.tabulars[name] = val
        elif kind == "entity_group":
            ectx.tabulars[name] = ("entity_group", val)
        else:
            ectx.tabulars[name] = ("function", val)
    tbl = eval_source(q.source, ectx)
    return apply_ops(tbl, q.ops, ectx)


def _is_tabular_expr(e, ectx):
    if isinstance(e, Col):
        return e.name in ectx.tabulars or e.name in ectx.db.tables or e.name in ectx.db.functions
    if isinstance(e, Call) and e.target is None:
        return e.name in ectx.db.functions or e.name in ectx.tabulars
    return isinstance(e, (Member, Call))


def eval_source(src, ectx):
    k = src.kind
    if k == "sub":
        return eval_query(src.query, ectx)
    if k == "macro":
        raise unsupported("macro-expand (cross-cluster queries)")
    if k == "raw":
        raise unsupported(f"'{src.text.split()[0]}'")
    if k == "print":
        env = Env([], ectx)
        cols = [(nm or f"print_{i}", infer_type(e, env)) for i, (nm, e) in enumerate(src.items)]
        return RTable("PrimaryResult", cols, [[eval_expr(e, [], env) for _, e in src.items]])
    if k == "datatable":
        env = Env([], ectx)
        rows, n = [], len(src.columns)
        for i in range(0, len(src.values), n):
            row = []
            for (cn, ct), e in zip(src.columns, src.values[i:i + n]):
                try:
                    row.append(lit_value(eval_expr(e, [], env), ct, f"datatable column {cn}"))
                except ValueError as ex:
                    raise semantic_error(str(ex), "SEM0025")
            rows.append(row)
        return RTable("PrimaryResult", src.columns, rows)
    e = src.expr
    db = ectx.db
    if isinstance(e, Col) or (isinstance(e, Call) and e.target is None):
        name = e.name
        args = e.args if isinstance(e, Call) else None
        if name in ectx.tabulars and args is None:
            val = ectx.tabulars[name]
            if isinstance(val, tuple):
                raise semantic_error(f"'{name}' is not a tabular expression here")
            sub = Query()
            sub.source, sub.ops = val.source, val.ops
            return eval_query(sub, ectx)
        if name in db.tables and args is None:
            t = db.tables[name]
            return RTable("PrimaryResult", t.columns, [list(r) for r in t.rows])
        if name in db.functions:
            fn = db.functions[name]
            nargs = len(args or [])
            if args is None and fn.params and not fn.view:
                raise semantic_error(f"function '{name}' expects {len(fn.params)} arguments", "SEM0219")
            if nargs != len(fn.params):
                raise semantic_error(f"function '{name}' expects {len(fn.params)} arguments, got {nargs}", "SEM0219")
            sub_ectx = ectx.child()
            env = Env([], ectx)
            for (pn, pt, _), a in zip(fn.params, args or []):
                if pt.startswith("("):
                    raise unsupported("tabular function parameters")
                sub_ectx.scalars[pn] = (eval_expr(a, [], env), pt)
            return eval_query(fn.query, sub_ectx)
        raise semantic_error(f"Failed to resolve table or column expression named '{name}'")
    raise unsupported("cross-database and cross-cluster references")


# --------------------------------------------------------------------------------------------------
# In-memory cluster model
# --------------------------------------------------------------------------------------------------

CLR_TYPES = {"string": "System.String", "long": "System.Int64", "int": "System.Int32", "real": "System.Double",
             "bool": "System.SByte", "datetime": "System.DateTime", "timespan": "System.TimeSpan",
             "guid": "System.Guid", "dynamic": "System.Object", "decimal": "System.Data.SqlTypes.SqlDecimal"}
OPERATION_STATES = {"InProgress", "Completed", "Failed", "PartiallySucceeded", "Abandoned", "BadInput",
                    "Scheduled", "Throttled", "Canceled", "Skipped"}


class TableM:
    def __init__(self, name, columns, folder="", docstring=""):
        self.name, self.columns, self.folder, self.docstring = name, list(columns), folder, docstring
        self.rows = []

    def schema_text(self):
        return ",".join(f"{n}:{t}" for n, t in self.columns)

    def schema_json(self, db):
        return json.dumps({"Name": self.name, "OrderedColumns": [
            {"Name": n, "Type": CLR_TYPES[t], "CslType": t} for n, t in self.columns]}, separators=(",", ":"))


class FunctionM:
    def __init__(self, name, params, body, query, folder="", docstring="", view=False, output_columns=None):
        self.name, self.params, self.body, self.query = name, params, body, query
        self.folder, self.docstring, self.view = folder, docstring, view
        self.output_columns = output_columns

    @property
    def parameters(self):
        return "(" + ", ".join(f"{n}:{t}" + (f"={d}" if d else "") for n, t, d in self.params) + ")"

    def row(self):
        return [self.name, self.parameters, self.body, self.folder, self.docstring]


FUNCTION_COLUMNS = [("Name", "string"), ("Parameters", "string"), ("Body", "string"), ("Folder", "string"),
                    ("DocString", "string")]


class DatabaseM:
    def __init__(self, name):
        self.name = name
        self.id = str(uuid.uuid4())
        self.tables = {}
        self.functions = {}
        self.entity_groups = {}
        self.retention = None        # soft-delete period in ticks
        self.recoverability = "Enabled"


class Operation:
    def __init__(self, op_id, db, table, start, end, start_text, end_text, body, command, submitted, activity_id):
        self.id, self.db, self.table = op_id, db, table
        self.start, self.end, self.start_text, self.end_text = start, end, start_text, end_text
        self.body, self.command, self.submitted, self.activity_id = body, command, submitted, activity_id
        self.script = None
        self.step = 0
        self.lookups = 0
        self.missing = False
        self.history = [{"State": "InProgress", "Status": "", "ShouldRetry": False, "LastUpdatedOn": submitted}]
        self.last_ts = submitted
        self.answered = None

    def state_json(self):
        cur = self.answered
        return {"state": cur["State"] if cur else None, "status": cur["Status"] if cur else None,
                "command": self.command, "db": self.db, "table": self.table,
                "start": format_datetime(self.start), "end": format_datetime(self.end),
                "start_text": self.start_text, "end_text": self.end_text, "body": self.body,
                "submitted_at": format_datetime(self.submitted), "lookups": self.lookups}


class Cluster:
    def __init__(self):
        self.reset()

    def reset(self):
        self.databases = {}
        self.operations = {}
        self.op_scripts = {}
        self.default_script = None
        self.pinned = None

    def now(self):
        return self.pinned if self.pinned is not None else real_now_ticks()

    def advance_operation(self, op, now):
        """One lookup of an operation: the next step of its script. Returns the record or None (missing)."""
        if op.script is None:
            op.script = [dict(s) for s in (self.op_scripts.get(op.id) or self.default_script or [{"State": "Completed"}])]
            op.step = 0
        step = op.script[min(op.step, len(op.script) - 1)]
        op.step += 1
        op.lookups += 1
        if step.get("Missing"):
            op.missing = True
            return None
        op.missing = False
        op.last_ts = max(now, op.last_ts + 1)
        state = step["State"]
        status = step.get("Status")
        if status is None:
            status = "Operation failed (scripted by /_test/operations)" if state == "Failed" else ""
        rec = {"State": state, "Status": status, "ShouldRetry": bool(step.get("ShouldRetry", False)),
               "LastUpdatedOn": op.last_ts}
        op.history.append(rec)
        op.answered = rec
        return rec


OPERATION_COLUMNS = [("OperationId", "guid"), ("Operation", "string"), ("NodeId", "string"),
                     ("StartedOn", "datetime"), ("LastUpdatedOn", "datetime"), ("Duration", "timespan"),
                     ("State", "string"), ("Status", "string"), ("RootActivityId", "guid"),
                     ("ShouldRetry", "bool"), ("Database", "string")]


def operation_row(op, rec):
    return [op.id, "TableSetOrAppend", "", op.submitted, rec["LastUpdatedOn"], rec["LastUpdatedOn"] - op.submitted,
            rec["State"], rec["Status"], op.activity_id, rec["ShouldRetry"], op.db]


class ExecCtx:
    """What one request's command sees: the cluster, the database in context, the clock, ids."""

    def __init__(self, state, db_name, csl, activity_id, client_request_id):
        self.state = state
        self.cluster = state.cluster
        self.db_name = db_name
        self.csl = csl
        self.activity_id = activity_id
        self.client_request_id = client_request_id
        self.now = self.cluster.now()

    def db(self, name=None):
        n = self.db_name if name is None else name
        if not n:
            raise KustoError("General_BadRequest", "The request names no database (db), and this command needs one.")
        d = self.cluster.databases.get(n)
        if d is None:
            raise KustoError("BadRequest_DatabaseNotExist", f"Database '{n}' was not found.")
        return d


# --------------------------------------------------------------------------------------------------
# Management commands: parse (syntax only) -> Cmd; Cmd.run(ctx) checks names and applies
# --------------------------------------------------------------------------------------------------

class Cmd:
    def __init__(self, ctype, fn, readonly=False, pipeline=None):
        self.ctype, self.fn, self.readonly, self.pipeline = ctype, fn, readonly, pipeline or []

    def run(self, ctx):
        tbl = self.fn(ctx)
        if self.pipeline:
            db = ctx.cluster.databases.get(ctx.db_name) or DatabaseM("")
            tbl = apply_ops(tbl, self.pipeline, EvalCtx(ctx, db))
        tbl.name = "Table_0"
        return tbl


def parse_pipeline(p):
    ops = []
    while p.accept_punct("|"):
        ops.append(parse_operator(p))
    p.expect_eof()
    return ops


def parse_command(text):
    p = Parser(text)
    dot = p.peek()
    if not dot.is_punct("."):
        p.err("a management command starts with '.'; queries go to /v2/rest/query")
    p.next()
    vt = p.peek()
    if vt.kind != "name" or vt.quoted or vt.start != dot.end:
        p.err("expected a command name right after '.'")
    p.next()
    handler = COMMANDS.get(vt.value)
    if handler is None:
        p.err(f"unknown command '.{vt.value}'", vt)
    return handler(p, vt)


def unknown_sub(p, verb, tok=None):
    tok = tok or p.peek()
    what = tok.value if tok.kind in ("name", "punct") else tok.kind
    p.err(f"unknown command '.{verb} {what}'", tok)


def cmd_show(p, vt):
    tok = p.peek()
    what = tok.value if tok.is_word() else None
    if what is None:
        unknown_sub(p, "show")
    p.next()
    if what == "version":
        def fn(ctx):
            return RTable("", [("BuildVersion", "string"), ("BuildTime", "datetime"), ("ServiceType", "string"),
                               ("ProductVersion", "string")],
                          [["1.0.0.0", parse_datetime_text("2025-01-01T00:00:00Z"), "Engine", "kusto_server.py"]])
        return Cmd("VersionShow", fn, True, parse_pipeline(p))
    if what == "databases":
        def fn(ctx):
            cols = [("DatabaseName", "string"), ("PersistentStorage", "string"), ("Version", "string"),
                    ("IsCurrent", "bool"), ("DatabaseAccessMode", "string"), ("PrettyName", "string"),
                    ("DatabaseId", "guid"), ("InTransitionTo", "string"), ("SuspensionState", "string")]
            rows = [[d.name, "", "v1.1", d.name == ctx.db_name, "ReadWrite", "", d.id, "", ""]
                    for d in ctx.cluster.databases.values()]
            return RTable("", cols, rows)
        return Cmd("DatabasesShow", fn, True, parse_pipeline(p))
    if what == "database":
        name = None if p.at_word("schema") else p.name("database")
        if p.accept_word("schema"):
            def fn(ctx):
                d = ctx.db(name)
                cols = [("DatabaseName", "string"), ("TableName", "string"), ("ColumnName", "string"),
                        ("ColumnType", "string"), ("IsDefaultTable", "bool"), ("IsDefaultColumn", "bool"),
                        ("PrettyName", "string"), ("Version", "string"), ("Folder", "string"), ("DocString", "string")]
                rows = [[d.name, "", "", "", False, False, "", "v1.1", "", ""]]
                for t in d.tables.values():
                    rows.append([d.name, t.name, "", "", False, False, "", "", t.folder, t.docstring])
                    rows += [[d.name, t.name, cn, CLR_TYPES[ct], False, False, "", "", "", ""] for cn, ct in t.columns]
                return RTable("", cols, rows)
            return Cmd("DatabaseSchemaShow", fn, True, parse_pipeline(p))
        if p.accept_word("policy"):
            p.expect_word("retention", " after '.show database <db> policy'")
            if name is None:
                p.err("'.show database policy retention' needs the database name")
            return Cmd("DatabasePolicyRetentionShow", lambda ctx: retention_result(ctx.db(name)), True, parse_pipeline(p))
        unknown_sub(p, f"show database {name}")
    if what == "tables":
        only = None
        if p.accept_punct("("):
            only = [p.name("table")]
            while p.accept_punct(","):
                only.append(p.name("table"))
            p.expect_punct(")", " to close the list of tables")

        def fn(ctx):
            d = ctx.db()
            if only:
                for n in only:
                    if n not in d.tables:
                        raise not_found("Table", n, "BadRequest_TableNotExist")
            rows = [[t.name, d.name, t.folder, t.docstring] for t in d.tables.values() if not only or t.name in only]
            return RTable("", [("TableName", "string"), ("DatabaseName", "string"), ("Folder", "string"),
                               ("DocString", "string")], rows)
        return Cmd("TablesShow", fn, True, parse_pipeline(p))
    if what == "functions":
        return Cmd("FunctionsShow", lambda ctx: RTable("", FUNCTION_COLUMNS,
                                                       [f.row() for f in ctx.db().functions.values()]),
                   True, parse_pipeline(p))
    if what == "function":
        name = p.name("function")
        if p.accept_word("schema"):
            p.expect_word("as", " after 'schema'")
            p.expect_word("json", " after 'schema as'")

            def fn(ctx):
                d = ctx.db()
                f = d.functions.get(name)
                if f is None:
                    raise not_found("Function", name)
                return RTable("", [("Schema", "string")], [[function_schema_json(f, ctx, d)]])
            return Cmd("FunctionSchemaShow", fn, True, parse_pipeline(p))

        def fn1(ctx):
            f = ctx.db().functions.get(name)
            if f is None:
                raise not_found("Function", name)
            return RTable("", FUNCTION_COLUMNS, [f.row()])
        return Cmd("FunctionShow", fn1, True, parse_pipeline(p))
    if what == "entity_groups":
        return Cmd("EntityGroupsShow", lambda ctx: entity_groups_result(ctx.db()), True, parse_pipeline(p))
    if what == "entity_group":
        name = p.name("entity group")

        def fn(ctx):
            d = ctx.db()
            if name not in d.entity_groups:
                raise not_found("Entity group", name)
            return entity_groups_result(d, [name])
        return Cmd("EntityGroupShow", fn, True, parse_pipeline(p))
    if what == "operations":
        return parse_show_operations(p)
    unknown_sub(p, "show", tok)


def entity_groups_result(d, only=None):
    rows = [[n, json.dumps(refs, separators=(",", ":"))] for n, refs in d.entity_groups.items()
            if only is None or n in only]
    return RTable("", [("Name", "string"), ("Entities", "string")], rows)


def retention_result(d):
    policy = "null"
    if d.retention is not None:
        policy = json.dumps({"SoftDeletePeriod": format_timespan(d.retention), "Recoverability": d.recoverability},
                            separators=(",", ":"))
    return RTable("", [("PolicyName", "string"), ("EntityName", "string"), ("Policy", "string"),
                       ("ChildEntities", "string"), ("EntityType", "string")],
                  [["RetentionPolicy", f"[{d.name}]", policy, json.dumps(list(d.tables)), "Database"]])


def function_schema_json(f, ctx, d):
    cols = f.output_columns
    if cols is None:
        try:
            if f.params:
                raise KustoError("General_BadRequest", "parameters")
            cols = eval_query(f.query, EvalCtx(ctx, d)).columns
        except KustoError:
            cols = []
    return json.dumps({
        "Name": f.name,
        "InputParameters": [{"Name": n, "Type": CLR_TYPES.get(t, "System.Object"), "CslType": t}
                            for n, t, _ in f.params],
        "Body": f.body, "Folder": f.folder, "DocString": f.docstring,
        "FunctionKind": "ViewFunction" if f.view else "UnknownFunction",
        "OutputColumns": [{"Name": n, "Type": CLR_TYPES[t], "CslType": t} for n, t in cols]},
        separators=(",", ":"))


def parse_show_operations(p):
    ids = None
    tok = p.peek()

    def one_id():
        t = p.next()
        if t.kind == "guid":
            return t.value
        if t.kind == "string" and GUID_TEXT_RE.match(t.value):
            return t.value.lower()
        p.err(f"an operation id must be a guid but found {p.show(t)}", t)
    if tok.kind in ("guid", "string"):
        ids = [one_id()]
    elif tok.is_punct("("):
        p.next()
        ids = [one_id()]
        while p.accept_punct(","):
            ids.append(one_id())
        p.expect_punct(")", " to close the list of operation ids")
    elif tok.kind not in ("eof",) and not tok.is_punct("|"):
        p.err(f"an operation id must be a guid but found {p.show(tok)}")
    pipeline = parse_pipeline(p)
    lookup_id = None
    if ids is None and pipeline and pipeline[0].kind == "where":
        e = pipeline[0].expr
        if isinstance(e, BinOp) and e.op == "==":
            for a, b in ((e.left, e.right), (e.right, e.left)):
                if isinstance(a, Col) and a.name == "OperationId" and isinstance(b, Lit) and b.type in ("string", "guid"):
                    lookup_id = str(b.value).lower()

    def fn(ctx):
        cl = ctx.cluster
        rows = []
        if ids is not None:
            for i in ids:
                op = cl.operations.get(i)
                if op:
                    rec = cl.advance_operation(op, ctx.now)
                    if rec:
                        rows.append(operation_row(op, rec))
            return RTable("", OPERATION_COLUMNS, rows)
        if lookup_id and lookup_id in cl.operations:
            cl.advance_operation(cl.operations[lookup_id], ctx.now)
        for op in cl.operations.values():
            if op.missing:
                continue
            rows += [operation_row(op, rec) for rec in op.history]
        return RTable("", OPERATION_COLUMNS, rows)
    return Cmd("OperationsShow", fn, True, pipeline)


def cmd_create(p, vt, mode="create"):
    tok = p.peek()
    if tok.is_word("table"):
        if mode not in ("create", "create-merge"):
            unknown_sub(p, mode, tok)
        return parse_create_table(p, merge=(mode == "create-merge"))
    if tok.is_word("entity_group"):
        if mode == "create-or-alter":
            p.err("'.create-or-alter entity_group' is not a documented Azure Data Explorer command; use "
                  "'.drop entity_group' and '.create entity_group', or '.alter entity_group'", tok)
        if mode not in ("create", "alter", "alter-merge"):
            unknown_sub(p, mode, tok)
        return parse_entity_group_cmd(p, mode)
    if tok.is_word("function"):
        if mode not in ("create", "alter", "create-or-alter"):
            unknown_sub(p, mode, tok)
        return parse_function_cmd(p, mode)
    if tok.is_word("database") and mode == "alter-merge":
        return parse_alter_merge_retention(p)
    unknown_sub(p, mode, tok)


def parse_create_table(p, merge):
    p.next()
    name = p.name("table")
    cols = parse_schema(p, "column")
    props = parse_with_props(p, {"docstring", "folder"}, ".create table")
    p.expect_eof()

    def fn(ctx):
        d = ctx.db()
        t = d.tables.get(name)
        if t is None:
            t = d.tables[name] = TableM(name, cols, str(props.get("folder", "")), str(props.get("docstring", "")))
        elif merge:
            have = dict(t.columns)
            for cn, ct in cols:
                if cn in have and have[cn] != ct:
                    raise KustoError("General_BadRequest",
                                     f".create-merge table: column '{cn}' of table '{name}' has type {have[cn]}, "
                                     f"not {ct}; a column's type can't change")
            for cn, ct in cols:
                if cn not in have:
                    t.columns.append((cn, ct))
                    for r in t.rows:
                        r.append(None)
        return RTable("", [("TableName", "string"), ("Schema", "string"), ("DatabaseName", "string"),
                           ("Folder", "string"), ("DocString", "string")],
                      [[t.name, t.schema_json(d), d.name, t.folder, t.docstring]])
    return Cmd("TableCreateMerge" if merge else "TableCreate", fn)


def parse_entity_group_cmd(p, mode):
    p.next()
    name = p.name("entity group")
    ifnotexists = mode == "create" and bool(p.accept_word("ifnotexists"))
    refs = parse_entity_refs(p, "(", ")", allow_cluster_only=(mode == "create"))
    p.expect_eof()

    def fn(ctx):
        d = ctx.db()
        exists = name in d.entity_groups
        if mode == "create":
            if exists and not ifnotexists:
                raise KustoError("BadRequest_EntityAlreadyExists", f"Entity group '{name}' already exists.")
            if not exists:
                d.entity_groups[name] = list(refs)
        else:
            if not exists:
                raise not_found("Entity group", name)
            if mode == "alter":
                d.entity_groups[name] = list(refs)
            else:
                d.entity_groups[name] += [r for r in refs if r not in d.entity_groups[name]]
        return entity_groups_result(d, [name])
    ctype = {"create": "EntityGroupCreate", "alter": "EntityGroupAlter", "alter-merge": "EntityGroupAlterMerge"}[mode]
    return Cmd(ctype, fn)


def parse_params(p):
    p.expect_punct("(", " after the function name")
    params = []
    if p.accept_punct(")"):
        return params
    while True:
        pn = p.name("parameter")
        p.expect_punct(":", f" after the parameter name '{pn}'")
        if p.at_punct("("):
            start = p.peek().start
            p.next()
            p.skip_balanced_until(set())
            p.expect_punct(")", " to close the tabular parameter schema")
            pt, ptext = "tabular", p.text[start:p.last_end]
        else:
            pt = parse_type(p, f"parameter '{pn}'")
            ptext = pt
        default = None
        if p.accept_punct("="):
            start = p.peek().start
            parse_unary(p)
            default = p.text[start:p.last_end]
        params.append((pn, ptext if pt == "tabular" else pt, default))
        if p.accept_punct(","):
            continue
        p.expect_punct(")", " to close the parameter list")
        return params


def parse_function_cmd(p, mode):
    p.next()
    ifnotexists = mode == "create" and bool(p.accept_word("ifnotexists"))
    props = parse_with_props(p, {"docstring", "folder", "view", "skipvalidation"}, "a function")
    name = p.name("function")
    params = parse_params(p)
    lb = p.peek()
    if not lb.is_punct("{"):
        p.err(f"the body of function '{name}' must be enclosed in {{ ... }}")
    p.next()
    query = parse_query(p, closer="}")
    rb = p.expect_punct("}")
    p.expect_eof(" after the function body")
    body = p.text[lb.start:rb.end]
    view = prop_bool(props, "view")
    skip = prop_bool(props, "skipvalidation")

    def fn(ctx):
        d = ctx.db()
        exists = name in d.functions
        if mode == "create" and exists:
            if ifnotexists:
                return RTable("", FUNCTION_COLUMNS, [d.functions[name].row()])
            raise KustoError("BadRequest_EntityAlreadyExists", f"Function '{name}' already exists.")
        if mode == "alter" and not exists:
            raise not_found("Function", name)
        if not skip:
            validate_query_names(query, d, {n for n, _, _ in params})
        f = FunctionM(name, params, body, query, str(props.get("folder", "")), str(props.get("docstring", "")), view)
        d.functions[name] = f
        return RTable("", FUNCTION_COLUMNS, [f.row()])
    ctype = {"create": "FunctionCreate", "alter": "FunctionAlter", "create-or-alter": "FunctionCreateOrAlter"}[mode]
    return Cmd(ctype, fn)


def validate_query_names(q, d, names):
    """The semantic checks Kusto makes when a function is stored: stored entity groups and local tables,
    views and functions named by the query must exist (skipvalidation=true skips this)."""
    names = set(names) | {n for n, _, _ in q.lets}
    for _, kind, val in q.lets:
        if kind == "query":
            validate_source(val.source, d, names)
    validate_source(q.source, d, names)


def validate_source(src, d, names):
    if src.kind == "macro":
        kind, g = src.group
        if kind == "name" and g not in names and g not in d.entity_groups:
            raise semantic_error(f"macro-expand: the entity group '{g}' was not found in database '{d.name}'")
    elif src.kind == "sub":
        validate_query_names(src.query, d, names)
    elif src.kind == "expr":
        e = src.expr
        if isinstance(e, Col) and e.name not in names and e.name not in d.tables and e.name not in d.functions:
            raise semantic_error(f"Failed to resolve table or column expression named '{e.name}'")
        if isinstance(e, Call) and e.target is None and e.name not in names and e.name not in d.functions \
                and e.name not in SCALAR_FUNCS and e.name not in ("cluster", "database", "table", "materialize",
                                                                  "view", "toscalar", "entity_group"):
            raise semantic_error(f"Unknown function: '{e.name}'", "SEM0260")


def cmd_drop(p, vt):
    tok = p.peek()
    if tok.is_word("function") or tok.is_word("entity_group"):
        kind = p.next().value
        name = p.name(kind.replace("_", " "))
        ifexists = bool(p.accept_word("ifexists"))
        p.expect_eof()
        if kind == "function":
            def fn(ctx):
                d = ctx.db()
                if name not in d.functions:
                    if ifexists:
                        return RTable("", [("Name", "string")], [])
                    raise not_found("Function", name)
                del d.functions[name]
                return RTable("", [("Name", "string")], [[name]])
            return Cmd("FunctionDrop", fn)

        def fn2(ctx):
            d = ctx.db()
            if name not in d.entity_groups:
                if not ifexists:
                    raise not_found("Entity group", name)
            else:
                del d.entity_groups[name]
            return entity_groups_result(d)
        return Cmd("EntityGroupDrop", fn2)
    unknown_sub(p, "drop", tok)


def parse_alter_merge_retention(p):
    p.next()
    name = p.name("database")
    p.expect_word("policy", " after '.alter-merge database <db>'")
    p.expect_word("retention", " after 'policy'")
    softdelete = recoverability = None
    while p.at_word("softdelete") or p.at_word("recoverability"):
        key = p.next().value
        p.expect_punct("=", f" after '{key}'")
        vt = p.next()
        if key == "softdelete":
            if vt.kind != "timespan" or vt.value is None or vt.value <= 0:
                p.err(f"softdelete expects a positive timespan such as 30d but found {p.show(vt)}", vt)
            softdelete = vt.value
        else:
            if not (vt.is_word("enabled") or vt.is_word("disabled")):
                p.err(f"recoverability expects enabled or disabled but found {p.show(vt)}", vt)
            recoverability = vt.value.capitalize()
    if softdelete is None and recoverability is None:
        p.err("expected 'softdelete = <timespan>' and/or 'recoverability = enabled|disabled'")
    p.expect_eof()

    def fn(ctx):
        d = ctx.db(name)
        if softdelete is not None:
            d.retention = softdelete
        if recoverability is not None:
            d.recoverability = recoverability
            if d.retention is None:
                d.retention = 100 * 365 * TIMESPAN_UNITS["d"]
        return retention_result(d)
    return Cmd("DatabasePolicyRetentionAlterMerge", fn)


INGEST_PROPS = {"format", "ignoreFirstRecord", "creationTime", "tags", "ingestIfNotExists", "persistDetails",
                "extend_schema", "validationPolicy", "ingestionMappingReference"}


def parse_ingest(p, vt):
    p.expect_word("inline", " after '.ingest' (only '.ingest inline into table' is supported)")
    p.expect_word("into", " after '.ingest inline'")
    p.expect_word("table", " after '.ingest inline into'")
    name = p.name("table")
    props = parse_with_props(p, INGEST_PROPS, ".ingest inline")
    fmt = str(props.get("format", "csv")).lower()
    if fmt != "csv":
        p.err(f"kusto_server.py supports only format=csv for .ingest inline, not '{fmt}'")
    p.expect_punct("<|", " before the inline data")
    data = p.raw_rest()
    m = re.match(r"[ \t]*(\r?\n)?", data)
    data = data[m.end():]
    skip_first = prop_bool(props, "ignoreFirstRecord")

    def fn(ctx):
        d = ctx.db()
        t = d.tables.get(name)
        if t is None:
            raise KustoError("BadRequest_TableNotExist", f"Table '{name}' was not found in database '{d.name}'.")
        try:
            records = parse_csv(data)
        except ValueError as e:
            raise KustoError("General_BadRequest", f"Ingestion failed: invalid CSV: {e}")
        if skip_first:
            records = records[1:]
        rows = []
        for i, rec in enumerate(records, 1):
            if len(rec) != len(t.columns):
                raise KustoError("General_BadRequest",
                                 f"Ingestion failed: record {i} has {len(rec)} fields but table '{name}' has "
                                 f"{len(t.columns)} columns ({t.schema_text()})")
            row = []
            for (cn, ct), text in zip(t.columns, rec):
                try:
                    row.append(csv_value(text, ct))
                except ValueError as e:
                    raise KustoError("General_BadRequest",
                                     f"Ingestion failed: record {i}, column '{cn}' ({ct}): {e}")
            rows.append(row)
        t.rows.extend(rows)
        return RTable("", [("ExtentId", "guid")], [[str(uuid.uuid4()) if rows else "00000000-0000-0000-0000-000000000000"]])
    return Cmd("DataIngestInline", fn)


def parse_csv(text):
    """RFC 4180: fields separated by ',', records by CRLF or LF, "quoted" fields with "" for a quote and
    embedded newlines. A single final line break is not a record."""
    if text.endswith("\r\n"):
        text = text[:-2]
    elif text.endswith("\n"):
        text = text[:-1]
    if text == "":
        return []
    records, rec, i, n = [], [], 0, len(text)
    while True:
        rno, fno = len(records) + 1, len(rec) + 1
        if i < n and text[i] == '"':
            i += 1
            buf = []
            while True:
                if i >= n:
                    raise ValueError(f"record {rno}, field {fno}: unterminated quoted field")
                c = text[i]
                if c == '"':
                    if i + 1 < n and text[i + 1] == '"':
                        buf.append('"')
                        i += 2
                        continue
                    i += 1
                    break
                buf.append(c)
                i += 1
            if i < n and text[i] not in ",\r\n":
                raise ValueError(f"record {rno}, field {fno}: unexpected {text[i]!r} after a closing quote")
            rec.append("".join(buf))
        else:
            j = i
            while j < n and text[j] not in ",\r\n":
                if text[j] == '"':
                    raise ValueError(f"record {rno}, field {fno}: a quote inside an unquoted field (quote the "
                                     f"field and double the quote)")
                j += 1
            rec.append(text[i:j])
            i = j
        if i >= n:
            records.append(rec)
            return records
        if text[i] == ",":
            i += 1
            continue
        i += 2 if text.startswith("\r\n", i) else 1
        records.append(rec)
        rec = []
        if i >= n:
            records.append([""])
            return records


def csv_value(s, typ):
    if typ == "string":
        return s
    st = s.strip()
    if st == "":
        return None
    if typ in ("long", "int"):
        if not re.fullmatch(r"[+-]?\d+", st):
            raise ValueError(f"'{s}' is not an integer")
        return lit_value(int(st), typ, "value")
    if typ == "real":
        try:
            return float(st)
        except ValueError:
            raise ValueError(f"'{s}' is not a number")
    if typ == "bool":
        low = st.lower()
        if low in ("true", "1"):
            return True
        if low in ("false", "0"):
            return False
        raise ValueError(f"'{s}' is not a bool")
    if typ == "datetime":
        return parse_datetime_text(st)
    if typ == "timespan":
        return parse_timespan_text(st)
    if typ == "guid":
        if not GUID_TEXT_RE.match(st):
            raise ValueError(f"'{s}' is not a guid")
        return st.lower()
    if typ == "dynamic":
        try:
            return json.loads(st)
        except ValueError as e:
            raise ValueError(f"not valid JSON ({e})")
    if typ == "decimal":
        if not re.fullmatch(r"[+-]?\d+(\.\d+)?", st):
            raise ValueError(f"'{s}' is not a decimal")
        return st
    return st


def bracket_depth(text):
    depth = 0
    try:
        for tok in tokenize_all(text):
            if tok.kind == "punct" and tok.value in OPENERS:
                depth += 1
            elif tok.kind == "punct" and tok.value in CLOSERS:
                depth -= 1
    except KustoError:
        return 0
    return depth


def split_script(script):
    """Statements of a database script, found as ADX finds them: a statement starts with a line that
    begins with '.'; lines that are exactly '//' (adx-mon's separator), '// comment' lines and blank lines
    between statements are skipped. Inside open brackets (a function body) every line belongs to the
    statement. The data of `.ingest inline ... <|` runs up to a blank line or a '//' line."""
    stmts, cur = [], []

    def flush():
        text = "\n".join(cur).strip()
        if text:
            stmts.append(text)
        cur.clear()
    for line in script.split("\n"):
        line = line.rstrip("\r")
        s = line.strip()
        if not cur:
            if s and not s.startswith("//"):
                cur.append(line)
            continue
        joined = "\n".join(cur)
        if re.match(r"\s*\.ingest\b", joined) and "<|" in joined:
            if s in ("", "//"):
                flush()
            else:
                cur.append(line)
            continue
        if bracket_depth(joined) > 0:
            cur.append(line)
        elif s == "//":
            flush()
        elif s == "" or s.startswith("//"):
            continue
        elif re.match(r"\.[A-Za-z]", s):
            flush()
            cur.append(line)
        else:
            cur.append(line)
    flush()
    return stmts


def parse_execute(p, vt):
    p.expect_word("database", " after '.execute'")
    p.expect_word("script", " after '.execute database'")
    props = parse_with_props(p, {"ContinueOnErrors", "ThrowOnErrors"}, ".execute database script")
    coe, toe = prop_bool(props, "ContinueOnErrors"), prop_bool(props, "ThrowOnErrors")
    if coe and toe:
        p.err("ContinueOnErrors and ThrowOnErrors can't both be true")
    p.expect_punct("<|", " before the script")
    stmts = split_script(p.raw_rest())
    if not stmts:
        p.err("the script has no commands")
    cmds = []
    for i, st in enumerate(stmts, 1):
        head = st.splitlines()[0][:80]
        if re.match(r"\s*\.execute\b", st):
            raise KqlSyntaxError(f"script statement {i} ({head!r}): a script can't contain .execute")
        try:
            cmds.append(parse_command(st))
        except KustoError as e:
            e.detail = f"script statement {i} ({head!r}): {e.detail}"
            raise

    def fn(ctx):
        ctx.db()  # the script runs in the request's database, which must exist
        rows = []
        for st, cmd in zip(stmts, cmds):
            op_id = str(uuid.uuid4())
            if cmd.readonly:
                rows.append([op_id, cmd.ctype, st, "Skipped", "Read-only commands are not executed in a script"])
                continue
            try:
                cmd.run(ctx)
                rows.append([op_id, cmd.ctype, st, "Completed", ""])
            except KustoError as e:
                if toe:
                    raise
                rows.append([op_id, cmd.ctype, st, "Failed", e.detail])
                if not coe:
                    break
        return RTable("", [("OperationId", "guid"), ("CommandType", "string"), ("CommandText", "string"),
                           ("Result", "string"), ("Reason", "string")], rows)
    return Cmd("DatabaseScriptExecute", fn)


SOA_PROPS = {"extend_schema", "recreate_schema", "folder", "docstring", "distributed", "creationTime", "tags",
             "ingestIfNotExists", "policy_ingestiontime", "persistDetails"}
SOA_RE = re.compile(r"\A[ \t]*(?:\r?\n)?let[ \t]+_startTime[ \t]*=[ \t]*datetime\(([^)\n]*)\)[ \t]*;[ \t]*\r?\n"
                    r"let[ \t]+_endTime[ \t]*=[ \t]*datetime\(([^)\n]*)\)[ \t]*;[ \t]*\r?\n(.*)\Z", re.S)


def contract_error(msg):
    return KustoError("General_BadRequest", f"kusto_server.py contract (adx-mon's .set-or-append form): {msg}")


def parse_set_or_append(p, vt):
    is_async = bool(p.accept_word("async"))
    name = p.name("table")
    props = parse_with_props(p, SOA_PROPS, ".set-or-append")
    lt = p.expect_punct("<|", " before the query")
    qtext = p.raw_rest()
    query = parse_query(Parser(p.text, lt.end))  # the whole query must parse (lets and body)
    if not is_async:
        raise unsupported("synchronous .set-or-append (use .set-or-append async)")
    m = SOA_RE.match(qtext)
    if not m:
        raise contract_error("the query after '<|' must be 'let _startTime=datetime(<start>);' then, on the next "
                             "line, 'let _endTime=datetime(<end>);' then a newline and the body")
    try:
        start, end = parse_datetime_text(m.group(1)), parse_datetime_text(m.group(2))
    except ValueError as e:
        raise KqlSyntaxError(f"invalid datetime literal: {e}")
    if start >= end:
        raise contract_error(f"_startTime ({m.group(1).strip()}) must be before _endTime ({m.group(2).strip()})")
    body = m.group(3)
    if len(query.lets) < 2 or query.lets[0][0] != "_startTime" or query.lets[1][0] != "_endTime":
        raise contract_error("the first two statements must be the _startTime and _endTime lets")

    def fn(ctx):
        d = ctx.db()
        validate_entity_name(name, "table")
        validate_query_names(query, d, set())
        op_id = str(uuid.uuid4())
        op = Operation(op_id, d.name, name, start, end, m.group(1).strip(), m.group(2).strip(), body, ctx.csl,
                       ctx.now, ctx.activity_id)
        op.properties = props
        ctx.cluster.operations[op_id] = op
        return RTable("", [("OperationId", "guid")], [[op_id]])
    return Cmd("TableSetOrAppend", fn)


COMMANDS = {
    "show": cmd_show,
    "create": lambda p, vt: cmd_create(p, vt, "create"),
    "create-merge": lambda p, vt: cmd_create(p, vt, "create-merge"),
    "create-or-alter": lambda p, vt: cmd_create(p, vt, "create-or-alter"),
    "alter": lambda p, vt: cmd_create(p, vt, "alter"),
    "alter-merge": lambda p, vt: cmd_create(p, vt, "alter-merge"),
    "drop": cmd_drop,
    "ingest": parse_ingest,
    "execute": parse_execute,
    "set-or-append": parse_set_or_append,
}


# --------------------------------------------------------------------------------------------------
# Response encoders: v1 tables, v2 frames, OneApiError bodies
# --------------------------------------------------------------------------------------------------

V1_DATATYPES = {"string": "String", "int": "Int32", "long": "Int64", "real": "Double", "bool": "Boolean",
                "datetime": "DateTime", "timespan": "TimeSpan", "guid": "Guid", "dynamic": "Object",
                "decimal": "Decimal"}
FRAGMENT_ROWS = 1000


def dumps(obj):
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


def json_value(v, t):
    if v is None:
        return "" if t == "string" else None
    if t == "datetime":
        return format_datetime(v)
    if t == "timespan":
        return format_timespan(v)
    if t == "real":
        if v != v:
            return "NaN"
        if v in (float("inf"), float("-inf")):
            return "Infinity" if v > 0 else "-Infinity"
        return v
    if t == "decimal":
        return str(v)
    return v


def json_rows(tbl):
    types = [t for _, t in tbl.columns]
    return [[json_value(v, t) for v, t in zip(r, types)] for r in tbl.rows]


def v1_table(tbl):
    return {"TableName": tbl.name,
            "Columns": [{"ColumnName": n, "DataType": V1_DATATYPES[t], "ColumnType": t} for n, t in tbl.columns],
            "Rows": json_rows(tbl)}


def encode_v1(tables, exceptions=None):
    obj = {"Tables": [v1_table(t) for t in tables]}
    if exceptions:
        obj["Tables"][-1]["Rows"].append({"Exceptions": exceptions})
        obj["Exceptions"] = exceptions
    return dumps(obj).encode()


def truthy(v):
    return v is True or (isinstance(v, str) and v.lower() == "true")


def v2_frames(primary, options, info, partial_error=None):
    """The frames of a v2 answer. primary: [RTable]. partial_error: a OneApiError object to report."""
    frag = truthy(options.get("results_v2_fragment_primary_tables"))
    placement_opt = str(options.get("results_error_reporting_placement") or "").lower() or None
    placement = {"in_data": "InData", "end_of_table": "EndOfTable", "end_of_dataset": "EndOfDataset"}.get(
        placement_opt, "InData")
    hdr = {"FrameType": "DataSetHeader", "IsProgressive": False, "Version": "v2.0"}
    if frag:
        hdr["IsFragmented"] = True
    if frag or placement_opt:
        hdr["ErrorReportingPlacement"] = placement
    frames = [hdr]
    visualization = {"Visualization": None, "Title": None, "XColumn": None, "Series": None, "YColumns": None,
                     "AnomalyColumns": None, "XTitle": None, "YTitle": None, "XAxis": None, "YAxis": None,
                     "Legend": None, "YSplit": None, "Accumulate": False, "IsQuerySorted": False, "Kind": None,
                     "Ymin": "NaN", "Ymax": "NaN", "Xmin": None, "Xmax": None}
    frames.append({"FrameType": "DataTable", "TableId": 0, "TableKind": "QueryProperties",
                   "TableName": "@ExtendedProperties",
                   "Columns": [{"ColumnName": "TableId", "ColumnType": "int"},
                               {"ColumnName": "Key", "ColumnType": "string"},
                               {"ColumnName": "Value", "ColumnType": "dynamic"}],
                   "Rows": [[1, "Visualization", dumps(visualization)]]})
    tid = 1
    err_obj = {"OneApiErrors": [partial_error]} if partial_error else None
    for i, t in enumerate(primary):
        cols = [{"ColumnName": n, "ColumnType": ty} for n, ty in t.columns]
        rows = json_rows(t)
        last = i == len(primary) - 1
        inline_err = err_obj and last and placement == "InData"
        if frag:
            frames.append({"FrameType": "TableHeader", "TableId": tid, "TableKind": "PrimaryResult",
                           "TableName": "PrimaryResult", "Columns": cols})
            chunks = [rows[k:k + FRAGMENT_ROWS] for k in range(0, len(rows), FRAGMENT_ROWS)]
            if inline_err:
                if chunks:
                    chunks[-1] = chunks[-1] + [err_obj]
                else:
                    chunks = [[err_obj]]
            for ch in chunks:
                frames.append({"FrameType": "TableFragment", "TableFragmentType": "DataAppend", "TableId": tid,
                               "Rows": ch})
            comp = {"FrameType": "TableCompletion", "TableId": tid, "RowCount": len(rows)}
            if err_obj and last and placement == "EndOfTable":
                comp["OneApiErrors"] = [partial_error]
            frames.append(comp)
        else:
            frames.append({"FrameType": "DataTable", "TableId": tid, "TableKind": "PrimaryResult",
                           "TableName": "PrimaryResult", "Columns": cols,
                           "Rows": rows + ([err_obj] if err_obj and last and placement != "EndOfDataset" else [])})
        tid += 1
    qci_cols = [("Timestamp", "datetime"), ("ClientRequestId", "string"), ("ActivityId", "guid"),
                ("SubActivityId", "guid"), ("ParentActivityId", "guid"), ("Level", "int"), ("LevelName", "string"),
                ("StatusCode", "int"), ("StatusCodeName", "string"), ("EventType", "int"),
                ("EventTypeName", "string"), ("Payload", "string")]
    qci = RTable("QueryCompletionInformation", qci_cols, [
        [info["now"], info["client_request_id"], info["activity_id"], str(uuid.uuid4()), str(uuid.uuid4()), 4, "Info",
         0, "S_OK (0)", 4, "QueryInfo", dumps({"Count": 1, "Text": "Query completed successfully"})]])
    frames.append({"FrameType": "DataTable", "TableId": tid, "TableKind": "QueryCompletionInformation",
                   "TableName": "QueryCompletionInformation",
                   "Columns": [{"ColumnName": n, "ColumnType": ty} for n, ty in qci_cols], "Rows": json_rows(qci)})
    done = {"FrameType": "DataSetCompletion", "HasErrors": bool(partial_error), "Cancelled": False}
    if partial_error:
        done["OneApiErrors"] = [partial_error]
    frames.append(done)
    return frames


def encode_v2(frames, newlines):
    parts = [dumps(f) for f in frames]
    if newlines:
        return ("[" + parts[0] + "\n" + "".join("," + x + "\n" for x in parts[1:]) + "]").encode()
    return ("[" + ",".join(parts) + "]").encode()


def error_context(info):
    return {"timestamp": rfc3339_real_now(), "serviceAlias": "KUSTO-TEST", "machineName": "KSTEST000000",
            "processName": "kusto_server.py", "processId": os.getpid(), "threadId": threading.get_ident() % 100000,
            "clientRequestId": info.get("client_request_id") or "", "activityId": info.get("activity_id") or "",
            "subActivityId": str(uuid.uuid4()), "activityType": info.get("activity_type") or "",
            "parentActivityId": str(uuid.uuid4()),
            "activityStack": f"(Activity stack: CRID={info.get('client_request_id') or ''} "
                             f"ARID={info.get('activity_id') or ''})"}


def one_api_error(err, info):
    ctx = error_context(info)
    e = {"code": err.code, "message": err.message, "@type": err.etype, "@message": err.detail, "@context": ctx,
         "@permanent": err.permanent}
    if info.get("csl") is not None:
        e["@text"] = info["csl"]
        e["@database"] = info.get("db") or ""
        e["@ClientRequestLogger"] = ""
    if err.inner:
        e["innererror"] = {"code": err.inner["code"], "message": err.inner["message"], "@type": err.etype,
                           "@message": err.detail, "@context": ctx, "@permanent": err.permanent,
                           "@errorCode": err.inner["code"], "@errorMessage": err.inner["message"]}
    return {"error": e}


FAULT_DEFAULTS = {
    400: ("General_BadRequest", "Request is invalid and cannot be executed.", "Kusto.Data.Exceptions.KustoBadRequestException"),
    401: ("Unauthorized", "Unauthorized", "Kusto.Data.Exceptions.KustoRequestDeniedException"),
    403: ("Forbidden", "Principal is not authorized to perform this operation.", "Kusto.Data.Exceptions.KustoRequestDeniedException"),
    404: ("NotFound", "The requested entity was not found.", "Kusto.Data.Exceptions.KustoRequestException"),
    409: ("Conflict", "The request conflicts with the current state.", "Kusto.Data.Exceptions.KustoRequestException"),
    412: ("PreconditionFailed", "A precondition failed.", "Kusto.Data.Exceptions.KustoRequestException"),
    413: ("PayloadTooLarge", "Request payload exceeded limits.", "Kusto.Data.Exceptions.KustoRequestPayloadTooLargeException"),
    429: ("Too many requests", "Request is denied due to throttling.", "Kusto.DataNode.Exceptions.ControlCommandThrottledException"),
    500: ("InternalServiceError", "Request aborted due to an internal service error.", "Kusto.Data.Exceptions.KustoServiceException"),
    502: ("BadGateway", "Bad gateway.", "Kusto.Data.Exceptions.KustoServiceException"),
    503: ("ServiceUnavailable", "The service is unavailable.", "Kusto.Data.Exceptions.KustoServiceException"),
    504: ("RequestExecutionTimeout", "Request execution timeout", "Kusto.Data.Exceptions.KustoServiceTimeoutException"),
    520: ("ServiceError", "Service found an error while processing the request.", "Kusto.Data.Exceptions.KustoServiceException"),
}


def fault_error(fault, status):
    code, msg, etype = FAULT_DEFAULTS.get(status, FAULT_DEFAULTS[500] if status >= 500 else FAULT_DEFAULTS[400])
    permanent = fault.get("permanent")
    if permanent is None:
        permanent = not (status == 429 or status >= 500)
    detail = fault.get("message") or f"{msg} (fault injected by /_test/faults)"
    if status == 429:
        detail = fault.get("message") or ("The control command was aborted due to throttling. Retrying after some "
                                          "backoff might succeed. Capacity: 1, Origin: 'kusto_server.py fault'")
    return KustoError(fault.get("code") or code, detail, status=status, permanent=bool(permanent), message=msg,
                      etype=etype)


# --------------------------------------------------------------------------------------------------
# Server state: the cluster, faults, command log, auth and tokens
# --------------------------------------------------------------------------------------------------

FAULT_KINDS = {"http", "one_api_partial", "v1_exceptions", "malformed", "drop_connection"}
KUSTO_PATHS = {"/v1/rest/mgmt", "/v2/rest/query"}


class State:
    def __init__(self, require_auth):
        self.lock = threading.RLock()
        self.cluster = Cluster()
        self.default_require = require_auth
        self.reset()

    def reset(self):
        self.cluster.reset()
        self.faults = []
        self.commands = []
        self.token_requests = []
        self.tokens = {}
        self.auth = {"static_tokens": [], "require": self.default_require, "token_ttl_s": 3600,
                     "client_secrets": {}, "msi_client_ids": None, "audiences": None}

    def take_fault(self, path, csl, db):
        for f in self.faults:
            fp = f.get("path")
            if fp is None and path not in KUSTO_PATHS:
                continue
            if fp is not None and fp != path:
                continue
            if f.get("db") is not None and f["db"] != db:
                continue
            if f.get("match") is not None and (csl is None or not re.search(f["match"], csl)):
                continue
            c = f.get("count", 1)
            if c is None or c >= 0:
                c = 1 if c is None else c
                f["count"] = c - 1
                if f["count"] <= 0:
                    self.faults.remove(f)
            return dict(f)
        return None

    def issue_token(self, resource, client_id, tenant=None):
        ttl = float(self.auth["token_ttl_s"])
        now = time.time()

        def b64(o):
            return base64.urlsafe_b64encode(json.dumps(o, separators=(",", ":")).encode()).rstrip(b"=").decode()
        tok = ".".join([b64({"alg": "RS256", "typ": "JWT", "kid": "kusto-test"}),
                        b64({"aud": resource, "iss": f"https://sts.windows.net/{tenant or 'test-tenant'}/",
                             "iat": int(now), "nbf": int(now), "exp": int(now + ttl), "appid": client_id or "",
                             "oid": str(uuid.uuid4()), "tid": tenant or "", "jti": secrets.token_hex(8)}),
                        base64.urlsafe_b64encode(secrets.token_bytes(32)).rstrip(b"=").decode()])
        self.tokens[tok] = {"expires": now + ttl, "resource": resource, "client_id": client_id}
        return tok, ttl, now

    def check_auth(self, header):
        cfg = self.auth
        if not cfg["require"]:
            return None
        if not header:
            return "the request has no Authorization header"
        if not header.startswith("Bearer "):
            return "the Authorization header must be 'Bearer <token>'"
        t = header[7:].strip()
        if t in cfg["static_tokens"]:
            return None
        info = self.tokens.get(t)
        if info is None:
            return "the token is not one this server issued"
        if time.time() >= info["expires"]:
            return "the token has expired"
        if cfg["audiences"] is not None and info["resource"] not in cfg["audiences"]:
            return f"the token's audience '{info['resource']}' is not accepted by this cluster"
        return None

    def state_json(self):
        dbs = {}
        for d in self.cluster.databases.values():
            dbs[d.name] = {
                "tables": {t.name: {"schema": t.schema_text(), "rows": json_rows(RTable("", t.columns, t.rows))}
                           for t in d.tables.values()},
                "functions": {f.name: {"parameters": f.parameters, "body": f.body, "folder": f.folder,
                                       "docstring": f.docstring, "view": f.view} for f in d.functions.values()},
                "entity_groups": {n: list(r) for n, r in d.entity_groups.items()},
                "retentionDays": None if d.retention is None else (
                    d.retention // TIMESPAN_UNITS["d"] if d.retention % TIMESPAN_UNITS["d"] == 0
                    else d.retention / TIMESPAN_UNITS["d"]),
            }
        return {"databases": dbs, "commands": self.commands,
                "operations": {i: op.state_json() for i, op in self.cluster.operations.items()},
                "operation_order": list(self.cluster.operations), "token_requests": self.token_requests,
                "now": format_datetime(self.cluster.now())}

    def setup(self, spec):
        dbs = spec.get("databases")
        if not isinstance(dbs, dict):
            raise ValueError("setup needs {\"databases\": {...}}")
        for dbname, dspec in dbs.items():
            validate_entity_name(dbname, "database")
            dspec = dspec or {}
            unknown = set(dspec) - {"tables", "views", "retentionDays", "entity_groups", "rows"}
            if unknown:
                raise ValueError(f"unknown setup keys for database {dbname}: {sorted(unknown)}")
            d = self.cluster.databases.get(dbname) or DatabaseM(dbname)
            for tname, schema in (dspec.get("tables") or {}).items():
                validate_entity_name(tname, "table")
                d.tables[tname] = TableM(tname, parse_schema_text(schema))
            for vname, schema in (dspec.get("views") or {}).items():
                validate_entity_name(vname, "function")
                cols = parse_schema_text(schema)
                body = "{ datatable(" + ", ".join(f"{quote_name(n)}:{t}" for n, t in cols) + ") [] }"
                p = Parser(body)
                p.expect_punct("{")
                q = parse_query(p, closer="}")
                d.functions[vname] = FunctionM(vname, [], body, q, view=True, output_columns=cols)
            if dspec.get("retentionDays") is not None:
                d.retention = round(float(dspec["retentionDays"]) * TIMESPAN_UNITS["d"])
            for gname, refs in (dspec.get("entity_groups") or {}).items():
                validate_entity_name(gname, "entity group")
                p = Parser("(" + ", ".join(refs) + ")")
                d.entity_groups[gname] = parse_entity_refs(p, "(", ")", allow_cluster_only=True)
                p.expect_eof()
            for tname, rows in (dspec.get("rows") or {}).items():
                t = d.tables.get(tname)
                if t is None:
                    raise ValueError(f"rows for unknown table {tname}")
                for r in rows:
                    if len(r) != len(t.columns):
                        raise ValueError(f"a row for {tname} has {len(r)} values, not {len(t.columns)}")
                    t.rows.append([lit_value(v, ct, f"{tname}.{cn}") for (cn, ct), v in zip(t.columns, r)])
            self.cluster.databases[dbname] = d


# --------------------------------------------------------------------------------------------------
# HTTP
# --------------------------------------------------------------------------------------------------

class TooLarge(Exception):
    pass


class BadBody(Exception):
    pass


AAD_PATH_RE = re.compile(r"^/([^/]+)/oauth2/v2\.0/token$")
IMDS_PATH = "/metadata/identity/oauth2/token"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # TCP_NODELAY: without it every answer after the first on a kept-alive connection waits ~40 ms
    # for the client's delayed ACK (Nagle), which made multi-request tests and benches crawl.
    disable_nagle_algorithm = True
    server_version = "kusto_server.py/1.0"
    sys_version = ""

    @property
    def state(self):
        return self.server.state

    def log_message(self, fmt, *args):
        if self.server.verbose:
            sys.stderr.write("kusto_server: %s - %s\n" % (self.address_string(), fmt % args))

    # ---- plumbing ----
    def content_length(self):
        v = self.headers.get("Content-Length")
        if v is None:
            return None
        try:
            n = int(v)
        except ValueError:
            raise BadBody("invalid Content-Length")
        if n < 0:
            raise BadBody("invalid Content-Length")
        return n

    def handle_expect_100(self):
        try:
            n = self.content_length()
        except BadBody:
            n = None
        if n is not None and n > MAX_BODY:
            self.close_connection = True
            self.send_payload_too_large()
            return False
        return super().handle_expect_100()

    def read_body(self):
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            out, total = [], 0
            while True:
                line = self.rfile.readline(1024)
                try:
                    size = int(line.split(b";")[0].strip(), 16)
                except ValueError:
                    raise BadBody("invalid chunk size")
                if size == 0:
                    while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(out)
                total += size
                if total > MAX_BODY:
                    raise TooLarge()
                out.append(self.rfile.read(size))
                self.rfile.readline(1024)
        n = self.content_length()
        if n is None:
            return b""
        if n > MAX_BODY:
            raise TooLarge()
        data = self.rfile.read(n)
        if len(data) != n:
            raise BadBody("the body is shorter than Content-Length")
        return data

    def wants_gzip(self):
        for part in (self.headers.get("Accept-Encoding") or "").split(","):
            bits = [b.strip() for b in part.split(";")]
            if bits[0].lower() in ("gzip", "x-gzip"):
                q = next((b[2:] for b in bits[1:] if b.startswith("q=")), "1")
                try:
                    return float(q) > 0
                except ValueError:
                    return True
        return False

    def send(self, status, body, ctype="application/json; charset=utf-8", headers=None, compress=True):
        if isinstance(body, str):
            body = body.encode()
        hdrs = dict(headers or {})
        if compress and body and self.wants_gzip():
            body = gzip.compress(body)
            hdrs["Content-Encoding"] = "gzip"
        self.send_response(status)
        for k, v in hdrs.items():
            self.send_header(k, str(v))
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def send_json(self, status, obj, headers=None):
        self.send(status, dumps(obj), headers=headers)

    def send_payload_too_large(self, headers=None):
        err = KustoError("PayloadTooLarge", f"The request body exceeds the limit of {MAX_BODY} bytes.", status=413,
                         message="Request payload exceeded limits.")
        self.close_connection = True
        self.send_json(413, one_api_error(err, {}), headers)

    def drop(self):
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    # ---- dispatch ----
    def do_GET(self):
        self.dispatch("GET")

    def do_POST(self):
        self.dispatch("POST")

    def do_PUT(self):
        self.dispatch("PUT")

    def do_DELETE(self):
        self.dispatch("DELETE")

    def dispatch(self, method):
        url = urllib.parse.urlsplit(self.path)
        path = url.path
        try:
            if path in KUSTO_PATHS:
                return self.kusto(path, method)
            if path == "/v1/rest/auth/metadata":
                self.discard_body()
                return self.send(404, "Not Found", "text/plain; charset=utf-8")
            if path == IMDS_PATH:
                return self.imds(method, url)
            m = AAD_PATH_RE.match(path)
            if m:
                return self.aad(method, path, m.group(1))
            if path.startswith("/_test/"):
                return self.control(method, path, url)
            self.discard_body()
            self.send_json(404, {"error": {"code": "NotFound", "message": f"no such endpoint: {path}"}})
        except TooLarge:
            self.send_payload_too_large()
        except BadBody as e:
            self.close_connection = True
            self.send_json(400, {"error": {"code": "General_BadRequest", "message": str(e), "@permanent": True}})
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        except Exception as e:  # a bug in this server: say so loudly
            import traceback
            traceback.print_exc()
            self.close_connection = True
            try:
                self.send_json(500, {"error": {"code": "InternalServiceError",
                                               "message": f"kusto_server.py internal error: {e!r}",
                                               "@permanent": False}})
            except OSError:
                pass

    def discard_body(self):
        try:
            self.read_body()
        except TooLarge:
            raise

    # ---- Kusto ----
    def kusto(self, path, method):
        crid = self.headers.get("x-ms-client-request-id")
        activity = str(uuid.uuid4())
        rh = {"x-ms-client-request-id": crid or f"kusto_server;{uuid.uuid4()}", "x-ms-activity-id": activity}
        if method != "POST":
            self.discard_body()
            return self.send_json(405, {"error": {"code": "MethodNotAllowed", "message": f"{path} accepts POST"}},
                                  headers=dict(rh, Allow="POST"))
        try:
            raw = self.read_body()
        except TooLarge:
            with self.state.lock:
                self.state.commands.append({
                    "path": path, "db": None, "csl": None, "client_request_id": crid,
                    "authorization": self.headers.get("Authorization"), "x_ms_app": self.headers.get("x-ms-app"),
                    "x_ms_client_version": self.headers.get("x-ms-client-version"), "properties": None,
                    "at": rfc3339_real_now(), "status": 413, "fault": None})
            return self.send_payload_too_large(rh)
        body, body_err = None, None
        try:
            body = json.loads(raw.decode("utf-8")) if raw else None
            if not isinstance(body, dict):
                body_err = "the request body must be a JSON object {\"db\",\"csl\",\"properties\"}"
        except (UnicodeDecodeError, ValueError) as e:
            body_err = f"the request body is not valid JSON: {e}"
        csl = body.get("csl") if isinstance(body, dict) else None
        db = body.get("db") if isinstance(body, dict) else None
        props_raw = body.get("properties") if isinstance(body, dict) else None
        info = {"client_request_id": rh["x-ms-client-request-id"], "activity_id": activity, "csl": csl, "db": db,
                "activity_type": "KD.RestClient.ExecuteControlCommand" if path == "/v1/rest/mgmt"
                else "KD.RestClient.ExecuteQuery"}
        entry = {"path": path, "db": db, "csl": csl, "client_request_id": crid,
                 "authorization": self.headers.get("Authorization"), "x_ms_app": self.headers.get("x-ms-app"),
                 "x_ms_client_version": self.headers.get("x-ms-client-version"), "properties": props_raw,
                 "at": rfc3339_real_now(), "status": None, "fault": None}
        with self.state.lock:
            self.state.commands.append(entry)
            fault = self.state.take_fault(path, csl if isinstance(csl, str) else None, db)
        if fault:
            entry["fault"] = fault.get("kind", "http")
            if fault.get("delay_ms"):
                time.sleep(float(fault["delay_ms"]) / 1000.0)
            kind = fault.get("kind", "http")
            if kind == "drop_connection":
                entry["status"] = 0
                return self.drop()
            if kind == "http" and fault.get("status"):
                status = int(fault["status"])
                entry["status"] = status
                hdrs = dict(rh)
                if fault.get("retry_after") is not None:
                    hdrs["Retry-After"] = str(fault["retry_after"])
                if fault.get("plain_text") is not None:
                    return self.send(status, fault["plain_text"], "text/plain; charset=utf-8", hdrs)
                if fault.get("body") is not None:
                    return self.send(status, dumps(fault["body"]), headers=hdrs)
                if status == 401:
                    return self.send(status, "Unauthorized (fault injected by /_test/faults)",
                                     "text/plain; charset=utf-8", hdrs)
                return self.send_json(status, one_api_error(fault_error(fault, status), info), hdrs)
        # authentication
        with self.state.lock:
            why = self.state.check_auth(self.headers.get("Authorization"))
        if why:
            entry["status"] = 401
            return self.send(401, f"Unauthorized: {why}", "text/plain; charset=utf-8",
                             dict(rh, **{"WWW-Authenticate": 'Bearer authorization_uri="https://login.microsoftonline.com/common"'}))

        def bad(detail):
            entry["status"] = 400
            err = KustoError("General_BadRequest", detail)
            return self.send_json(400, one_api_error(err, info), rh)
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if ctype != "application/json":
            return bad(f"Content-Type must be application/json (got {self.headers.get('Content-Type')!r})")
        if "application/json" not in (self.headers.get("Accept") or "").lower():
            return bad(f"Accept must include application/json (got {self.headers.get('Accept')!r})")
        if not crid:
            return bad("the x-ms-client-request-id header is missing")
        if body_err:
            return bad(body_err)
        if not isinstance(csl, str) or not csl.strip():
            return bad("the request body has no 'csl' text")
        if db is not None and not isinstance(db, str):
            return bad("'db' must be a string")
        props = {}
        if props_raw is not None:
            if isinstance(props_raw, str):
                try:
                    props = json.loads(props_raw) if props_raw.strip() else {}
                except ValueError as e:
                    return bad(f"'properties' is a string but not JSON: {e}")
            else:
                props = props_raw
            if not isinstance(props, dict):
                return bad("'properties' must be a JSON object or a string holding one")
        options = props.get("Options") or {}
        if not isinstance(options, dict):
            return bad("'properties.Options' must be an object")

        if path == "/v2/rest/query" and csl.lstrip().startswith("."):
            entry["status"] = 400
            text = ("Bad request: Control commands (starting with a dot '.') do not support api_version=v2\r\n"
                    "Error details:\r\n"
                    f"ClientRequestId='{info['client_request_id']}', ActivityId='{activity}', "
                    f"Timestamp='{rfc3339_real_now()}'.")
            return self.send(400, text, "text/plain; charset=utf-8", rh)

        kind = fault.get("kind") if fault else None
        execute = True
        if kind in ("one_api_partial", "v1_exceptions", "malformed"):
            execute = fault.get("execute")
            if execute is None:
                execute = path == "/v2/rest/query" or bool(re.match(r"\s*\.show\b", csl))
        try:
            with self.state.lock:
                ctx = ExecCtx(self.state, db, csl, activity, info["client_request_id"])
                info["now"] = ctx.now
                if path == "/v1/rest/mgmt":
                    if execute:
                        tables = [parse_command(csl).run(ctx)]
                    else:
                        tables = [RTable("Table_0", [], [])]
                else:
                    if execute:
                        d = ctx.db()
                        tables = [eval_query(parse_query(Parser(csl)), EvalCtx(ctx, d))]
                    else:
                        tables = [RTable("PrimaryResult", [], [])]
        except KustoError as e:
            entry["status"] = e.status
            return self.send_json(e.status, one_api_error(e, info), rh)
        partial = None
        if kind in ("one_api_partial", "v1_exceptions"):
            partial = KustoError(fault.get("code") or "LimitsExceeded",
                                 fault.get("message") or "Query execution has exceeded the allowed limits (80DA0003): "
                                                         "(fault injected by /_test/faults).",
                                 status=200, permanent=bool(fault.get("permanent", False)),
                                 message="Request is invalid and cannot be executed.",
                                 etype="Kusto.Data.Exceptions.KustoServicePartialQueryFailureLimitsExceededException")
        if path == "/v1/rest/mgmt":
            exc = None
            if partial:
                exc = [f"{partial.etype}: {partial.detail} (ClientRequestId='{info['client_request_id']}', "
                       f"ActivityId='{activity}')"]
            out = encode_v1(tables, exc)
        else:
            frames = v2_frames(tables, options, info, one_api_error(partial, info) if partial else None)
            out = encode_v2(frames, truthy(options.get("results_v2_newlines_between_frames")))
        if kind == "malformed":
            out = out[:max(1, len(out) // 2)]
        entry["status"] = 200
        self.send(200, out, headers=rh)

    # ---- tokens ----
    def imds(self, method, url):
        self.discard_body()
        q = urllib.parse.parse_qs(url.query)
        rec = {"endpoint": "imds", "resource": (q.get("resource") or [None])[0],
               "client_id": (q.get("client_id") or [None])[0], "at": rfc3339_real_now(), "status": None}
        with self.state.lock:
            self.state.token_requests.append(rec)
            fault = self.state.take_fault(IMDS_PATH, None, None)
        if fault and self.token_fault(fault, rec):
            return

        def err(status, code, desc):
            rec["status"] = status
            return self.send_json(status, {"error": code, "error_description": desc})
        if method != "GET":
            return err(405, "invalid_request", "IMDS tokens are requested with GET")
        if (self.headers.get("Metadata") or "").lower() != "true":
            return err(400, "bad_request_102", "Required metadata header not specified")
        if not q.get("api-version"):
            return err(400, "invalid_request", "Required query variable 'api-version' is missing")
        resource = rec["resource"]
        if not resource:
            return err(400, "invalid_request", "Required query variable 'resource' is missing")
        with self.state.lock:
            allowed = self.state.auth["msi_client_ids"]
            if allowed is not None and (rec["client_id"] or "") not in allowed:
                return err(400, "invalid_request", "Identity not found")
            tok, ttl, now = self.state.issue_token(resource, rec["client_id"])
        rec["status"] = 200
        self.send_json(200, {"access_token": tok, "refresh_token": "", "expires_in": str(int(ttl)),
                             "expires_on": str(int(now + ttl)), "not_before": str(int(now)),
                             "resource": resource, "token_type": "Bearer"})

    def aad(self, method, path, tenant):
        raw = self.read_body()
        rec = {"endpoint": "aad", "tenant": tenant, "client_id": None, "scope": None, "at": rfc3339_real_now(),
               "status": None}
        with self.state.lock:
            self.state.token_requests.append(rec)
            fault = self.state.take_fault(path, None, None)
        if fault and self.token_fault(fault, rec):
            return

        def err(status, code, aadsts, desc):
            rec["status"] = status
            now = _dt.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%SZ")
            return self.send_json(status, {"error": code, "error_description": f"AADSTS{aadsts}: {desc}",
                                           "error_codes": [aadsts], "timestamp": now, "trace_id": str(uuid.uuid4()),
                                           "correlation_id": str(uuid.uuid4()),
                                           "error_uri": f"https://login.microsoftonline.com/error?code={aadsts}"})
        if method != "POST":
            return err(405, "invalid_request", 900561, "The endpoint only accepts POST requests.")
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if ctype != "application/x-www-form-urlencoded":
            return err(400, "invalid_request", 900144,
                       "The request body must contain the following parameter: 'grant_type'.")
        try:
            form = {k: v[0] for k, v in urllib.parse.parse_qs(raw.decode("utf-8"), keep_blank_values=True).items()}
        except UnicodeDecodeError:
            return err(400, "invalid_request", 900144, "The request body is not valid form data.")
        rec["client_id"], rec["scope"] = form.get("client_id"), form.get("scope")
        if not form.get("grant_type"):
            return err(400, "invalid_request", 900144, "The request body must contain the following parameter: 'grant_type'.")
        if form["grant_type"] != "client_credentials":
            return err(400, "unsupported_grant_type", 70003, f"The app requested an unsupported grant type "
                                                             f"'{form['grant_type']}'.")
        for k in ("client_id", "scope"):
            if not form.get(k):
                return err(400, "invalid_request", 900144, f"The request body must contain the following parameter: '{k}'.")
        scope = form["scope"]
        if not scope.endswith("/.default") or " " in scope:
            return err(400, "invalid_scope", 1002012, f"The provided value for scope {scope} is not valid. Client "
                                                      f"credential flows must have a scope value with /.default "
                                                      f"suffixed to the resource identifier (application ID URI).")
        with self.state.lock:
            secrets_cfg = self.state.auth["client_secrets"]
            cid = form["client_id"]
            if cid not in secrets_cfg:
                return err(400, "unauthorized_client", 700016, f"Application with identifier '{cid}' was not found "
                                                               f"in the directory '{tenant}'.")
            if not form.get("client_secret"):
                return err(400, "invalid_client", 7000216, "'client_assertion', 'client_secret' or 'request' is "
                                                           "required for the 'client_credentials' grant type.")
            if not secrets.compare_digest(form["client_secret"], str(secrets_cfg[cid])):
                return err(400, "invalid_client", 7000215, "Invalid client secret provided. Ensure the secret being "
                                                           "sent in the request is the client secret value, not the "
                                                           f"client secret ID, for a secret added to app '{cid}'.")
            tok, ttl, now = self.state.issue_token(scope[:-len("/.default")], cid, tenant)
        rec["status"] = 200
        self.send_json(200, {"token_type": "Bearer", "expires_in": int(ttl), "ext_expires_in": int(ttl),
                             "access_token": tok})

    def token_fault(self, fault, rec):
        if fault.get("delay_ms"):
            time.sleep(float(fault["delay_ms"]) / 1000.0)
        kind = fault.get("kind", "http")
        if kind == "drop_connection":
            rec["status"] = 0
            self.drop()
            return True
        if kind == "malformed":
            rec["status"] = 200
            self.send(200, '{"access_token":"', compress=True)
            return True
        if kind == "http" and fault.get("status"):
            status = int(fault["status"])
            rec["status"] = status
            hdrs = {}
            if fault.get("retry_after") is not None:
                hdrs["Retry-After"] = str(fault["retry_after"])
            if fault.get("plain_text") is not None:
                self.send(status, fault["plain_text"], "text/plain; charset=utf-8", hdrs)
            else:
                self.send(status, dumps(fault.get("body") or {"error": "temporarily_unavailable",
                                                              "error_description": "fault injected by /_test/faults"}),
                          headers=hdrs)
            return True
        return False

    # ---- test control ----
    def control(self, method, path, url):
        raw = self.read_body()
        try:
            body = json.loads(raw.decode("utf-8")) if raw.strip() else {}
        except (UnicodeDecodeError, ValueError) as e:
            return self.send_json(400, {"error": f"the body is not JSON: {e}"})
        st = self.state
        try:
            with st.lock:
                out = self.control_locked(method, path, url, body)
                payload = None if out is None else dumps(out)
        except (ValueError, KustoError, TypeError, KeyError) as e:
            return self.send_json(400, {"error": str(getattr(e, "detail", e))})
        if out is None:
            return self.send_json(404, {"error": f"no such control endpoint: {method} {path}"})
        self.send(200, payload)

    def control_locked(self, method, path, url, body):
        st = self.state
        cl = st.cluster
        if path == "/_test/ping" and method == "GET":
            return {"ok": True}
        if path == "/_test/reset" and method == "POST":
            st.reset()
            return {"ok": True}
        if path == "/_test/setup" and method == "POST":
            st.setup(body)
            return {"ok": True}
        if path == "/_test/state" and method == "GET":
            return st.state_json()
        if path == "/_test/commands" and method == "GET":
            since = int((urllib.parse.parse_qs(url.query).get("since") or ["0"])[0])
            return {"commands": st.commands[since:], "next": len(st.commands)}
        if path == "/_test/faults":
            if method == "GET":
                return {"faults": st.faults}
            if method == "POST":
                faults = body.get("faults")
                if not isinstance(faults, list):
                    raise ValueError("expected {\"faults\": [...]}")
                for f in faults:
                    if not isinstance(f, dict):
                        raise ValueError("each fault is an object")
                    kind = f.get("kind", "http")
                    if kind not in FAULT_KINDS:
                        raise ValueError(f"unknown fault kind {kind!r} (known: {sorted(FAULT_KINDS)})")
                    if kind == "http" and not f.get("status") and not f.get("delay_ms"):
                        raise ValueError("an http fault needs a status or a delay_ms")
                    if f.get("match") is not None:
                        re.compile(f["match"])
                    if f.get("status") is not None and not 100 <= int(f["status"]) <= 599:
                        raise ValueError("status must be an HTTP status code")
                st.faults.extend(dict(f) for f in faults)
                return {"ok": True, "queued": len(st.faults)}
        if path == "/_test/operations" and method == "POST":
            for key, steps in body.items():
                if steps is None and key == "default":
                    cl.default_script = None
                    continue
                if not isinstance(steps, list) or not steps:
                    raise ValueError(f"the script for {key} must be a non-empty list of steps")
                for s in steps:
                    if not isinstance(s, dict):
                        raise ValueError("each step is an object")
                    if not s.get("Missing") and s.get("State") not in OPERATION_STATES:
                        raise ValueError(f"unknown State {s.get('State')!r} (known: {sorted(OPERATION_STATES)})")
                    if "ShouldRetry" in s and not isinstance(s["ShouldRetry"], bool):
                        raise ValueError("ShouldRetry must be true or false")
                if key == "default":
                    cl.default_script = [dict(s) for s in steps]
                    continue
                key = key.lower()
                cl.op_scripts[key] = [dict(s) for s in steps]
                op = cl.operations.get(key)
                if op:
                    op.script = [dict(s) for s in steps]
                    op.step = 0
            return {"ok": True}
        if path == "/_test/auth":
            if method == "POST":
                known = {"static_tokens", "require", "token_ttl_s", "client_secrets", "msi_client_ids", "audiences",
                         "revoke_all"}
                if set(body) - known:
                    raise ValueError(f"unknown auth keys {sorted(set(body) - known)}")
                for k in ("static_tokens", "require", "token_ttl_s", "client_secrets", "msi_client_ids", "audiences"):
                    if k in body:
                        st.auth[k] = body[k]
                if body.get("revoke_all"):
                    st.tokens.clear()
                float(st.auth["token_ttl_s"])
            if method in ("GET", "POST"):
                return dict(st.auth, issued_tokens=len(st.tokens))
        if path == "/_test/clock":
            if method == "POST":
                if "now" in body:
                    cl.pinned = None if body["now"] is None else parse_datetime_text(body["now"])
                if "advance_s" in body:
                    if cl.pinned is None:
                        raise ValueError("advance_s needs a pinned clock")
                    cl.pinned += round(float(body["advance_s"]) * TICKS_PER_SECOND)
            if method in ("GET", "POST"):
                return {"now": format_datetime(cl.now()), "pinned": cl.pinned is not None}
        return None


class KustoHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True


def main(argv=None):
    ap = argparse.ArgumentParser(description="Loopback Kusto (Azure Data Explorer) REST server for tests")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file")
    ap.add_argument("--require-auth", action="store_true")
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args(argv)
    server = KustoHTTPServer(("127.0.0.1", args.port), Handler)
    server.state = State(args.require_auth)
    server.verbose = args.verbose
    port = server.server_address[1]
    if args.port_file:
        tmp = f"{args.port_file}.tmp.{os.getpid()}"
        with open(tmp, "w") as f:
            f.write(f"{port}\n")
        os.replace(tmp, args.port_file)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *a: stop.set())
    signal.signal(signal.SIGINT, lambda *a: stop.set())
    t = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    t.start()
    if args.verbose:
        sys.stderr.write(f"kusto_server: listening on 127.0.0.1:{port}\n")
    while not stop.wait(0.2):
        pass
    server.shutdown()
    server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
