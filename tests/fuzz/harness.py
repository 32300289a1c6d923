"""The fuzzing harness: read a form from its page, build random submissions of it, send them, check the properties.

Properties of every request (``send``):
- the answer is never a 500 and nothing is logged at ERROR level (Django logs a 500 there, with its traceback);
- unless the input was accepted (a redirect carrying a success message, or a case's own test), nothing in the
  database of blocs, scoring and reports changed (every row of every model, compared by content) and no file was
  written to the private media folder;
- a redirect that refuses the input says why (an error message), rather than failing silently.

Each example runs in a savepoint that is rolled back, so every example starts from the same world.
"""

import contextlib
import hashlib
import logging
import os
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import hypothesis
from django.apps import apps
from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import strategies as st

from tests.fuzz import strategies as S
from tests.fuzz.strategies import MISSING

SNAPSHOT_APPS = ("blocs", "scoring", "reports")

# Django answers these with a 400 by design (request too large) and logs them at ERROR on django.security.
DESIGNED_REFUSALS = {
    "django.security.RequestDataTooBig",
    "django.security.TooManyFieldsSent",
    "django.security.TooManyFilesSent",
}


# ---------------------------------------------------------------------------------------------------------------
# Reading a form from its page


@dataclass
class Field:
    name: str
    kind: str  # text, number, decimal, date, time, choice, multi, bool, hidden, file
    default: object = MISSING  # a string, a list of strings (multi) or MISSING
    options: list[str] = field(default_factory=list)


class _FormParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self.detached: list[tuple[str, dict]] = []  # inputs with a form="id" attribute, outside their form
        self._form: dict | None = None
        self._select: dict | None = None
        self._option: dict | None = None
        self._textarea: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = {k: ("" if v is None else v) for k, v in attrs}
        if tag == "form":
            self._form = {"attrs": attrs, "controls": []}
            self.forms.append(self._form)
        elif tag in ("input", "select", "textarea"):
            control = {"tag": tag, "attrs": attrs, "options": [], "text": ""}
            if "form" in attrs:
                self.detached.append((attrs["form"], control))
            elif self._form is not None:
                self._form["controls"].append(control)
            if tag == "select":
                self._select = control
            elif tag == "textarea":
                self._textarea = control
        elif tag == "option" and self._select is not None:
            self._option = {"value": attrs.get("value"), "selected": "selected" in attrs, "text": ""}
            self._select["options"].append(self._option)

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "option":
            self._option = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._option is not None:
            self._option["text"] += data
        if self._textarea is not None:
            self._textarea["text"] += data


def _fields(controls: list[dict]) -> list[Field]:
    by_name: dict[str, Field] = {}
    for control in controls:
        attrs = control["attrs"]
        name = attrs.get("name")
        kind = attrs.get("type", "text").lower() if control["tag"] == "input" else control["tag"]
        if not name or name == "csrfmiddlewaretoken" or kind in ("submit", "button", "reset", "image"):
            continue
        known = by_name.get(name)
        if kind == "checkbox":
            value, checked = attrs.get("value", "on"), "checked" in attrs
            if known is None:
                by_name[name] = Field(name, "bool", value if checked else MISSING, [value])
                continue
            if known.kind == "bool":  # a second box of the same name: a multiple choice
                known.kind = "multi"
                known.default = [] if known.default is MISSING else [known.default]
            known.options.append(value)
            if checked:
                known.default.append(value)
        elif kind == "radio":
            if known is None:
                known = by_name[name] = Field(name, "choice")
            known.options.append(attrs.get("value", "on"))
            if "checked" in attrs:
                known.default = attrs.get("value", "on")
        elif kind == "select":
            values = [o["value"] if o["value"] is not None else o["text"] for o in control["options"]]
            selected = [v for o, v in zip(control["options"], values, strict=True) if o["selected"]]
            if "multiple" in attrs:
                by_name[name] = Field(name, "multi", selected, values)
            else:
                default = selected[0] if selected else (values[0] if values else MISSING)
                by_name[name] = Field(name, "choice", default, values)
        elif kind == "textarea":
            # The HTML parser keeps the newline Django writes after <textarea>; browsers drop it.
            by_name[name] = Field(name, "text", control["text"].removeprefix("\n"))
        else:
            if kind in ("text", "email", "password", "search", "url", "tel") and (
                attrs.get("inputmode") in ("decimal", "numeric")
            ):
                kind = "decimal"
            elif kind not in ("number", "date", "time", "hidden", "file"):
                kind = "text"
            by_name[name] = Field(name, kind, attrs.get("value", "" if kind != "file" else MISSING))
    return list(by_name.values())


def read_form(html: str, *, action: str, page: str, method: str = "post") -> list[Field]:
    """The fields of the form of ``html`` that sends to ``action`` (a path), with their values on the page."""
    parser = _FormParser()
    parser.feed(html)
    for form in parser.forms:
        attrs = form["attrs"]
        target = urlsplit(attrs.get("action") or page).path
        if target == urlsplit(action).path and attrs.get("method", "get").lower() == method:
            controls = list(form["controls"])
            if "id" in attrs:
                controls += [c for owner, c in parser.detached if owner == attrs["id"]]
            return _fields(controls)
    raise AssertionError(f"no <form method={method}> sending to {action} on {page}")


# ---------------------------------------------------------------------------------------------------------------
# Submissions


def value_strategy(f: Field, *, ids=(), uploads=None, own=None) -> st.SearchStrategy:
    """Random values for one field, by the kind of input the page shows (or the case's ``own`` strategy)."""
    if own is not None:
        return own
    kinds = {
        "text": lambda: S.text(),
        "number": lambda: st.one_of(S.number(), S.number(), S.identifier(ids), S.text()),
        "hidden": lambda: st.one_of(S.number(), S.identifier(ids), S.identifier(ids), S.text()),
        "decimal": lambda: st.one_of(S.number(), S.text()),
        "date": lambda: st.one_of(S.date(), S.date(), S.text()),
        "time": lambda: st.one_of(S.time(), S.text()),
        "choice": lambda: st.one_of(st.sampled_from(f.options or [""]), S.identifier(ids), S.text()),
        "bool": lambda: st.one_of(
            st.sampled_from([*f.options, "on", "", "off", "false", "0", "yes"]), S.text()
        ),
        "multi": lambda: st.lists(
            st.one_of(st.sampled_from(f.options or [""]), S.identifier(ids), S.text()),
            max_size=len(f.options) + 3,
        ),
    }
    if f.kind == "file":
        assert uploads is not None, f"the case gives no upload strategy for the file field {f.name!r}"
        return uploads
    return kinds[f.kind]()


def _sent(value: st.SearchStrategy) -> st.SearchStrategy:
    """The field sent once (most often), left out, or repeated."""
    return st.one_of(value, value, value, st.just(MISSING), st.lists(value, min_size=2, max_size=3))


EXTRA_NAMES = [
    "id",
    "pk",
    "version",
    "s999999",
    "c999999",
    "present_999999",
    "award_999999",
    "status",
    "actor",
]


@st.composite
def submission(draw, fields: list[Field], *, ids=(), uploads=None, strategies=None, defaults=None):
    """The form as the page fills it in (or as ``defaults`` say), with a random set of fields changed.

    Starting from the page's own values means a fair share of submissions is valid (none, or one harmless field,
    changed), so that the services behind the forms are fuzzed too, not only the form validation."""
    data = {f.name: f.default for f in fields}
    data.update(defaults or {})
    names = [f.name for f in fields]
    by_name = {f.name: f for f in fields}
    # One to three fields changed, the others valid, so that one bad value goes as deep as it can; now and then
    # every field. (The untouched form is sent once by run_case.)
    few = st.lists(st.sampled_from(names), unique=True, min_size=1, max_size=min(3, len(names)))
    every = st.lists(st.sampled_from(names), unique=True, min_size=1, max_size=len(names))
    changed = draw(st.one_of(few, few, few, every)) if names else []
    changed += [f.name for f in fields if f.kind == "file" and f.name not in changed]  # a page has no file
    for name in changed:
        own = (strategies or {}).get(name)
        data[name] = draw(_sent(value_strategy(by_name[name], ids=ids, uploads=uploads, own=own)))
    # Now and then, fields the form does not have: ignored, or at least not a crash.
    if draw(st.integers(min_value=0, max_value=4)) == 4:
        for name in draw(st.lists(st.sampled_from(EXTRA_NAMES), unique=True, min_size=1, max_size=2)):
            data[name] = draw(S.anything())
    return {k: v for k, v in data.items() if v is not MISSING}


# ---------------------------------------------------------------------------------------------------------------
# Sending and checking


def snapshot() -> dict[str, tuple[int, str]]:
    """Every row of every model of the apps, as (row count, digest of the rows' content) per model."""
    state = {}
    for label in SNAPSHOT_APPS:
        for model in apps.get_app_config(label).get_models():
            columns = [f.attname for f in model._meta.concrete_fields]
            rows = [
                tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)
                for row in model._base_manager.order_by("pk").values_list(*columns)
            ]
            state[model._meta.label] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
    return state


def private_files() -> set[str]:
    root = Path(settings.PRIVATE_MEDIA_ROOT)
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()} if root.exists() else set()


class _Errors(logging.Handler):
    def __init__(self):
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        if record.name not in DESIGNED_REFUSALS:
            self.records.append(record)


@contextlib.contextmanager
def logged_errors():
    handler = _Errors()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield handler.records
    finally:
        root.removeHandler(handler)


def message_levels(response) -> list[int]:
    storage = getattr(response.wsgi_request, "_messages", None)
    if storage is None:
        return []
    return [m.level for m in [*storage._loaded_messages, *storage._queued_messages]]


def never(response) -> bool:
    """For a GET: nothing it answers may change anything."""
    return False


def succeeded(response) -> bool:
    """The default test of an accepted input: a redirect with a success message."""
    return response.status_code in (301, 302, 303) and messages.SUCCESS in message_levels(response)


def _short(data) -> str:
    text = repr(data)
    return text if len(text) < 600 else text[:600] + f"… ({len(text)} characters)"


def send(
    client, method: str, url: str, data: dict, *, accepted=succeeded, silent_redirect_ok=False, before=None
):
    """Send one request and check the properties of the module docstring; the caller rolls back. ``before``:
    the database's snapshot() the request starts from, when the caller knows it already."""
    with logged_errors() as errors:
        before, files_before = before or snapshot(), private_files()
        client.cookies.pop("messages", None)  # only this request's messages count
        response = client.post(url, data) if method == "post" else client.get(url, data)
    assert response.status_code != 500, f"500 on {method.upper()} {url} with {_short(data)}"
    assert not errors, f"error logged on {method.upper()} {url} with {_short(data)}: " + "; ".join(
        r.getMessage() for r in errors
    )
    if not accepted(response):
        after = snapshot()
        changed = sorted(label for label in before if before[label] != after[label])
        assert not changed, f"refused {method.upper()} {url} changed {changed} with {_short(data)}"
        assert private_files() == files_before, f"refused {url} left a file with {_short(data)}"
        if response.status_code in (301, 302, 303) and not silent_redirect_ok:
            assert messages.ERROR in message_levels(response), (
                f"refused {method.upper()} {url} redirected without saying why, with {_short(data)}"
            )
    return response


def existing_ids() -> list[int]:
    """Primary keys that exist somewhere: ids of the wrong object (another bloc's unit, another campaign's
    criterion…) for any id field."""
    ids = set()
    for label in ("blocs.Unit", "blocs.Province", "scoring.Criterion", "scoring.CriteriaGroup"):
        ids.update(apps.get_model(label).objects.values_list("pk", flat=True))
    for label in ("scoring.RoundCandidate", "scoring.AwardType", "scoring.Nomination", "scoring.ScoreSheet"):
        ids.update(apps.get_model(label).objects.values_list("pk", flat=True))
    return sorted(ids)


# ---------------------------------------------------------------------------------------------------------------
# Cases


@dataclass
class Target:
    """What one case sends, and to whom, once its world is built."""

    url: str
    user: object = None  # logged in for the whole case; None: anonymous
    page: str | None = None  # the page showing the form (default: ``url`` itself)
    # Values replacing the page's own, so that the untouched form is valid.
    defaults: dict = field(default_factory=dict)
    strategies: dict = field(default_factory=dict)  # field name -> its own strategy
    uploads: st.SearchStrategy | None = None  # for file inputs
    fields: list[Field] | None = None  # for a request no page shows as a form
    action: str | None = None  # the form's action on the page, when it is not ``url``
    more_fields: list[Field] = field(default_factory=list)  # read by the view but not on the form (page=…)
    accepted: object = None  # (response) -> bool; by default succeeded for a POST, never for a GET
    silent_redirect_ok: bool = False
    # (response) -> (url, data, accepted) of a second request to send in the same example, or None: the next
    # step of a two-step upload, with whatever the fuzzed file left.
    then: object = None


@dataclass(frozen=True)
class Case:
    view: str  # the URL name ("namespace:name"), as test_coverage.py finds it in the resolver
    prepare: object  # (pytest request) -> Target: builds the world through fixtures
    examples: int = 20
    method: str = "post"
    variant: str = ""

    @property
    def id(self) -> str:
        return f"{self.view}/{self.variant}" if self.variant else self.view


def fuzz_settings(examples: int) -> hypothesis.settings:
    """Reproducible by default (derandomize: every run sends the same examples, so a red build is not luck and
    a green one is not either; no example database written into the working tree). FUZZ_EXAMPLES=10 multiplies
    the examples and FUZZ_RANDOM=1 draws new ones each run, for a longer hunt by hand."""
    factor = int(os.environ.get("FUZZ_EXAMPLES", "1"))
    return hypothesis.settings(
        max_examples=examples * factor,
        derandomize=os.environ.get("FUZZ_RANDOM", "") != "1",
        database=None,
        deadline=None,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
        ],
    )


def run_case(case: Case, request) -> None:
    """Build the case's world once, read its form once, then send examples, each in its own savepoint."""
    target = case.prepare(request)
    client = Client(raise_request_exception=False)
    if target.user is not None:
        client.force_login(target.user)
    fields = target.fields
    if fields is None:
        page = target.page or target.url
        response = client.get(page)
        assert response.status_code == 200, f"{page} answered {response.status_code}"
        action = target.action or target.url
        fields = read_form(response.content.decode(), action=action, page=page, method=case.method)
    fields = [*fields, *target.more_fields]
    strategy = submission(
        fields,
        ids=existing_ids(),
        uploads=target.uploads,
        strategies=target.strategies,
        defaults=target.defaults,
    )
    # Every example starts from this state, the one before having rolled back. (Files are listed afresh: an
    # accepted upload stays on disk.)
    start = snapshot()

    accepted = target.accepted or (never if case.method == "get" else succeeded)

    @fuzz_settings(case.examples)
    @given(data=strategy)
    def fuzz(data):
        with transaction.atomic():
            response = send(
                client,
                case.method,
                target.url,
                data,
                accepted=accepted,
                silent_redirect_ok=target.silent_redirect_ok or case.method == "get",
                before=start,
            )
            follow = target.then(response) if target.then else None
            if follow is not None:
                next_url, next_data, next_accepted = follow
                send(client, "post", next_url, next_data, accepted=next_accepted)
            transaction.set_rollback(True)

    fuzz()
