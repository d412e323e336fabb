"""What the server served, signed into the page: the serve token.

The home feed signs one token per page (the viewer, the surface, the experiment arm and the
model version that chose the posts, and when) and every card (`data-serve`) and every API
timeline item (`serve`) carries it; beacons and bots echo it. Ingestion takes the arm and
the model version from a token that checks out (ours, for this person, at most a day old),
never from the client, so nobody can choose their own arm or credit a model version with
what it did not place. A missing or forged token means no arm and no model version for that
item; the rest of the batch is unaffected.
"""

from dataclasses import dataclass

from django.core import signing

SALT = "analytics.serve"  # named when the log lived in analytics; tokens in pages still use it
MAX_AGE_SECONDS = 24 * 3600  # beacons may arrive up to a day late


@dataclass(frozen=True)
class Served:
    surface: str
    arm: str
    model_version: int | None


def serve_token(*, viewer_id: int, surface: str, arm: str, model_version: int | None) -> str:
    payload = {"u": viewer_id, "s": surface, "a": arm, "m": model_version}
    return signing.dumps(payload, salt=SALT, compress=True)


def served_by(token, *, viewer_id: int) -> Served | None:
    """What a token says was served to this viewer, or None (missing, forged, someone
    else's, or too old)."""
    if not isinstance(token, str) or not token or len(token) > 500:
        return None
    try:
        data = signing.loads(token, salt=SALT, max_age=MAX_AGE_SECONDS)
        if int(data["u"]) != viewer_id:
            return None
        version = data.get("m")
        return Served(
            surface=str(data.get("s") or ""),
            arm=str(data.get("a") or "")[:32],
            model_version=None if version is None else int(version),
        )
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
