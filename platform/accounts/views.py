from django.contrib import messages
from django.contrib.auth import get_user_model, login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import services, tokens
from accounts.forms import DeleteAccountForm, LoginForm, PrivacyForm, ProfileForm, SignupForm
from accounts.privacy import account_delete, export_as_zip
from flywheel.errors import NotFound
from flywheel.forms import add_validation_error
from flywheel.net import client_ip
from flywheel.ratelimit import RateLimited


def _next_url(request, default="home"):
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


@require_http_methods(["GET", "POST"])
def signup_view(request):
    if request.user.is_authenticated:
        return redirect("home")
    form = SignupForm(request.POST or None)
    status, retry_after = 200, 0
    if request.method == "POST" and form.is_valid():
        try:
            user = services.signup(address=client_ip(request), **form.cleaned_data)
        except ValidationError as error:
            add_validation_error(form, error)
        except RateLimited as limited:
            form.add_error(None, str(limited))
            status, retry_after = 429, limited.retry_after
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request,
                f"Welcome to Flywheel, @{user.username}! For you starts from your interests "
                "and the week's popular posts; follow people and groups to make it yours.",
            )
            return redirect("home")
    if form.errors and status == 200:
        status = 400
    response = render(request, "accounts/signup.html", {"form": form}, status=status)
    if status == 429:
        response["Retry-After"] = str(retry_after)
    return response


@require_http_methods(["GET", "POST"])
def login_view(request):
    form = LoginForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            user = services.login_attempt(
                request=request,
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
                address=client_ip(request),
            )
        except services.LoginLocked as locked:
            form.add_error(None, str(locked))
            status = 429
        except ValidationError as error:
            add_validation_error(form, error)
            status = 400
        else:
            login(request, user)
            return redirect(_next_url(request))
    elif form.errors:
        status = 400
    context = {"form": form, "next": _next_url(request, default="")}
    return render(request, "accounts/login.html", context, status=status)


@require_POST
def logout_view(request):
    logout(request)
    messages.info(request, "You are logged out. See you soon.")
    return redirect("accounts:login")


@login_required
@require_http_methods(["GET", "POST"])
def password_change_view(request):
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        # Other sessions end with the old password's hash; API tokens are revoked here.
        update_session_auth_hash(request, user)
        revoked = tokens.tokens_revoke_all(user=user)
        messages.success(
            request,
            "Your password has been changed; you were logged out everywhere else"
            + (
                f" and {revoked} API token{'s' if revoked != 1 else ''} revoked."
                if revoked
                else "."
            ),
        )
        return redirect("accounts:settings")
    status = 400 if form.errors else 200
    return render(request, "accounts/password_change.html", {"form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def profile_edit_view(request):
    # The form edits its own copy: request.user (shown in the navigation) must keep the saved
    # values when the form is invalid, and the service is the one that writes.
    editable = get_user_model().objects.get(pk=request.user.pk)
    form = ProfileForm(request.POST or None, request.FILES or None, instance=editable)
    if request.method == "POST" and form.is_valid():
        changes = {field: form.cleaned_data[field] for field in form.changed_data}
        if changes.get("avatar") is False:  # "clear" ticked on the file input
            changes["avatar"] = ""
        try:
            services.profile_update(user=request.user, **changes)
        except ValidationError as error:
            add_validation_error(form, error)
        else:
            messages.success(request, "Your profile is saved.")
            return redirect("accounts:profile_edit")
    status = 400 if form.errors else 200
    return render(request, "accounts/profile_edit.html", {"form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def settings_view(request):
    editable = get_user_model().objects.get(pk=request.user.pk)
    form = PrivacyForm(request.POST or None, instance=editable)
    if request.method == "POST" and form.is_valid():
        services.profile_update(user=request.user, **form.cleaned_data)
        if request.htmx:
            return render(
                request, "accounts/_privacy_form.html", {"form": PrivacyForm(instance=request.user)}
            )
        messages.success(request, "Your privacy settings are saved.")
        return redirect("accounts:settings")
    template = "accounts/_privacy_form.html" if request.htmx else "accounts/settings.html"
    context = {"form": form, "api_tokens": tokens.tokens_of(request.user)}
    return render(request, template, context, status=400 if form.errors else 200)


@login_required
@require_POST
def token_revoke_view(request, token_id: int):
    try:
        tokens.token_revoke(user=request.user, token_id=token_id)
    except NotFound as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "The token is revoked: programs using it must sign in again.")
    return redirect("accounts:settings")


@login_required
@require_GET
def export_view(request):
    archive = export_as_zip(request.user)
    name = f"flywheel-{request.user.username}-{timezone.now():%Y%m%d}.zip"
    response = HttpResponse(archive, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def delete_view(request):
    form = DeleteAccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            account_delete(user=request.user, password=form.cleaned_data["password"])
        except ValidationError as error:
            add_validation_error(form, error)
        else:
            logout(request)
            messages.info(request, "Your account and everything in it have been deleted.")
            return redirect("home")
    status = 400 if form.errors else 200
    return render(request, "accounts/delete.html", {"form": form}, status=status)
