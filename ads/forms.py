"""Forms of the advertiser console. They check shape and turn currency amounts into micros;
the rules (budgets, dates, states) live in ads.services, whose messages land on the fields."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError

from accounts.models import AgeBracket, Region
from ads.models import Campaign
from ads.money import format_money, from_micros, to_micros
from flywheel.forms import add_validation_error
from flywheel.images import validate_image_upload

MONEY_FIELDS = {
    "bid_micros": "bid",
    "daily_budget_micros": "daily_budget",
    "total_budget_micros": "total_budget",
}


def add_service_error(form, error: ValidationError) -> None:
    """A service's ValidationError on the form, its micros fields on the amounts typed."""
    if hasattr(error, "error_dict"):
        error = ValidationError(
            {MONEY_FIELDS.get(name, name): msgs for name, msgs in error.message_dict.items()}
        )
    add_validation_error(form, error)


def money_field(label: str, help_text: str) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        max_digits=16,
        decimal_places=6,
        help_text=help_text,
        error_messages={
            "required": f"Give the {label.lower()}.",
            "invalid": "Give an amount such as 12.50.",
        },
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0.01", "inputmode": "decimal"}),
    )


class AdvertiserForm(forms.Form):
    name = forms.CharField(
        label="Advertiser name",
        max_length=80,
        help_text="Shown on your ads, e.g. “Northwind Coffee”.",
        error_messages={"required": "Give the name people will see on your ads."},
    )
    billing_email = forms.EmailField(
        label="Billing e-mail",
        error_messages={
            "required": "Give an email address for billing.",
            "invalid": "That does not look like an e-mail address.",
        },
    )


class CampaignForm(forms.Form):
    name = forms.CharField(max_length=100, error_messages={"required": "Name the campaign."})
    objective = forms.ChoiceField(
        choices=Campaign.Objective.choices, initial=Campaign.Objective.TRAFFIC
    )
    bid_type = forms.ChoiceField(
        label="You pay",
        choices=Campaign.BidType.choices,
        initial=Campaign.BidType.CPC,
        widget=forms.RadioSelect,
    )
    bid = money_field("Bid", "Most you pay per click, or per thousand impressions.")
    daily_budget = money_field("Daily budget", "Spread evenly over the day.")
    total_budget = money_field("Total budget", "Spending never goes past it.")
    starts_on = forms.DateField(
        label="Starts on",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": "Give a start date.", "invalid": "Give a date."},
    )
    ends_on = forms.DateField(
        label="Ends on",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": "Give an end date.", "invalid": "Give a date."},
    )
    topics = forms.CharField(
        label="Interests and topics",
        required=False,
        max_length=1000,
        help_text="Hashtags, e.g. #coffee #baking. Empty: any topic.",
    )
    age_brackets = forms.MultipleChoiceField(
        label="Ages",
        required=False,
        choices=[c for c in AgeBracket.choices if c[0]],
        widget=forms.CheckboxSelectMultiple,
        help_text="None ticked: every age.",
    )
    regions = forms.MultipleChoiceField(
        required=False,
        choices=[c for c in Region.choices if c[0]],
        widget=forms.CheckboxSelectMultiple,
        help_text="None ticked: everywhere.",
    )
    lookalike = forms.BooleanField(
        label="Also reach people like those who engage with my own posts", required=False
    )
    frequency_cap = forms.IntegerField(
        label="Times one person sees it per day",
        initial=3,
        error_messages={"required": "Say how often one person may see it per day."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        reserve = format_money(settings.ADS_RESERVE_ECPM_MICROS)
        self.fields["bid"].help_text += f" Ads earning less than {reserve} per thousand do not run."

    @classmethod
    def for_campaign(cls, campaign: Campaign, **kwargs) -> "CampaignForm":
        initial = {
            field: getattr(campaign, field)
            for field in (
                "name", "objective", "bid_type", "starts_on", "ends_on", "age_brackets",
                "regions", "lookalike", "frequency_cap",
            )
        }  # fmt: skip
        initial.update(
            bid=from_micros(campaign.bid_micros).normalize(),
            daily_budget=from_micros(campaign.daily_budget_micros).normalize(),
            total_budget=from_micros(campaign.total_budget_micros).normalize(),
            topics=" ".join(f"#{h.name}" for h in campaign.topics.all()),
        )
        return cls(initial=initial, **kwargs)

    def service_values(self) -> dict:
        """The cleaned form as ads.services takes it (money in micros, topics as a list)."""
        data = dict(self.cleaned_data)
        for micros, amount in MONEY_FIELDS.items():
            data[micros] = to_micros(data.pop(amount))
        data["topics"] = [t for t in data["topics"].replace(",", " ").split() if t.strip("#")]
        return data


class CreativeForm(forms.Form):
    headline = forms.CharField(
        max_length=60,
        error_messages={"required": "Write a headline."},
        widget=forms.TextInput(attrs={"maxlength": 60}),
    )
    text = forms.CharField(
        max_length=200,
        error_messages={"required": "Write the ad's text."},
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 200}),
    )
    link = forms.CharField(
        label="Link",
        max_length=500,
        help_text="Where a click takes people, starting with https://",
        error_messages={"required": "Give the web address people go to."},
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
    )
    image = forms.FileField(
        required=False,
        validators=[validate_image_upload],
        help_text="Optional: a JPEG, PNG, GIF or WebP picture.",
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png,image/gif,image/webp"}
        ),
    )
