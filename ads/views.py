"""The advertiser console (htmx) and the two things every person does with an ad: click it and
hide its advertiser. Thin views: forms check shape, ads.services decide."""

from functools import wraps

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ads import selectors, services
from ads.api import report_dates
from ads.charts import report_charts
from ads.clicks import click_record
from ads.forms import AdvertiserForm, CampaignForm, CreativeForm, add_service_error
from flywheel.net import client_ip
from social.views_common import back_url, handles_errors, login_required, wants_fragment

STATE_ACTIONS = {
    "submit": (services.campaign_submit, "Sent for review: staff check the ads first."),
    "pause": (services.campaign_pause, "Paused: the campaign is not shown until you resume it."),
    "resume": (services.campaign_resume, "Resumed: the campaign takes part in auctions again."),
}


def advertiser_required(view):
    """Call the view with the person's advertiser; someone who is not one yet is sent to the
    console to become one."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        advertiser = selectors.advertiser_of(request.user)
        if advertiser is None:
            messages.info(request, "Tell us who you are as an advertiser first.")
            return redirect("ads:console")
        return view(request, advertiser, *args, **kwargs)

    return wrapper


def _saved(request, form, save, success: str):
    """The shape every console form shares. On a POST whose form is valid, call `save` (the
    service) and announce `success`; return what it saved, for the view to redirect to.
    Return None when the view should show the form (again): not posted, not valid, or
    refused by the service, whose ValidationError then lands on the form's fields."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        saved = save()
    except ValidationError as error:
        add_service_error(form, error)
        return None
    messages.success(request, success)
    return saved


# --- the console -----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
@handles_errors
def console(request):
    """Your campaigns with their figures, or the form to become an advertiser."""
    advertiser = selectors.advertiser_of(request.user)
    if advertiser is None:
        form = AdvertiserForm(request.POST or None)
        if _saved(
            request,
            form,
            lambda: services.advertiser_create(user=request.user, **form.cleaned_data),
            "Welcome! Create your first campaign.",
        ):
            return redirect("ads:campaign_create")
        return render(request, "ads/start.html", {"form": form})
    campaigns = list(selectors.campaigns_of(advertiser))
    return render(request, "ads/console.html", {"advertiser": advertiser, "campaigns": campaigns})


@require_http_methods(["GET", "POST"])
@login_required
@handles_errors
@advertiser_required
def advertiser_edit(request, advertiser):
    initial = {"name": advertiser.name, "billing_email": advertiser.billing_email}
    form = AdvertiserForm(request.POST or None, initial=initial)
    if _saved(
        request,
        form,
        lambda: services.advertiser_update(advertiser=advertiser, **form.cleaned_data),
        "Saved.",
    ):
        return redirect("ads:console")
    return render(request, "ads/advertiser_form.html", {"form": form, "advertiser": advertiser})


@require_http_methods(["GET", "POST"])
@login_required
@handles_errors
@advertiser_required
def campaign_create(request, advertiser):
    form = CampaignForm(request.POST or None)
    campaign = _saved(
        request,
        form,
        lambda: services.campaign_create(advertiser=advertiser, **form.service_values()),
        "Campaign saved as a draft. Now add an ad.",
    )
    if campaign:
        return redirect("ads:creative_create", campaign.pk)
    return render(request, "ads/campaign_form.html", {"form": form, "campaign": None})


@require_http_methods(["GET", "POST"])
@login_required
@handles_errors
def campaign_edit(request, pk):
    campaign = selectors.owned_campaign(request.user, pk)
    if request.method == "POST":
        form = CampaignForm(request.POST)
    else:
        form = CampaignForm.for_campaign(campaign)
    if _saved(
        request,
        form,
        lambda: services.campaign_update(campaign=campaign, **form.service_values()),
        "Campaign saved.",
    ):
        return redirect("ads:campaign", campaign.pk)
    return render(request, "ads/campaign_form.html", {"form": form, "campaign": campaign})


@require_GET
@login_required
@handles_errors
def campaign_detail(request, pk):
    campaign = selectors.owned_campaign(request.user, pk)
    start, end = report_dates(campaign, request.GET)
    report = selectors.campaign_report(campaign, start=start, end=end)
    context = {
        "campaign": campaign,
        "report": report,
        "charts": report_charts(report),
        "topics": [h.name for h in campaign.topics.all()],
    }
    if wants_fragment(request):
        return render(request, "ads/_report.html", context)
    context["creatives"] = list(selectors.creatives_of(campaign))
    return render(request, "ads/campaign.html", context)


@require_POST
@login_required
@handles_errors
def campaign_state(request, pk, action):
    """Submit, pause or resume; htmx gets the campaign's header back."""
    campaign = selectors.owned_campaign(request.user, pk)
    change, message = STATE_ACTIONS[action]
    try:
        change(campaign=campaign)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, message)
    if wants_fragment(request):
        return render(request, "ads/_campaign_head.html", {"campaign": campaign})
    return redirect("ads:campaign", campaign.pk)


@require_http_methods(["GET", "POST"])
@login_required
@handles_errors
def creative_create(request, pk):
    campaign = selectors.owned_campaign(request.user, pk)
    form = CreativeForm(request.POST or None, request.FILES or None)
    if _saved(
        request,
        form,
        lambda: services.creative_create(campaign=campaign, **form.cleaned_data),
        "Ad saved. It is shown once staff approve it.",
    ):
        return redirect("ads:campaign", campaign.pk)
    context = {"form": form, "campaign": campaign, "creative": None}
    return render(request, "ads/creative_form.html", context)


@require_http_methods(["GET", "POST"])
@login_required
@handles_errors
def creative_edit(request, pk):
    creative = selectors.owned_creative(request.user, pk)
    campaign = creative.campaign
    if request.method == "POST":
        form = CreativeForm(request.POST, request.FILES)
    else:
        fields = ("headline", "text", "link", "image")
        form = CreativeForm(initial={f: getattr(creative, f) for f in fields})

    def save():
        # The image field's False means "clear it"; None (nothing uploaded) keeps the old one.
        values = dict(form.cleaned_data)
        image = values.pop("image")
        return services.creative_update(
            creative=creative, image=image or None, clear_image=image is False, **values
        )

    if _saved(request, form, save, "Ad saved. It goes back to review before it shows."):
        return redirect("ads:campaign", campaign.pk)
    context = {"form": form, "campaign": campaign, "creative": creative}
    return render(request, "ads/creative_form.html", context)


# --- what every person does with an ad -------------------------------------------------


@require_GET
@handles_errors
def click(request, token):
    """Record the click (charging it once) and go to the ad's link. The signed token is the
    authority: no login is needed, so a token-authenticated client's link works in a
    browser too."""
    return HttpResponseRedirect(click_record(token, address=client_ip(request)).link)


@require_POST
@login_required
@handles_errors
def hide(request, advertiser_id):
    advertiser = services.advertiser_hide(person=request.user, advertiser_id=advertiser_id)
    if request.htmx:
        return render(request, "ads/_hidden_notice.html", {"advertiser": advertiser})
    messages.success(request, f"You will not see ads from {advertiser.name} again.")
    return redirect(back_url(request, default="home"))


@require_POST
@login_required
@handles_errors
def unhide(request, advertiser_id):
    services.advertiser_unhide(person=request.user, advertiser_id=advertiser_id)
    if request.htmx:
        return render(request, "ads/_hidden_notice.html", {"undone": True})
    messages.success(request, "You may see this advertiser's ads again.")
    return redirect(back_url(request, default=reverse("ads:hidden")))


@require_GET
@login_required
def hidden(request):
    """The advertisers you hid, with a way back."""
    return render(
        request, "ads/hidden.html", {"hidden": selectors.hidden_advertisers(request.user)}
    )
