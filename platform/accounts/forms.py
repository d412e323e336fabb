from django import forms

from accounts.models import User
from accounts.services import normalise_interests, password_check, username_check


class SignupForm(forms.Form):
    username = forms.RegexField(
        regex=r"^[A-Za-z0-9_]{3,30}$",
        max_length=30,
        error_messages={
            "invalid": "Use 3 to 30 letters, digits or underscores, with no spaces.",
        },
        help_text="3 to 30 letters, digits or underscores.",
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    email = forms.EmailField(
        required=False, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    password = forms.CharField(
        min_length=8,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 8 characters; not a common password.",
    )
    interests = forms.CharField(
        required=False,
        help_text=(
            "What you like to read about, e.g. jazz cooking hiking. Your first feed, and the "
            "people and groups we suggest, start from them. Skip it if you prefer."
        ),
    )

    def clean_interests(self):
        return normalise_interests(self.cleaned_data.get("interests") or "")

    def clean_username(self):
        username = self.cleaned_data["username"]
        username_check(username)
        return username

    def clean_password(self):
        password = self.cleaned_data["password"]
        # Checked here too, not only by the service: with an invalid username the service is
        # never reached, and the person should learn about both problems in one round.
        password_check(
            password, username=self.data.get("username", ""), email=self.data.get("email", "")
        )
        return password


class LoginForm(forms.Form):
    username = forms.CharField(
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


class AvatarInput(forms.ClearableFileInput):
    clear_checkbox_label = "Remove picture"


class ProfileForm(forms.ModelForm):
    interests = forms.CharField(
        required=False,
        help_text="Words separated by spaces or commas, for example: jazz cooking hiking",
    )

    class Meta:
        model = User
        fields = ["display_name", "bio", "avatar", "email", "age_bracket", "region", "interests"]
        widgets = {
            "bio": forms.Textarea(attrs={"rows": 3, "maxlength": 300}),
            "avatar": AvatarInput(attrs={"accept": "image/jpeg,image/png,image/gif,image/webp"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance and not self.is_bound:
            self.initial["interests"] = " ".join(self.instance.interests or [])

    def clean_interests(self):
        return normalise_interests(self.cleaned_data.get("interests") or "")


class PrivacyForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["personalised_feed", "personalised_ads"]
        labels = {
            "personalised_feed": "Personalise For you",
            "personalised_ads": "Personalised ads",
        }
        help_texts = {
            "personalised_feed": (
                "Off: For you is newest first from people you follow and your groups, with "
                "nothing about you used (a non-profiled order)."
            ),
        }


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label="Your password",
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text="We ask for it so nobody else can delete your account.",
    )
