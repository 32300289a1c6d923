"""Every view that reads typed input is fuzzed; a new one fails here until it has its case.

The URL resolver is walked whole (as tests/test_urls.py does). A view is either fuzzed by one of the cases of
test_forms.py, test_uploads.py or test_filters.py, or listed below with why it needs no fuzzing; and a listed view
must not read the request's form data or files, so that a field added to it later brings it back here.
"""

import inspect

from django.urls import URLPattern, URLResolver, get_resolver

from tests.fuzz import test_filters, test_forms, test_uploads
from tests.test_urls import APP_MATRICES, walk

# Views that take no typed input: pages, downloads and confirmations whose POST carries only the CSRF token
# (the object and the step are in the URL, which the access matrices already try with wrong ids).
NOT_FUZZED = {
    "blocs:bloc_detail": "a page",
    "blocs:bloc_rotate_confirm": "a confirmation page",
    "blocs:blocker_end": "a confirmation; the blocker is in the URL",
    "blocs:unit_detail": "a page",
    "scoring:campaign_detail": "a page",
    "scoring:campaign_step": "a confirmation; the step is in the URL",
    "scoring:campaign_step_confirm": "a confirmation page",
    "scoring:conference_detail": "a page",
    "scoring:conference_handover_confirm": "a confirmation page",
    "scoring:covenant": "a page",
    "scoring:criteria": "a page",
    "scoring:criteria_copy": "a confirmation; copies the previous year's table",
    "scoring:criteria_copy_confirm": "a confirmation page",
    "scoring:criteria_group_delete": "a confirmation; the group is in the URL",
    "scoring:criterion_delete": "a confirmation; the item is in the URL",
    "scoring:ballot_form": "a page (its form is fuzzed through ballot_cast)",
    "scoring:evidence_delete": "a confirmation; the file is in the URL",
    "scoring:evidence_download": "a download",
    "scoring:nomination_accept": "a confirmation; the nomination is in the URL",
    "scoring:nomination_detail": "a page",
    "scoring:nomination_list": "a page",
    "scoring:nomination_resubmit": "a confirmation; the nomination is in the URL",
    "scoring:round_close": "a confirmation; the round is in the URL",
    "scoring:round_close_confirm": "a confirmation page",
    "scoring:round_create_confirm": "a page (its form is fuzzed through round_create)",
    "scoring:round_detail": "a page",
    "scoring:round_open": "a confirmation; the round is in the URL",
    "scoring:round_results": "a page",
    "scoring:sheet_detail": "a page (its forms are fuzzed through sheet_save and line_review)",
    "scoring:sheet_finalize": "a confirmation; the sheet is in the URL",
    "scoring:sheet_list": "a page",
    "scoring:sheet_submit": "a confirmation; the sheet is in the URL",
    "scoring:summary": "a page",
    "scoring:summary_export": "a download",
    "scoring:vote_rule_delete": "a confirmation; the rule is in the URL",
    "scoring:vote_rules": "a page",
    "reports:document_docx": "a download of an issued document",
    "reports:document_draft_docx": "a download; its round parameter is fuzzed through document_preview",
    "reports:document_draft_pdf": "a download; its round parameter is fuzzed through document_preview",
    "reports:document_pdf": "a download of an issued document",
    "reports:documents": "a page",
    "reports:narrative_adopt": "a confirmation; the version is in the URL",
}
# Outside the apps' namespaces, the forms a user can send.
OTHER_FORMS = {"login", "set_language", "admin:blocs_unit_import"}


def app_views():
    return {f"{namespace}:{name}" for namespace, name, _ in walk() if namespace in APP_MATRICES}


def fuzzed():
    return {case.view for module in (test_forms, test_uploads, test_filters) for case in module.CASES}


def test_every_view_is_fuzzed_or_says_why_not():
    expected = app_views() | OTHER_FORMS
    assert sorted(expected - fuzzed() - set(NOT_FUZZED)) == [], "views neither fuzzed nor listed"
    assert sorted(fuzzed() & set(NOT_FUZZED)) == [], "listed as not fuzzed, yet fuzzed"
    assert sorted((fuzzed() | set(NOT_FUZZED)) - expected) == [], "cases for views that do not exist"


def callbacks(patterns=None, namespace=None):
    """(namespace:name, view function) of every URL pattern."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            yield from callbacks(pattern.url_patterns, pattern.namespace or namespace)
        elif isinstance(pattern, URLPattern) and namespace in APP_MATRICES:
            yield f"{namespace}:{pattern.name}", pattern.callback


def test_the_views_left_out_read_no_form_data():
    for view, callback in callbacks():
        if view in NOT_FUZZED:
            source = inspect.getsource(getattr(callback, "view_class", None) or inspect.unwrap(callback))
            assert "request.POST" not in source and "request.FILES" not in source, view
