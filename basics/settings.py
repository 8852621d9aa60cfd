"""The one place configuration is read: defaults, then a YAML settings file, then environment.

Every setting can be given as the environment variable ``MYGOV_<NAME>`` (upper case) or as
``name: value`` in the file named by ``MYGOV_SETTINGS_FILE`` (default ``mygov.yml`` in the
working directory, if present). Nothing else in the code reads the environment for its config.
"""
from __future__ import annotations

import dataclasses
import os
import secrets
import time
from dataclasses import dataclass, fields
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

import yaml

from basics.speech_rate import DEFAULT_RATE

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ENV_PREFIX = "MYGOV_"


@dataclass(frozen=True)
class Settings:
    """Typed settings; see docs/configuration.md for each one's meaning."""

    data_dir: Path = PROJECT_ROOT / "var"
    # Portal backend (our stand-in for My.gov.ge's API).
    portal_host: str = "127.0.0.1"
    portal_port: int = 8000
    database_url: str = ""  # empty: SQLite file in data_dir
    secret_key: str = ""  # empty: generated once and kept in data_dir
    token_ttl_seconds: int = 900
    lockout_attempts: int = 5
    lockout_minutes: int = 15
    otp_ttl_seconds: int = 300
    dev_outbox: bool = False  # one-time codes readable at /v1/dev/outbox: demo and tests only, loopback only
    source_throttle_after: int = 5  # failed secrets from one source before its growing delays start
    source_throttle_max_seconds: float = 900.0  # the longest delay a source is made to wait
    # Addresses whose X-Forwarded-For names the real source: the assistant's action servers (which pass the
    # channel's user) and reverse proxies. Loopback by default: on one machine, the assistant.
    trusted_proxies: tuple[str, ...] = ("127.0.0.1", "::1")
    # Retention: what is kept only as long as it is needed (swept every retention_sweep_seconds).
    conversation_retention_days: float = 30.0  # conversations in the tracker store
    outbox_retention_hours: float = 24.0  # development SMS outbox
    otp_retention_hours: float = 24.0  # one-time login challenges, used or not
    retention_sweep_seconds: float = 300.0
    agency_api_key: str = ""  # empty: generated once and kept in data_dir
    agency_reply_delay_seconds: float = 30.0  # the simulated agency answers after this long
    agency_worker_interval_seconds: float = 1.0
    max_body_bytes: int = 8 * 1024 * 1024
    attachment_max_bytes: int = 5 * 1024 * 1024
    attachment_types: tuple[str, ...] = ("application/pdf", "image/jpeg", "image/png", "text/plain")
    # How the assistant reaches the portal.
    portal_url: str = ""  # empty: http://portal_host:portal_port
    portal_timeout_seconds: float = 5.0
    portal_retries: int = 2
    # The conversation: Rasa server, action server, tracker and lock stores.
    rasa_host: str = "127.0.0.1"
    rasa_port: int = 5005
    actions_host: str = "127.0.0.1"
    actions_port: int = 5055
    tracker_db_url: str = ""  # empty: SQLite file in data_dir; postgresql://user:password@host:port/db to scale out
    lock_store_url: str = ""  # empty: in-process; redis://host:port/db when several Rasa processes share conversations
    models_dir: Path = PROJECT_ROOT / "models"
    # Voice (voice/): synthesis, recognition and the talk loop.
    voice_rate: int = DEFAULT_RATE  # words per minute, within basics/speech_rate.py; a user's own preference overrides it
    voice_volume: float = 1.0  # 0.0-2.0, espeak-ng amplitude 100 = 1.0
    voice_ka_gain_db: float = -3.0  # the Georgian espeak-ng voice peaks near full scale: keep it from clipping
    voice_engine: str = "espeak-ng"  # `assistant talk`'s speakers: espeak-ng | pyttsx3 (the platform's own voices)
    voice_cache_items: int = 256  # synthesised prompts kept in memory; also kept on disk in data_dir/voice-cache
    voice_asr_en: str = "sphinx"  # sphinx (offline) | google (online) | whisper (local faster-whisper) | none
    voice_asr_ka: str = "none"  # no offline Georgian recogniser exists: google (opt-in, online) | whisper | none
    voice_google_endpoint: str = "https://www.google.com/speech-api/v2/recognize"  # HTTPS, or http on loopback only
    voice_google_key: str = ""  # the operator's own key; required for the online engine
    voice_online_timeout_seconds: float = 5.0  # an online engine that has not answered by then is given up on
    voice_whisper_model: str = ""  # a local faster-whisper model directory; nothing is downloaded
    voice_vad_mode: int = 2  # webrtcvad aggressiveness 0-3
    voice_end_of_speech_ms: int = 700  # this much silence after speech ends the user's turn
    voice_max_utterance_seconds: float = 60.0  # longer recordings are refused with a message, never processed
    voice_confirm_below: float = 0.3  # recognitions less sure than this are confirmed: "Did you say ...?"
    # The web page with the chat widget (assistant/web/), and the speech endpoints the widget uses.
    web_host: str = "127.0.0.1"
    web_port: int = 8080
    web_rasa_url: str = ""  # empty: rasa_url; the address browsers use to reach Rasa's socket.io channel
    web_max_audio_bytes: int = 2 * 1024 * 1024  # a recording from the widget's microphone (about 60 s of Opus)
    web_speech_max_chars: int = 1000  # longest text the synthesis endpoint speaks
    web_speech_requests_per_minute: int = 60  # per source, for each speech endpoint
    cors_origins: tuple[str, ...] = ()  # origins allowed to call Rasa from a browser; empty: the web page's own
    rest_secret: str = ""  # empty: generated once and kept in data_dir; REST callers send Authorization: Bearer
    actions_secret: str = ""  # empty: generated once and kept in data_dir; Rasa sends it to the action server
    session_key: str = ""  # empty: generated once and kept in data_dir; signs web session resume secrets
    identity_key: str = ""  # empty: generated once and kept in data_dir; encrypts portal tokens at rest
    identity_db_url: str = ""  # empty: messenger_db_url, else tracker_db_url, else SQLite in data_dir
    pin_seal_seconds: float = 120.0  # a sealed PIN opens only this long after it was typed, and once
    session_warning_seconds: int = 780  # warn before the 15-minute session (and portal token) runs out
    pin_seal_key: str = ""  # empty: generated once and kept in data_dir; channels and actions must share it
    # Phone line (voice/phone/, `assistant phone`): a SIP endpoint on UDP; see docs/phone.md.
    phone_host: str = "127.0.0.1"  # SIP and RTP listen here; also the address put in SDP
    phone_port: int = 5080
    phone_language: str = "ka"  # ka | en: the language a call starts in (9 switches)
    phone_max_calls: int = 8  # more simultaneous calls are refused with 486 Busy Here
    phone_max_call_seconds: float = 900.0  # a call is ended politely after this long
    phone_silence_seconds: float = 8.0  # silence this long re-prompts once, then offers the keypad menu, then hangs up
    phone_digit_timeout_seconds: float = 4.0  # a pause after typed digits sends them, as # would
    phone_transcripts: bool = True  # per-call JSON transcript (digits hidden) in data_dir/phone-calls
    phone_registrar: str = ""  # host[:port] of a PBX or SIP trunk to register with; empty: direct calls only
    phone_username: str = ""
    phone_password: str = ""
    phone_register_seconds: int = 300
    phone_invites_per_minute: int = 20  # per source address; more are refused with 503 until the minute passes
    twilio_auth_token: str = ""  # checks X-Twilio-Signature; empty: the Twilio channel refuses every call
    twilio_public_url: str = ""  # the https base URL Twilio reaches us at (signatures cover the exact URL)
    # Messengers (assistant/channels/messengers.py): Telegram and Facebook Messenger through Rasa's channels.
    telegram_token: str = ""  # the bot's token from @BotFather; empty: no Telegram channel
    telegram_api_url: str = "https://api.telegram.org"  # the Bot API server (or a local one, or a test stand-in)
    telegram_webhook_url: str = ""  # public https URL Telegram posts updates to (.../webhooks/telegram/webhook); empty: not registered
    telegram_webhook_secret: str = ""  # empty: generated once and kept in data_dir; Telegram echoes it on every update
    facebook_page_token: str = ""  # the page access token; empty: no Messenger channel
    facebook_app_secret: str = ""  # checks X-Hub-Signature(-256) on every webhook; required with facebook_page_token
    facebook_verify_token: str = ""  # the verify token typed into the app's webhook settings
    facebook_api_url: str = "https://graph.facebook.com/v19.0"  # the Graph API (Send API at /me/messages)
    messenger_link_code_ttl_seconds: int = 600  # a link code from the portal works once, for this long
    messenger_db_url: str = ""  # empty: SQLite in data_dir; where channels keep link secrets (shared by Rasa replicas)
    messenger_link_key: str = ""  # empty: generated once and kept in data_dir; encrypts link secrets at rest
    messenger_channel_key: str = ""  # empty: generated once and kept in data_dir; portal and Rasa must share it

    @property
    def portal_base_url(self) -> str:
        return self.portal_url or f"http://{self.portal_host}:{self.portal_port}"

    @property
    def actions_url(self) -> str:
        return f"http://{self.actions_host}:{self.actions_port}/webhook"

    @property
    def rasa_url(self) -> str:
        return f"http://{self.rasa_host}:{self.rasa_port}"

    @property
    def web_url(self) -> str:
        return f"http://{self.web_host}:{self.web_port}"

    @property
    def sqlalchemy_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'portal.sqlite3'}"

    def with_overrides(self, **changes: Any) -> "Settings":
        return dataclasses.replace(self, **{k: v for k, v in changes.items() if v is not None})

    def kept_secret(self, name: str) -> str:
        """A secret from settings, or one generated once and kept (mode 600) in data_dir."""
        value: str | None = getattr(self, name)
        if value:
            return value
        path = self.data_dir / f"{name}.txt"
        if not path.exists():
            self.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:  # another process made it at the same moment
                return self._read_kept(path)
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(32))
        return self._read_kept(path)

    @staticmethod
    def _read_kept(path: Path) -> str:
        """A kept secret, waiting the instant another process may need to finish writing it."""
        for _ in range(100):
            value = path.read_text().strip()
            if value:
                return value
            time.sleep(0.01)
        raise RuntimeError(f"{path} is empty: delete it to make a new secret")


def _coerce(kind: Any, raw: Any) -> Any:
    text = str(raw)
    if kind in (bool, "bool"):
        return raw if isinstance(raw, bool) else text.strip().lower() in {"1", "true", "yes", "on"}
    if kind in (int, "int"):
        return int(raw)
    if kind in (float, "float"):
        return float(raw)
    if kind in (Path, "Path"):
        return Path(text).expanduser()
    if str(kind).startswith("tuple"):
        return tuple(raw) if isinstance(raw, (list, tuple)) else tuple(p.strip() for p in text.split(",") if p.strip())
    return text


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Build settings from defaults, the settings file and the environment (later wins)."""
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    file_path = Path(environ.get(f"{ENV_PREFIX}SETTINGS_FILE", "mygov.yml"))
    known = {f.name for f in fields(Settings)}
    if file_path.is_file():
        loaded = yaml.safe_load(file_path.read_text(encoding="utf-8")) or {}
        if not isinstance(loaded, dict):
            raise ValueError(f"{file_path}: expected a mapping of setting names to values")
        unknown = sorted(set(loaded) - known)
        if unknown:
            raise ValueError(f"{file_path}: unknown settings {', '.join(unknown)}")
        values.update(loaded)
    for f in fields(Settings):
        env_value = environ.get(ENV_PREFIX + f.name.upper())
        if env_value is not None:
            values[f.name] = env_value
    typed = {}
    for f in fields(Settings):
        if f.name in values:
            try:
                typed[f.name] = _coerce(f.type, values[f.name])
            except ValueError as exc:
                raise ValueError(f"setting {f.name}: {exc}") from None
    return Settings(**typed)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
