"""Rasa as the product runs it: the model trained only when its inputs changed, and the commands and
endpoints that start the Rasa server and the action server from settings."""
from __future__ import annotations

import fcntl
import hashlib
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlparse

import yaml

from basics.settings import PROJECT_ROOT, Settings

CONFIG = PROJECT_ROOT / "config.yml"
DOMAIN = PROJECT_ROOT / "nlu_data" / "domain.yml"
TRAINING_DATA = (PROJECT_ROOT / "nlu_data" / "nlu", PROJECT_ROOT / "nlu_data" / "core")
CREDENTIALS = PROJECT_ROOT / "credentials.yml"
RASA_ENV = {"RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2"}


def model_inputs(config: Path = CONFIG) -> list[Path]:
    files = [config, DOMAIN]
    for folder in TRAINING_DATA:
        files += sorted(folder.rglob("*.yml"))
    return files


def model_hash(config: Path = CONFIG) -> str:
    """A hash of everything training reads, and of the Rasa version, so a model is reused exactly while valid."""
    import rasa

    digest = hashlib.sha256(rasa.__version__.encode())
    for path in model_inputs(config):
        digest.update(str(path.relative_to(PROJECT_ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def ensure_model(settings: Settings, config: Path = CONFIG, quiet: bool = False) -> Path:
    """The trained model for the current inputs, training it first if there is none."""
    name = f"{config.stem}-{model_hash(config)}"
    model = settings.models_dir / f"{name}.tar.gz"
    if model.exists():
        return model
    settings.models_dir.mkdir(parents=True, exist_ok=True)
    # Several processes may need the model at once (parallel test workers, two replicas): one trains, the
    # others wait for it, and nobody reads a half-written archive.
    with open(settings.models_dir / f".{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if model.exists():
            return model
        print(f"Training the conversation model ({config.name}); this happens only when training data changes.", flush=True)
        with tempfile.TemporaryDirectory(dir=settings.models_dir) as building:
            command = [sys.executable, "-m", "rasa", "train", "--config", str(config), "--domain", str(DOMAIN),
                       "--data", *map(str, TRAINING_DATA), "--out", building, "--fixed-model-name", name]
            subprocess.run(command, check=True, cwd=PROJECT_ROOT, env={**os.environ, **RASA_ENV},
                           stdout=subprocess.DEVNULL if quiet else None)
            os.replace(Path(building) / model.name, model)  # appears whole, or not at all
    return model


def endpoints(settings: Settings) -> dict:
    """Rasa's endpoints from settings: action server, SQL tracker store, and Redis locks when configured."""
    if settings.tracker_db_url:
        url = urlparse(settings.tracker_db_url)
        tracker = {"type": "SQL", "dialect": "postgresql", "url": url.hostname, "port": url.port or 5432,
                   "db": url.path.lstrip("/"), "username": url.username or "", "password": url.password or ""}
    else:
        tracker = {"type": "SQL", "dialect": "sqlite", "db": str(settings.data_dir / "rasa_tracker.sqlite3")}
    action = {"url": settings.actions_url, "headers": {"Authorization": f"Bearer {settings.kept_secret('actions_secret')}"}}
    config: dict = {"action_endpoint": action, "tracker_store": tracker}
    if settings.lock_store_url:
        url = urlparse(settings.lock_store_url)
        config["lock_store"] = {"type": "redis", "url": url.hostname, "port": url.port or 6379,
                                "db": int(url.path.lstrip("/") or 0), "key_prefix": "mygov"}
    return config


def _write_yaml(settings: Settings, name: str, content: dict) -> Path:
    """A file Rasa reads, generated from settings into the data directory (private: it may hold a secret)."""
    settings.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = settings.data_dir / name
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(yaml.safe_dump(content, sort_keys=False))
    return path


def write_endpoints(settings: Settings) -> Path:
    return _write_yaml(settings, "endpoints.yml", endpoints(settings))


# Messenger channels, added to the channels of credentials.yml when their token is set. Only the class
# goes into the file: the channels read their tokens and secrets from settings, so none is written out.
MESSENGER_CHANNELS = (("telegram_token", "assistant.channels.telegram.TelegramInput"),
                      ("facebook_page_token", "assistant.channels.facebook.FacebookInput"))


def credentials(settings: Settings) -> dict:
    """Rasa's channels: those of credentials.yml, plus each messenger whose token is configured."""
    channels = yaml.safe_load(CREDENTIALS.read_text()) or {}
    for setting, channel in MESSENGER_CHANNELS:
        if getattr(settings, setting):
            channels.setdefault(channel, None)
    return channels


def write_credentials(settings: Settings) -> Path:
    return _write_yaml(settings, "credentials.yml", credentials(settings))


def cors_origins(settings: Settings) -> list[str]:
    """Browser origins that may call Rasa over HTTP: the configured ones, else the product's own web page."""
    return list(settings.cors_origins) or [settings.web_url]


def rasa_server_command(settings: Settings, model: Path) -> list[str]:
    return [sys.executable, "-m", "assistant.rasa_server", "run", "--model", str(model),
            "--endpoints", str(write_endpoints(settings)), "--credentials", str(write_credentials(settings)),
            "--interface", settings.rasa_host, "--port", str(settings.rasa_port), "--cors", *cors_origins(settings)]


def action_server_command(settings: Settings) -> list[str]:
    return [sys.executable, "-m", "assistant.action_server"]
