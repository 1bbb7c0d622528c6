"""Forms of the proof pages: they check the shape of input; the rules live in the services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from shezhi.proofs.selectors import MAX_UPLOAD_BYTES


class _Form(forms.Form):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")  # labels sit above their fields
        super().__init__(*args, **kwargs)

    def labelled_errors(self) -> list[str]:
        """Every error prefixed with the label of its field, for the summary at the top."""
        out = []
        for name, errors in self.errors.items():
            label = self.fields[name].label if name in self.fields else None
            out.extend(f"{label}：{e}" if label else str(e) for e in errors)
        return out


class PeriodForm(_Form):
    date_from = forms.DateField(
        label=_("开始日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    date_to = forms.DateField(
        label=_("截止日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


class UploadForm(_Form):
    file = forms.FileField(label=_("证明文件（PDF）"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("文件过大：证明文件不超过 20 MB"))
        return upload
