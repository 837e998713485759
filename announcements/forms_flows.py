"""流程管理's forms: one row per step (order, name, who, mode, condition), a blank row to add one,
a box to remove one. The rows become `workflow_flows.StepSpec`s; `flow_save` judges the whole."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.enums import Position
from accounts.models import User

from . import workflow_flows as flows
from .enums import StepActor, StepCondition, StepMode


class StepForm(forms.Form):
    order = forms.IntegerField(label=_("Order"), min_value=1, required=False)
    name = forms.CharField(label=_("step name"), max_length=40, required=False)
    actor = forms.ChoiceField(label=_("who acts"), choices=StepActor.choices)
    position = forms.ChoiceField(label=_("reviewing position"), required=False)
    users = forms.ModelMultipleChoiceField(
        label=_("named people"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    mode = forms.ChoiceField(label=_("mode"), choices=StepMode.choices)
    condition = forms.ChoiceField(label=_("condition"), choices=StepCondition.choices, required=False)
    amount = forms.DecimalField(
        label=_("amount (10,000 yuan)"), max_digits=16, decimal_places=2, min_value=0, required=False
    )

    def __init__(self, *args, side: str, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["position"].choices = [("", "---")] + [
            (p.value, Position(p).label) for p in flows.SIDE_POSITIONS[side]
        ]
        self.fields["users"].queryset = people
        self.fields["users"].label_from_instance = lambda u: u.get_full_name() or u.username
        # The table's header names each column; a screen reader (and a test) reads it on the field.
        for name, field in self.fields.items():
            if name != "users":
                field.widget.attrs["aria-label"] = field.label


class BaseStepFormSet(forms.BaseFormSet):
    def __init__(self, *args, side: str, people, **kwargs):
        self.side, self.people = side, people
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {"side": self.side, "people": self.people}

    @property
    def empty_form(self):
        form = StepForm(
            auto_id=self.auto_id, prefix=self.add_prefix("__prefix__"), side=self.side, people=self.people
        )
        self.add_fields(form, None)
        return form

    def specs(self) -> list[flows.StepSpec]:
        """The named, not removed rows in the order given (ties keep their place)."""
        rows = []
        for index, form in enumerate(self.forms):
            data = form.cleaned_data
            if not data or data.get("DELETE") or not (data.get("name") or "").strip():
                continue
            rows.append((data.get("order") or index + 1, index, data))
        return [
            flows.StepSpec(
                name=data["name"],
                actor=data["actor"],
                position=data.get("position") or "",
                users=list(data.get("users") or []),
                mode=data["mode"],
                condition=data.get("condition") or StepCondition.ALWAYS,
                amount=data.get("amount"),
            )
            for _order, _index, data in sorted(rows, key=lambda r: (r[0], r[1]))
        ]


StepFormSet = forms.formset_factory(StepForm, formset=BaseStepFormSet, extra=1, can_delete=True)


class FlowOptionsForm(forms.Form):
    one_step_per_person = forms.BooleanField(
        label=_("One person approves at most one step of a notice"), required=False, initial=True
    )


def initial_rows(specs: list[flows.StepSpec]) -> list[dict]:
    return [
        {
            "order": i + 1,
            "name": s.name,
            "actor": s.actor,
            "position": s.position,
            "users": s.users,
            "mode": s.mode,
            "condition": s.condition,
            "amount": s.amount,
        }
        for i, s in enumerate(specs)
    ]
