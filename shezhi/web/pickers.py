"""Pick a resident by name instead of typing an internal number (居民编号).

`resident_picker_field` renders a hidden id, a search box and a result list; the script
static/shezhi/picker.js asks `views_pickers.pick_residents` (scoped to the actor, masked names
and the compound) as the worker types. A form shown again names its resident (`label_pickers`)."""

from typing import Any

from django import forms
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from shezhi.accounts.models import User
from shezhi.people import selectors as people_selectors

MAX_ID = 2**63 - 1


class ResidentPicker(forms.Widget):
    """A hidden id, the search box and the list the script fills."""

    picked_label = ""

    def render(self, name: str, value: Any, attrs: dict | None = None, renderer: Any = None):
        attrs = {**self.attrs, **(attrs or {})}
        element_id = attrs.get("id", f"id_{name}")
        return format_html(
            '<div class="picker" data-picker-url="{}">'
            '<input type="hidden" name="{}" id="{}" value="{}">'
            '<input type="search" class="picker-q" id="{}_q" value="{}" autocomplete="off"'
            ' placeholder="{}" aria-label="{}" data-testid="picker-{}">'
            '<ul class="picker-results" role="listbox"></ul></div>',
            reverse("desk:pick_residents"),
            name,
            element_id,
            "" if value in (None, "") else value,
            element_id,
            self.picked_label,
            _("输入居民姓名搜索"),
            _("按姓名搜索居民"),
            name,
        )

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        return data.get(name)


def resident_picker_field(label: str, **kwargs: Any) -> forms.IntegerField:
    return forms.IntegerField(
        label=label, min_value=1, max_value=MAX_ID, widget=ResidentPicker, **kwargs
    )


def label_pickers(form: forms.Form, actor: User) -> None:
    """Show the chosen resident (masked) in each picker of a bound or prefilled form."""
    for name, field in form.fields.items():
        if not isinstance(field.widget, ResidentPicker):
            continue
        raw = form[name].value()
        resident_id = int(raw) if str(raw or "").isdigit() and len(str(raw)) < 19 else None
        picked = people_selectors.resident_picked(actor=actor, resident_id=resident_id)
        field.widget.picked_label = picked.label if picked else ""
