"""The Docker setup agrees with the one entrypoint that every Flywheel process runs through.

docker/entrypoint.sh is the single source of truth for the process roles; the compose file,
the Dockerfile and the Procfile (which CI runs through `make run`) must only use roles it
really has, so Docker and CI exercise the same entrypoints. No database or Docker engine is
needed: the files are parsed, and the image's health-check script is run against a stub.
"""

import http.server
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
ENTRYPOINT = REPO / "docker" / "entrypoint.sh"
DOCKERFILE = REPO / "docker" / "Dockerfile"
COMPOSE_FILE = REPO / "docker" / "compose.yml"
PROCFILE = REPO / "Procfile"
APP_PROCESSES = ("web", "worker", "beat")


# --- Parsing helpers ------------------------------------------------------------------------


def entrypoint_roles() -> set[str]:
    """The roles of entrypoint.sh: the arms of its `case "$role" in ... esac`, minus `*`."""
    script = ENTRYPOINT.read_text()
    body = re.search(r'^\s*case "\$role" in\s*$(.*?)^\s*esac\s*$', script, re.M | re.S)
    assert body, 'entrypoint.sh has no `case "$role" in ... esac` block'
    roles = set()
    for arm in re.findall(r"^\s*([A-Za-z0-9_|*-]+)\)\s*$", body.group(1), re.M):
        roles.update(pattern for pattern in arm.split("|") if pattern != "*")
    return roles


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, with continuation lines joined and comments dropped."""
    instructions, pending = [], ""
    for line in DOCKERFILE.read_text().splitlines():
        if line.strip().startswith("#"):
            continue
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1] + " "
            continue
        logical = (pending + line).strip()
        pending = ""
        if logical:
            keyword, _, arguments = logical.partition(" ")
            instructions.append((keyword.upper(), arguments.strip()))
    return instructions


def dockerfile_values(keyword: str) -> list[str]:
    return [arguments for name, arguments in dockerfile_instructions() if name == keyword]


def exec_form(arguments: str) -> list[str]:
    """An instruction's arguments as a list: JSON exec form, or shell form split into words."""
    return json.loads(arguments) if arguments.startswith("[") else shlex.split(arguments)


def healthcheck_script() -> str:
    """The health-check script the Dockerfile writes with `printf '%s\\n' 'line' ...`."""
    for arguments in dockerfile_values("RUN"):
        if "> /usr/local/bin/flywheel-healthcheck" in arguments:
            words = shlex.split(arguments.split(">", 1)[0])
            assert words[:2] == ["printf", "%s\\n"], words[:2]
            return "\n".join(words[2:]) + "\n"
    raise AssertionError("the Dockerfile does not write /usr/local/bin/flywheel-healthcheck")


def compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text())


def our_image_services(config: dict) -> dict[str, dict]:
    """Services that run the Flywheel image: they build docker/Dockerfile, or reuse its tag."""
    services = config["services"]
    built = {
        name: service
        for name, service in services.items()
        if isinstance(service.get("build"), dict)
        and service["build"].get("dockerfile") == "docker/Dockerfile"
    }
    tags = {service["image"] for service in built.values() if "image" in service}
    reusing = {
        name: service
        for name, service in services.items()
        if name not in built and service.get("image") in tags
    }
    return built | reusing


def command_words(service: dict) -> list[str]:
    """What the entrypoint receives: the service's command, else the Dockerfile's CMD."""
    command = service.get("command")
    if command is None:
        (cmd,) = dockerfile_values("CMD")
        return exec_form(cmd)
    return shlex.split(command) if isinstance(command, str) else list(command)


def procfile_roles() -> dict[str, str]:
    """Procfile process name -> the entrypoint.sh role it runs."""
    roles = {}
    for line in PROCFILE.read_text().splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        name, command = line.split(":", 1)
        words = shlex.split(command)
        runs = [i for i, word in enumerate(words) if word.endswith("docker/entrypoint.sh")]
        assert runs, f"Procfile process {name!r} does not go through docker/entrypoint.sh"
        assert len(words) > runs[0] + 1, f"Procfile process {name!r} names no role"
        roles[name.strip()] = words[runs[0] + 1]
    return roles


# --- entrypoint.sh --------------------------------------------------------------------------


def test_entrypoint_roles_are_parsed_from_the_case_arms():
    roles = entrypoint_roles()
    # Guards the parser: an empty or partial set would make every test below vacuous.
    assert {"web", "worker", "beat", "bots", "migrate", "manage"} <= roles
    assert "*" not in roles


def test_entrypoint_exists_and_is_executable():
    assert ENTRYPOINT.is_file()
    assert os.access(ENTRYPOINT, os.X_OK), "docker/entrypoint.sh must be executable"
    assert ENTRYPOINT.read_text().startswith("#!")


# --- compose.yml ----------------------------------------------------------------------------


def test_compose_runs_the_processes_and_their_backing_services():
    services = compose()["services"]
    for name in ("postgres", "redis", *APP_PROCESSES, "bots"):
        assert name in services, f"compose.yml has no {name} service"
    assert services["postgres"]["image"].startswith("postgres:15")
    assert services["redis"]["image"].startswith("redis:7")
    assert set(APP_PROCESSES) <= set(our_image_services(compose()))


def test_every_service_of_our_image_runs_a_real_entrypoint_role():
    roles = entrypoint_roles()
    services = our_image_services(compose())
    assert services, "no compose service builds docker/Dockerfile"
    for name, service in services.items():
        # Overriding the entrypoint would bypass the roles (and the database wait) entirely.
        assert "entrypoint" not in service, f"{name} overrides the image's entrypoint"
        words = command_words(service)
        assert words, f"{name} has an empty command"
        assert words[0] in roles, f"{name} runs role {words[0]!r}; entrypoint.sh has {roles}"


def test_app_services_run_the_role_of_their_name():
    services = compose()["services"]
    for name in (*APP_PROCESSES, "bots"):
        assert command_words(services[name])[0] == name


def test_bots_wait_behind_a_profile_until_run_bots_exists():
    assert compose()["services"]["bots"].get("profiles") == ["bots"]


def test_dockerfile_default_command_is_a_real_role():
    (cmd,) = dockerfile_values("CMD")
    assert exec_form(cmd)[0] in entrypoint_roles()


def _condition(service: dict, dependency: str) -> str | None:
    depends_on = service.get("depends_on") or {}
    if isinstance(depends_on, list):  # the short form only waits for "started"
        return "service_started" if dependency in depends_on else None
    return (depends_on.get(dependency) or {}).get("condition")


def test_processes_wait_for_healthy_postgres_and_redis():
    services = compose()["services"]
    for name in APP_PROCESSES:
        for backing in ("postgres", "redis"):
            assert _condition(services[name], backing) == "service_healthy", (
                f"{name} must depend on {backing} with condition service_healthy"
            )


def _has_healthcheck(config: dict, name: str) -> bool:
    service = config["services"][name]
    check = service.get("healthcheck") or {}
    if check.get("disable") is True:
        return False
    if check.get("test"):
        return check["test"] not in (["NONE"], "NONE")
    # No test of its own: it inherits the image's HEALTHCHECK, if it runs our image.
    return name in our_image_services(config) and bool(dockerfile_values("HEALTHCHECK"))


def test_every_dependency_condition_can_be_met():
    config = compose()
    services = config["services"]
    for name, service in services.items():
        depends_on = service.get("depends_on") or {}
        for dependency in depends_on:
            assert dependency in services, f"{name} depends on unknown service {dependency}"
            condition = _condition(service, dependency)
            if condition == "service_healthy":
                assert _has_healthcheck(config, dependency), (
                    f"{name} waits for {dependency} to be healthy, but it has no health check"
                )
            if condition == "service_completed_successfully":
                assert services[dependency].get("restart", "no") == "no", (
                    f"{dependency} is waited on to complete, so it must not restart"
                )


def test_backing_services_have_health_checks():
    services = compose()["services"]
    assert "pg_isready" in " ".join(services["postgres"]["healthcheck"]["test"])
    assert services["redis"]["healthcheck"]["test"][-2:] == ["redis-cli", "ping"]


def test_web_has_a_health_check_that_calls_healthz():
    config = compose()
    check = config["services"]["web"].get("healthcheck")
    assert check and not check.get("disable"), "web needs a health check"
    test = " ".join(check["test"]) if isinstance(check["test"], list) else check["test"]
    assert "healthz" in test or "flywheel-healthcheck" in test
    if "flywheel-healthcheck" in test:
        assert "/healthz?worker=0" in healthcheck_script()


def test_shared_environment_points_at_postgres_and_redis_in_production_mode():
    config = compose()
    for name, service in our_image_services(config).items():
        env = service["environment"]
        assert env["DATABASE_URL"].startswith("postgres://")
        if name == "migrate":  # schema changes go straight to PostgreSQL
            assert "@postgres:" in env["DATABASE_URL"]
        else:  # everything else through the pool, with the settings it needs
            assert "@pgbouncer:" in env["DATABASE_URL"]
            assert env["DATABASE_TRANSACTION_POOLING"] == "true"
        assert env["CELERY_BROKER_URL"].startswith("redis://redis:")
        assert env["CACHE_URL"].startswith("redis://redis:")
        assert str(env["DEBUG"]).lower() == "false", f"{name} must run with DEBUG off"
        assert env["SECRET_KEY"], f"{name} has no SECRET_KEY"
        assert env["ALLOWED_HOSTS"]
        assert env["MODEL_ROOT"].startswith("/data/") and env["MEDIA_ROOT"].startswith("/data/")


def _data_volume(service: dict) -> str | None:
    for mount in service.get("volumes", []):
        source, _, target = mount.partition(":")
        if target.split(":")[0] == "/data":
            return source
    return None


def test_web_and_worker_share_nothing_but_the_backing_services():
    """They may run on different hosts: artifacts and media travel through object storage,
    database connections through PgBouncer, never through a shared volume."""
    config = compose()
    services = config["services"]
    for name in APP_PROCESSES:
        assert _data_volume(services[name]) is None, f"{name} mounts a shared /data volume"
        env = services[name]["environment"]
        assert env["S3_ENDPOINT_URL"] == "http://minio:9000"
        assert env["MEDIA_BUCKET"] and env["MODEL_BUCKET"]
        assert env["AWS_ACCESS_KEY_ID"] and env["AWS_SECRET_ACCESS_KEY"]
        for backing in ("pgbouncer", "minio"):
            assert _condition(services[name], backing) == "service_healthy"
    assert services["pgbouncer"]["environment"]["POOL_MODE"] == "transaction"
    assert "jit=off" in services["postgres"]["command"]  # PgBouncer refuses it per connection
    postgres_mounts = services["postgres"].get("volumes", [])
    assert any(mount.endswith(":/var/lib/postgresql/data") for mount in postgres_mounts)
    assert any(mount.endswith(":/data") for mount in services["minio"]["volumes"])


def test_the_migrate_role_creates_the_buckets():
    migrate = re.search(r"^\s*migrate\)\s*$(.*?);;", ENTRYPOINT.read_text(), re.M | re.S)
    assert migrate and "ensure_buckets" in migrate.group(1)


def test_images_are_built_from_the_repository_root():
    for name, service in our_image_services(compose()).items():
        build = service.get("build")
        if build:
            assert build["context"] == "..", f"{name} must build with the repo root as context"
            assert (COMPOSE_FILE.parent / build["context"] / build["dockerfile"]).resolve() == (
                DOCKERFILE
            )


@pytest.mark.skipif(shutil.which("docker") is None, reason="the docker client is not installed")
def test_docker_compose_accepts_the_file():
    version = subprocess.run(
        ["docker", "compose", "version"], capture_output=True, text=True, check=False
    )
    if version.returncode != 0:
        pytest.skip("the docker client has no compose plugin (`docker compose` is unavailable)")
    env = {**os.environ, "SECRET_KEY": "x" * 10 + "compose-config-check-" + "y" * 30}
    result = subprocess.run(
        ["docker", "compose", "-f", str(COMPOSE_FILE), "--profile", "bots", "config", "-q"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr


# --- Dockerfile -----------------------------------------------------------------------------


def test_dockerfile_uses_a_slim_python_base():
    bases = dockerfile_values("FROM")
    assert bases, "the Dockerfile has no FROM"
    assert all("slim" in base for base in bases), bases
    assert bases[-1].split()[0].startswith("python:3.11-slim")


def test_dockerfile_runs_as_a_non_root_user():
    users = dockerfile_values("USER")
    assert users, "the Dockerfile never switches away from root"
    user = users[-1].split(":")[0]
    assert user not in ("root", "0"), f"the final USER is {users[-1]!r}"


def test_dockerfile_entrypoint_is_the_shared_entrypoint_script():
    (entrypoint,) = dockerfile_values("ENTRYPOINT")
    words = exec_form(entrypoint)
    script = next((word for word in words if word.endswith("docker/entrypoint.sh")), None)
    assert script, f"ENTRYPOINT {words} does not run docker/entrypoint.sh"
    (workdir,) = dockerfile_values("WORKDIR")
    # The script is taken from the copied source tree, so it must be the repo's own file.
    assert script in (f"{workdir}/docker/entrypoint.sh", "docker/entrypoint.sh")
    assert ENTRYPOINT.is_file() and os.access(ENTRYPOINT, os.X_OK)


def test_dockerfile_keeps_the_source_tree_and_installs_it_editable():
    runs = " ".join(dockerfile_values("RUN"))
    assert re.search(r"pip install [^&]*-e \.", runs), "the project must be installed editable"
    assert any(arguments.split()[0] == "." for arguments in dockerfile_values("COPY"))
    assert "collectstatic" in runs


def test_dockerfile_exposes_the_web_port_and_keeps_data_under_data():
    assert "8000" in " ".join(dockerfile_values("EXPOSE")).split()
    env = " ".join(dockerfile_values("ENV"))
    for setting in (
        "PYTHONUNBUFFERED=1",
        "PIP_NO_CACHE_DIR=1",
        "MODEL_ROOT=/data/",
        "MEDIA_ROOT=/data/",
    ):
        assert setting in env, f"the Dockerfile does not set {setting}"


def test_dockerfile_health_check_runs_the_script_it_writes():
    (check,) = dockerfile_values("HEALTHCHECK")
    assert "CMD" in check and "flywheel-healthcheck" in check
    script = healthcheck_script()
    compile(script, "flywheel-healthcheck", "exec")
    assert "/healthz?worker=0" in script
    assert "curl" not in script and "urllib" in script


class _StubSite(http.server.BaseHTTPRequestHandler):
    status = 200
    seen: list

    def do_GET(self):
        self.seen.append((self.path, self.headers.get("Host")))
        self.send_response(self.status)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


@pytest.mark.parametrize(("status", "healthy"), [(200, True), (503, False)])
def test_health_check_script_asks_healthz_with_an_allowed_host(tmp_path, status, healthy):
    handler = type("Handler", (_StubSite,), {"status": status, "seen": []})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    script = tmp_path / "flywheel-healthcheck"
    script.write_text(healthcheck_script())
    try:
        result = subprocess.run(
            [sys.executable, str(script)],
            env={
                **os.environ,
                "PORT": str(server.server_address[1]),
                "ALLOWED_HOSTS": "flywheel.example,localhost",
            },
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    finally:
        server.shutdown()
        server.server_close()
    assert handler.seen == [("/healthz?worker=0", "flywheel.example")]
    assert (result.returncode == 0) is healthy, result.stderr


def test_dockerignore_keeps_local_state_out_of_the_image():
    ignored = {
        line.strip().rstrip("/")
        for line in (REPO / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert {".git", ".venv", "var"} <= ignored


# --- Procfile -------------------------------------------------------------------------------


def test_procfile_processes_run_real_entrypoint_roles():
    roles = entrypoint_roles()
    processes = procfile_roles()
    assert set(APP_PROCESSES) <= set(processes), "the Procfile must run web, worker and beat"
    for name, role in processes.items():
        assert role in roles, f"Procfile {name} runs role {role!r}; entrypoint.sh has {roles}"


def test_procfile_and_compose_run_the_same_role_for_each_process():
    """CI runs the Procfile (`make run`); Docker runs compose: both must mean the same thing."""
    services = compose()["services"]
    for name, role in procfile_roles().items():
        if name in services:
            assert command_words(services[name])[0] == role, (
                f"Procfile {name} runs role {role!r} but compose {name} runs "
                f"{command_words(services[name])[0]!r}"
            )
