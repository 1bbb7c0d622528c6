"""What the pages' forms share: DomainForm (a service's DomainError back onto its field, choices
in the request's language), the need taxonomy choices and the rating words (needs, activities)."""

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from shezhi.core.errors import DomainError
from shezhi.core.page_errors import put_on_form
from shezhi.needs import selectors as need_selectors


def translate_choices(fields: dict[str, forms.Field]) -> None:
    """Model choices carry plain Chinese labels (marked in web/labels.py): translate them into the
    request's language when the form is built."""
    for field in fields.values():
        if isinstance(field, forms.ChoiceField) and not isinstance(field, forms.ModelChoiceField):
            field.choices = [
                (value, gettext(label) if isinstance(label, str) and label else label)
                for value, label in field.choices
            ]


class DomainForm(forms.Form):
    # service field name -> form field name, where they differ
    domain_fields: dict[str, str] = {}

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")  # labels sit above their fields
        super().__init__(*args, **kwargs)

    def __getitem__(self, name: str) -> forms.BoundField:
        # At first render, when subclasses have set their choices, in the request's language.
        if name not in self._bound_fields_cache and name in self.fields:
            translate_choices({name: self.fields[name]})
        return super().__getitem__(name)

    def add_domain_error(self, exc: DomainError, *, keep_general: bool = True) -> bool:
        """Put the service's error on the field it names. An error that names no field of this
        form goes to the form's general errors, or, with keep_general=False, is left to the
        caller (who shows it as a message on the page). Returns whether the form took it."""
        return put_on_form(self, exc, general=keep_general)

    def labelled_errors(self) -> list[str]:
        """Every error prefixed with the label of its field, for the summary at the top."""
        out = []
        for name, errors in self.errors.items():
            label = self.fields[name].label if name in self.fields else None
            for error in errors:
                out.append(f"{label}：{error}" if label else str(error))
        return out


def category_choices() -> list[tuple[str, str]]:
    return [(c.code, gettext(c.name)) for c in need_selectors.categories()]


def urgency_choices() -> list[tuple[str, str]]:
    return [(u.code, gettext(u.name)) for u in need_selectors.urgency_levels()]


class NeedFieldsMixin:
    def _set_taxonomy_choices(self) -> None:
        self.fields["category"].choices = category_choices()  # type: ignore[attr-defined]
        self.fields["urgency"].choices = urgency_choices()  # type: ignore[attr-defined]


class RateForm(DomainForm):
    # Words, never bare numbers; each maps to the 1–5 score the ledger keeps.
    SCORES = [
        (5, _("很满意")),
        (4, _("满意")),
        (3, _("一般")),
        (2, _("不满意")),
        (1, _("很不满意")),
    ]

    score = forms.TypedChoiceField(
        label=_("评分"), choices=SCORES, coerce=int, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("想说的话（可以不填）"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
