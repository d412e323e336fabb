"""Finding 3: production could run with DEBUG on and the public development SECRET_KEY (the
image never set DEBUG, and the key check ran only with DEBUG off); with that key anyone
could sign click links. Each case starts a fresh interpreter with its own environment."""

import secrets

from tests.flywheel.test_settings import PROBE, REPO, probe, production_env, run_python


def test_without_the_development_flag_debug_is_off_and_a_real_key_is_required(tmp_path):
    """An image or a server started with nothing set never runs with DEBUG on or the public
    development key (before, DEBUG defaulted to on and the key check was skipped)."""
    result = run_python(PROBE, tmp_path)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
    conf = probe(
        tmp_path,
        FLYWHEEL_DEVELOPMENT="false",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="flywheel.example",
    )
    assert conf["debug"] is False


def test_debug_on_needs_the_explicit_development_flag(tmp_path):
    result = run_python(
        PROBE, tmp_path, DEBUG="true", **{k: v for k, v in production_env().items() if k != "DEBUG"}
    )
    assert result.returncode != 0
    assert "FLYWHEEL_DEVELOPMENT" in result.stderr
    assert probe(tmp_path, DEBUG="true", FLYWHEEL_DEVELOPMENT="true")["debug"] is True


def test_the_docker_image_and_compose_run_with_debug_off():
    dockerfile = (REPO / "docker" / "Dockerfile").read_text()
    assert "DEBUG=false" in dockerfile.split("RUN", 1)[0]  # in the image's own ENV
    assert "FLYWHEEL_DEVELOPMENT=" not in dockerfile
    compose = (REPO / "docker" / "compose.yml").read_text()
    assert 'DEBUG: "false"' in compose
    assert "FLYWHEEL_DEVELOPMENT" not in compose
