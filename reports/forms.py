from django import forms
from django.utils.translation import gettext_lazy as _

from blocs.forms import DateInput
from reports.models import Narrative


class NarrativeForm(forms.Form):
    """The written sections; each accepts paragraphs, lists, **bold** and *italic* (see the help on the page)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, label in Narrative.SECTIONS:
            self.fields[name] = forms.CharField(
                label=label,
                required=False,
                max_length=50_000,
                widget=forms.Textarea(attrs={"rows": 8, "class": "form-control"}),
            )


class IssueForm(forms.Form):
    issued_on = forms.DateField(label=_("Ngày ban hành"), widget=DateInput(attrs={"class": "form-control"}))
