"""Structure of the production deployment: docker-compose.yml, .env.example, deploy/Dockerfile.

These read the files as data, so they run without Docker; only the last test asks the docker CLI
to validate the file, and skips when there is no compose to ask.
"""
from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "docker-compose.yml"
ENV_EXAMPLE = ROOT / ".env.example"
DOCKERFILE = ROOT / "deploy" / "Dockerfile"

AIRFLOW_SERVICES = [
    "airflow-init",
    "airflow-apiserver",
    "airflow-scheduler",
    "airflow-dag-processor",
    "airflow-triggerer",
    "airflow-worker",
    "airflow-worker-warehouse",
]
LONG_RUNNING = [s for s in AIRFLOW_SERVICES if s != "airflow-init"]
WORKERS = ["airflow-worker", "airflow-worker-warehouse"]

# ${VAR}, ${VAR:-default}, ${VAR:?message} ...; `$${...}` is compose's escape for a literal `$`.
SUBSTITUTION = re.compile(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)")
# The whole value is one substitution that has no default, so nothing secret can hide in it.
BARE_SUBSTITUTION = re.compile(r"^\$\{[A-Za-z_][A-Za-z0-9_]*(:?\?[^}]*)?\}$")
SECRET_NAME = re.compile(r"PASSWORD|SECRET|KEY|TOKEN", re.IGNORECASE)


@pytest.fixture(scope="module")
def raw() -> str:
    return COMPOSE_FILE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def compose(raw: str) -> dict:
    return yaml.safe_load(raw)


@pytest.fixture(scope="module")
def services(compose: dict) -> dict:
    return compose["services"]


def env_of(service: dict) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):  # the `- KEY=value` form
        env = dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {key: "" if value is None else str(value) for key, value in env.items()}


def argv(service: dict) -> list[str]:
    """The command as argv, without the optional leading `airflow` the image's entrypoint drops."""
    command = service.get("command")
    words = shlex.split(command) if isinstance(command, str) else [str(w) for w in command or []]
    return words[1:] if words[:1] == ["airflow"] else words


def env_example_names() -> set[str]:
    names = set()
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            names.add(line.split("=", 1)[0].removeprefix("export ").strip())
    return names


def strings_in(node) -> list[str]:
    """Every key and value of the parsed file: what compose interpolates (comments are not)."""
    if isinstance(node, dict):
        return [s for key, value in node.items() for s in (*strings_in(key), *strings_in(value))]
    if isinstance(node, list):
        return [s for item in node for s in strings_in(item)]
    return [node] if isinstance(node, str) else []


def walk_env(services: dict):
    for name, service in services.items():
        for key, value in env_of(service).items():
            yield name, key, value


def option_values(words: list[str], *flags: str) -> list[str]:
    values = []
    for i, word in enumerate(words):
        for flag in flags:
            if word == flag and i + 1 < len(words):
                values.append(words[i + 1])
            elif word.startswith(flag + "="):
                values.append(word.split("=", 1)[1])
    return values


def test_every_service_exists(services: dict) -> None:
    assert {"postgres", "redis", *AIRFLOW_SERVICES} <= set(services)


def test_postgres_and_redis_have_healthchecks(services: dict) -> None:
    assert services["postgres"]["image"].startswith("postgres:16")
    assert "pg_isready" in " ".join(services["postgres"]["healthcheck"]["test"])
    assert "ping" in services["redis"]["healthcheck"]["test"]


@pytest.mark.parametrize("name", AIRFLOW_SERVICES)
def test_airflow_service_uses_celery_postgres_and_redis(services: dict, name: str) -> None:
    env = env_of(services[name])
    assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].startswith("postgresql+psycopg2://")
    assert "@postgres:5432/" in env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]
    assert env["AIRFLOW__CELERY__RESULT_BACKEND"].startswith("db+postgresql://")
    assert "@postgres:5432/" in env["AIRFLOW__CELERY__RESULT_BACKEND"]
    assert env["AIRFLOW__CELERY__BROKER_URL"] == "redis://redis:6379/0"
    assert env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == "http://airflow-apiserver:8080/execution/"
    assert env["AIRFLOW__CORE__DAGS_FOLDER"] == "/opt/chanjiao/dags"
    assert env["AIRFLOW__CORE__LOAD_EXAMPLES"] == "False"
    assert env["CHANJIAO_HOME"] == "/opt/chanjiao/var"
    for secret in ("CHANJIAO_PII_KEY", "AIRFLOW__API_AUTH__JWT_SECRET", "AIRFLOW__CORE__FERNET_KEY"):
        assert BARE_SUBSTITUTION.match(env[secret]), f"{name}: {secret} must come from .env"


@pytest.mark.parametrize("name", AIRFLOW_SERVICES)
def test_airflow_service_waits_for_healthy_postgres_and_redis(services: dict, name: str) -> None:
    depends_on = services[name]["depends_on"]
    assert depends_on["postgres"]["condition"] == "service_healthy"
    assert depends_on["redis"]["condition"] == "service_healthy"


@pytest.mark.parametrize("name", LONG_RUNNING)
def test_long_running_services_start_after_init(services: dict, name: str) -> None:
    assert services[name]["depends_on"]["airflow-init"]["condition"] == "service_completed_successfully"
    assert "healthcheck" in services[name]


@pytest.mark.parametrize("name", WORKERS)
def test_workers_wait_for_the_execution_api(services: dict, name: str) -> None:
    assert services[name]["depends_on"]["airflow-apiserver"]["condition"] == "service_healthy"


@pytest.mark.parametrize("name", AIRFLOW_SERVICES)
def test_project_and_state_are_mounted(services: dict, name: str) -> None:
    volumes = [str(v) for v in services[name]["volumes"]]
    assert ".:/opt/chanjiao" in volumes
    assert any(v.endswith(":/opt/chanjiao/var") and not v.startswith((".", "/")) for v in volumes), (
        "CHANJIAO_HOME must be a named volume"
    )


def test_named_volumes_are_declared(compose: dict) -> None:
    assert "chanjiao-var" in compose["volumes"]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("airflow-apiserver", ["api-server"]),
        ("airflow-scheduler", ["scheduler"]),
        ("airflow-dag-processor", ["dag-processor"]),
        ("airflow-triggerer", ["triggerer"]),
        ("airflow-worker", ["celery", "worker"]),
    ],
)
def test_commands(services: dict, name: str, expected: list[str]) -> None:
    assert argv(services[name]) == expected


def test_warehouse_worker_serves_only_the_warehouse_queue_one_at_a_time(services: dict) -> None:
    words = argv(services["airflow-worker-warehouse"])
    assert words[:2] == ["celery", "worker"]
    assert option_values(words, "--queues", "-q") == ["warehouse"]
    assert option_values(words, "--concurrency", "-c") == ["1"]


def test_general_worker_never_takes_warehouse_tasks(services: dict) -> None:
    words = argv(services["airflow-worker"])
    assert all("warehouse" not in q.split(",") for q in option_values(words, "--queues", "-q"))


def test_init_migrates_and_creates_the_one_slot_pool(services: dict) -> None:
    script = " ".join(argv(services["airflow-init"]))
    assert "airflow db migrate" in script
    pool = re.search(r"airflow pools set (\S+) (\d+)", script)
    assert pool and pool.groups() == ("chanjiao_warehouse", "1")
    assert script.index("airflow db migrate") < script.index("airflow pools set")


def test_secret_variables_come_from_env(services: dict) -> None:
    offenders = [
        f"{name}: {key}={value}"
        for name, key, value in walk_env(services)
        if SECRET_NAME.search(key) and not BARE_SUBSTITUTION.match(value)
    ]
    assert not offenders, "literal secrets (or secrets with defaults) in docker-compose.yml: " + ", ".join(offenders)


def test_passwords_in_urls_come_from_env(compose: dict) -> None:
    # scheme://user:password@host: the password must be one substitution without a default.
    for text in strings_in(compose):
        substitutions = re.findall(r"\$\{[^}]*\}", text)
        masked = re.sub(r"\$\{[^}]*\}", lambda m, subs=substitutions: f"\0{subs.index(m.group(0))}\0", text)
        for userinfo in re.findall(r"://([^/@\s]*)@", masked):
            if ":" not in userinfo:
                continue
            password = userinfo.split(":", 1)[1]
            placeholder = re.fullmatch(r"\0(\d+)\0", password)
            assert placeholder, f"literal password in URL: {text}"
            assert BARE_SUBSTITUTION.match(substitutions[int(placeholder.group(1))]), f"password default in: {text}"


def test_no_secret_looking_literal_anywhere(raw: str) -> None:
    # Fernet keys, token_hex / token_urlsafe output: long runs of key material, outside ${...}.
    # Names (AIRFLOW__CORE__...) are just as long, but key material mixes digits and lowercase.
    without_substitutions = re.sub(r"\$\{[^}]*\}", "", raw)
    runs = re.findall(r"[A-Za-z0-9_\-+/]{32,}={0,2}", without_substitutions)
    suspicious = [run for run in runs if re.search(r"\d", run) and re.search(r"[a-z]", run)]
    assert not suspicious, f"secret-looking literals in docker-compose.yml: {suspicious}"


def test_every_substituted_variable_is_in_env_example(compose: dict) -> None:
    used = {name for text in strings_in(compose) for name in SUBSTITUTION.findall(text)}
    assert used, "docker-compose.yml takes nothing from .env?"
    missing = used - env_example_names()
    assert not missing, f"add to .env.example: {sorted(missing)}"


def test_env_example_only_holds_placeholders() -> None:
    names = env_example_names()
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        if "=" in line and not line.lstrip().startswith("#"):
            key, value = line.split("=", 1)
            if SECRET_NAME.search(key):
                assert value.startswith("change-me"), f".env.example must not hold a real {key}"
    assert "CHANJIAO_PII_KEY" in names


def test_dot_env_is_git_ignored() -> None:
    lines = [line.strip() for line in (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()]
    assert ".env" in lines or "/.env" in lines


def test_image_installs_the_locked_dependencies_on_airflow_3_3_2(compose: dict) -> None:
    build = compose["x-airflow-common"]["build"]
    assert (ROOT / build["context"] / build["dockerfile"]).resolve() == DOCKERFILE
    dockerfile = DOCKERFILE.read_text(encoding="utf-8")
    assert re.search(r"^FROM apache/airflow:3\.3\.2-python3\.11\b", dockerfile, re.MULTILINE)
    assert "uv.lock" in dockerfile and "--frozen" in dockerfile and "--require-hashes" in dockerfile


def test_docker_compose_accepts_the_file() -> None:
    docker = shutil.which("docker")
    if docker is None:
        pytest.skip("docker CLI not installed: `docker compose config` validation not run")
    probe = subprocess.run([docker, "compose", "version"], capture_output=True, text=True)
    if probe.returncode != 0:
        pytest.skip(
            "docker CLI found but its compose plugin is missing (`docker compose version` failed): "
            "`docker compose config` validation not run"
        )
    result = subprocess.run(
        [docker, "compose", "-f", str(COMPOSE_FILE), "--env-file", str(ENV_EXAMPLE), "config", "-q"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("name", AIRFLOW_SERVICES)
def test_alert_channels_reach_every_airflow_service(services: dict, name: str) -> None:
    # the failure callback runs on whichever worker ran the task, the deadline check on the default worker
    env = env_of(services[name])
    for key in ("CHANJIAO_ALERT_EMAIL", "CHANJIAO_ALERT_WEBHOOK", "AIRFLOW__SMTP__SMTP_HOST", "AIRFLOW__SMTP__SMTP_MAIL_FROM"):
        assert key in env, f"{name}: {key}"
