"""Forms of the social pages. They check shape only; the services decide what is allowed."""

from django import forms

from flywheel.images import validate_image_upload
from social.models import COMMENT_MAX_LENGTH, POST_MAX_LENGTH, Group, Report


class PostForm(forms.Form):
    text = forms.CharField(
        label="What is happening?",
        max_length=POST_MAX_LENGTH,
        strip=True,
        error_messages={"required": "Write something: the post is empty."},
        widget=forms.Textarea(
            attrs={
                "rows": 3,
                "maxlength": POST_MAX_LENGTH,
                "placeholder": "Share a thought, a #hashtag or mention @someone",
                "data-counter": POST_MAX_LENGTH,
            }
        ),
    )
    # A plain FileField: the image is decoded by validate_image_upload, which gives a readable
    # message for fakes and oversized files (ImageField's own message is vaguer).
    image = forms.FileField(
        required=False,
        validators=[validate_image_upload],
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png,image/gif,image/webp"}
        ),
        help_text="Optional: a JPEG, PNG, GIF or WebP picture.",
    )
    group = forms.SlugField(required=False, widget=forms.HiddenInput)


class PostEditForm(forms.Form):
    text = forms.CharField(
        label="Post",
        max_length=POST_MAX_LENGTH,
        error_messages={"required": "Write something: the post is empty."},
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": POST_MAX_LENGTH}),
    )


class CommentForm(forms.Form):
    text = forms.CharField(
        label="Your reply",
        max_length=COMMENT_MAX_LENGTH,
        error_messages={"required": "Write something: the comment is empty."},
        widget=forms.Textarea(
            attrs={"rows": 2, "maxlength": COMMENT_MAX_LENGTH, "placeholder": "Write a reply"}
        ),
    )


class ShareForm(forms.Form):
    comment = forms.CharField(
        label="Add a comment",
        required=False,
        max_length=280,
        widget=forms.Textarea(
            attrs={"rows": 2, "maxlength": 280, "placeholder": "Say why it is worth reading"}
        ),
    )


class GroupForm(forms.Form):
    name = forms.CharField(max_length=80, widget=forms.TextInput(attrs={"maxlength": 80}))
    description = forms.CharField(
        required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )
    privacy = forms.ChoiceField(
        choices=Group.Privacy.choices, initial=Group.Privacy.PUBLIC, widget=forms.RadioSelect
    )


class ReportForm(forms.Form):
    reason = forms.ChoiceField(
        choices=Report.Reason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a reason."},
    )
    details = forms.CharField(
        required=False,
        max_length=1000,
        label="Anything else our moderators should know?",
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 1000}),
    )


class SearchForm(forms.Form):
    q = forms.CharField(
        required=False,
        max_length=100,
        label="Search",
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": "Search posts, people, #hashtags and groups",
                "autocomplete": "off",
            }
        ),
    )
