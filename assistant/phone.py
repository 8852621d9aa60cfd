"""`assistant phone`: the telephone line. A SIP endpoint (voice/phone/) whose calls each talk to the
running assistant through its REST channel as their own conversation, with metadata
``channel: phone`` (so the dialogue asks for PINs on the keypad) and ``input: keypad`` for typed keys."""
from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import socket
import sys
import uuid

from basics.ports import PortInUse, ensure_free
from basics.settings import Settings, get_settings


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("phone", help="answer telephone calls (SIP on UDP) with the running assistant")
    parser.add_argument("--host", help="address to listen on (default: setting phone_host)")
    parser.add_argument("--port", type=int, help="UDP port for SIP (default: setting phone_port, 5080)")
    parser.add_argument("--webhook", help="the assistant's REST webhook (default: from settings)")
    parser.set_defaults(func=run)


def sip_address(settings: Settings) -> str:
    return f"sip:assistant@{settings.phone_host}:{settings.phone_port}"


def sip_alive(host: str, port: int, timeout: float = 1.0) -> bool:
    """True if a SIP endpoint answers OPTIONS there (how `assistant up` knows the phone line is ready)."""
    call_id = uuid.uuid4().hex
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind((host, 0))
        probe.settimeout(timeout)
        local = probe.getsockname()
        probe.sendto((f"OPTIONS sip:assistant@{host}:{port} SIP/2.0\r\n"
                      f"Via: SIP/2.0/UDP {local[0]}:{local[1]};branch=z9hG4bK{call_id[:10]}\r\n"
                      f"From: <sip:probe@{local[0]}>;tag={call_id[:6]}\r\nTo: <sip:assistant@{host}>\r\n"
                      f"Call-ID: {call_id}\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n").encode(),
                     (host, port))
        try:
            return probe.recv(4096).startswith(b"SIP/2.0 200")
        except OSError:
            return False


def run(args: argparse.Namespace) -> int:
    settings = get_settings().with_overrides(phone_host=args.host, phone_port=args.port)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    try:
        ensure_free(settings.phone_host, settings.phone_port, "The phone line", socket.SOCK_DGRAM)
    except PortInUse as exc:
        print(exc, file=sys.stderr)
        return 1
    try:
        asyncio.run(serve(settings, args.webhook or f"{settings.rasa_url}/webhooks/rest/webhook"))
    except KeyboardInterrupt:
        pass
    return 0


async def serve(settings: Settings, webhook: str) -> None:
    """Answer calls until SIGTERM or SIGINT; then hang up every call (BYE) and stop."""
    from voice.listener import Listener  # speech models load here, not when the CLI starts
    from voice.phone.gateway import Gateway
    from voice.speaker import Speaker
    from voice.talk import AssistantClient, TalkSession

    listener, speaker = Listener(settings), Speaker.from_settings(settings)

    def new_session() -> TalkSession:
        client = AssistantClient(webhook, settings.kept_secret("rest_secret"), f"phone-{uuid.uuid4().hex}", channel="phone")
        return TalkSession(settings, client, settings.phone_language, listener=listener, speaker=speaker)

    loop = asyncio.get_running_loop()
    transport, gateway = await loop.create_datagram_endpoint(lambda: Gateway(settings, new_session),
                                                             local_addr=(settings.phone_host, settings.phone_port))
    stop = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    logging.getLogger("mygov.phone").info("phone line ready at %s", sip_address(settings))
    try:
        await stop.wait()
    finally:
        await gateway.hang_up_all()
        transport.close()
