"""The SIP side of the phone line: a user agent on asyncio that answers calls (UDP), keeps one dialog
and one RTP socket per call, hangs up cleanly either way (BYE), takes keypad digits as RFC 4733
events or SIP INFO, and optionally registers with a PBX or SIP trunk (digest authentication).

Why our own UA rather than pyVoIP or baresip: see docs/phone.md (measured). Every datagram goes
through the defensive parser in sip.py; a handler error is logged and that datagram dropped, so no
message can stop the gateway or another call.

Capacity: a call holds one of ``phone_max_calls`` places from its INVITE (the RTP socket and the
dialog exist from then on), not from its ACK, and each source address may start
``phone_invites_per_minute`` calls, so no one source can keep the line busy with INVITEs it never
completes. Media flows only after the ACK. Logs and transcripts name calls by pseudonym."""
from __future__ import annotations

import asyncio
import logging
import re
import time
import uuid
from dataclasses import dataclass, field
from typing import Callable

from basics.settings import Settings
from voice.limits import PerSourceLimit
from voice.phone import sip
from voice.phone.call import CallRecord, PhoneCall
from voice.phone.pseudonym import Pseudonyms
from voice.phone.rtp import Media
from voice.phone.sdp import SdpError, answer, parse_offer
from voice.talk import TalkSession

log = logging.getLogger("mygov.phone")
ALLOW = "INVITE, ACK, BYE, CANCEL, OPTIONS, INFO"
T1 = 0.5  # SIP timer T1: retransmission interval for 200 OK and BYE over UDP


@dataclass
class Dialog:
    call_id: str
    short: str  # the pseudonym of the Call-ID, for logs
    invite: sip.SipMessage
    remote: tuple[str, int]
    local_tag: str
    ok: bytes  # our 200 OK, resent until the ACK arrives
    media: Media
    transcript: CallRecord
    started: float = field(default_factory=time.monotonic)
    acked: asyncio.Event = field(default_factory=asyncio.Event)
    task: asyncio.Task | None = None
    cseq: int = 0
    ended: bool = False


# A phone utterance longer than this is cut: callers answer questions, and keys are there for the rest.


class Gateway(asyncio.DatagramProtocol):
    """Answers calls; ``new_session`` gives each call its own conversation (own Rasa sender id)."""

    def __init__(self, settings: Settings, new_session: Callable[[], TalkSession]) -> None:
        self.settings, self.new_session = settings, new_session
        self.pseudonym = Pseudonyms(settings)
        self.invites = PerSourceLimit(settings.phone_invites_per_minute)
        self.refused = 0  # INVITEs over a source's limit
        self.transport: asyncio.DatagramTransport | None = None
        self.dialogs: dict[str, Dialog] = {}
        self.malformed = 0
        self.closed = asyncio.Event()
        self._pending: dict[tuple[str, int], asyncio.Future] = {}  # our requests waiting for a final response
        self._register_task: asyncio.Task | None = None
        self._answering: set[str] = set()  # Call-IDs being set up: a retransmitted INVITE must not make a second call
        self._tasks: set[asyncio.Task] = set()  # strong references, so running calls are never garbage-collected

    # Transport ------------------------------------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        if self.settings.phone_registrar:
            self._register_task = asyncio.get_running_loop().create_task(self._keep_registered())

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed.set()

    def send(self, data: bytes, addr: tuple[str, int]) -> None:
        if self.transport and not self.transport.is_closing():
            self.transport.sendto(data, addr)

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        if data in (b"\r\n\r\n", b"\r\n"):  # keep-alive
            return
        try:
            message = sip.parse(data)
        except sip.SipError as exc:
            self.malformed += 1
            if _worth_logging(self.malformed):
                log.info("dropped a malformed SIP datagram from %s (%s); %d so far", addr[0], exc, self.malformed)
            return
        try:
            if message.is_request:
                self._request(message, addr)
            else:
                self._response(message)
        except Exception:  # noqa: BLE001 - one bad message must not stop the gateway
            self.malformed += 1
            log.exception("error handling a SIP %s; dropped", message.method or message.status)

    # Requests -------------------------------------------------------------------------------------
    def _request(self, message: sip.SipMessage, addr: tuple[str, int]) -> None:
        dialog = self.dialogs.get(message.call_id)
        method = message.method
        if method == "INVITE":
            if message.call_id in self._answering:
                self.send(sip.response(message, 100), addr)
            elif dialog is None:
                self._invite(message, addr)
            else:  # a retransmission or a re-INVITE: the same answer holds
                self.send(dialog.ok, addr)
        elif method == "ACK":
            if dialog:
                dialog.acked.set()
        elif method == "BYE":
            self.send(sip.response(message, 200 if dialog else 481, dialog.local_tag if dialog else ""), addr)
            if dialog:
                self._end(dialog, "caller")
        elif method == "CANCEL":
            self.send(sip.response(message, 200 if dialog else 481), addr)
        elif method == "OPTIONS":
            self.send(sip.response(message, 200, sip.new_tag(), [("allow", ALLOW), ("accept", "application/sdp")]), addr)
        elif method == "INFO":
            key = _info_digit(message)
            self.send(sip.response(message, 200 if dialog else 481, dialog.local_tag if dialog else ""), addr)
            if dialog and key:
                dialog.media.on_key(key)
        else:
            self.send(sip.response(message, 501, extra=[("allow", ALLOW)]), addr)

    def _invite(self, invite: sip.SipMessage, addr: tuple[str, int]) -> None:
        wait = self.invites.admit(addr[0])
        if wait:
            self.refused += 1
            if _worth_logging(self.refused):
                log.info("refused an INVITE from %s: over %d a minute; %d so far", addr[0],
                         self.settings.phone_invites_per_minute, self.refused)
            self.send(sip.response(invite, 503, sip.new_tag(), [("retry-after", str(wait))]), addr)
            return
        if len(self.dialogs) + len(self._answering) >= self.settings.phone_max_calls:  # set up or talking
            self.send(sip.response(invite, 486, sip.new_tag()), addr)
            return
        try:
            offer = parse_offer(invite.body)
        except SdpError as exc:
            log.info("refused a call: %s", exc)
            self.send(sip.response(invite, 488, sip.new_tag()), addr)
            return
        self.send(sip.response(invite, 100), addr)
        self._answering.add(invite.call_id)
        self._spawn(self._answer(invite, offer, addr))

    def _spawn(self, coroutine) -> asyncio.Task:
        task = asyncio.get_running_loop().create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _answer(self, invite: sip.SipMessage, offer, addr: tuple[str, int]) -> None:
        loop = asyncio.get_running_loop()
        tag = sip.new_tag()
        try:
            media_transport, media = await loop.create_datagram_endpoint(
                lambda: Media(offer.payload, offer.dtmf_payload, (offer.address, offer.port), lambda _: None),
                local_addr=(self.settings.phone_host, 0))
        except OSError as exc:  # no port for the media: refuse this call, keep answering others
            log.warning("no RTP port for a call (%s)", exc.strerror)
            self._answering.discard(invite.call_id)
            self.send(sip.response(invite, 503, tag), addr)
            return
        port = media_transport.get_extra_info("sockname")[1]
        contact = f"<sip:assistant@{self.settings.phone_host}:{self.settings.phone_port}>"
        ok = sip.response(invite, 200, tag, [("contact", contact), ("allow", ALLOW), ("content-type", "application/sdp")],
                          answer(offer, self.settings.phone_host, port))
        short = self.pseudonym(invite.call_id)
        transcript = CallRecord.new(self.settings, short, self.pseudonym(sip.uri_of(invite.get("from"))))
        dialog = Dialog(invite.call_id, short, invite, addr, tag, ok, media, transcript)
        dialog.transcript.data["codec"] = "PCMU" if offer.payload == 0 else "PCMA"
        dialog.transcript.data["telephone_events"] = offer.dtmf_payload is not None
        self.dialogs[invite.call_id] = dialog
        self._answering.discard(invite.call_id)
        self.send(ok, addr)
        log.info("call %s answered (%s, keypad events %s)", dialog.short, dialog.transcript.data["codec"],
                 "yes" if offer.dtmf_payload is not None else "no")
        dialog.task = self._spawn(self._converse(dialog))

    async def _converse(self, dialog: Dialog) -> None:
        settings = self.settings
        for attempt in range(7):  # 200 OK resent until the ACK (T1 doubling, about 32 s in all)
            try:
                await asyncio.wait_for(dialog.acked.wait(), T1 * 2 ** attempt)
                break
            except asyncio.TimeoutError:
                self.send(dialog.ok, dialog.remote)
        else:
            self._end(dialog, "no_ack")
            await self._bye(dialog)
            return
        dialog.media.start()  # the caller confirmed the call: now, and only now, we send media
        session = await asyncio.to_thread(self.new_session)
        dialog.transcript.data["conversation"] = self.pseudonym(session.assistant.sender)  # its Rasa conversation
        call = PhoneCall.from_settings(session, dialog.media, dialog.transcript, settings)
        how = "error"
        try:
            how = await call.run_for(settings.phone_max_call_seconds)
        except asyncio.CancelledError:
            how = "caller"
        except Exception:  # noqa: BLE001
            log.exception("call %s failed", dialog.short)
        finally:
            session.assistant.close()
        if not dialog.ended:
            self._end(dialog, how)
            await self._bye(dialog)

    def _end(self, dialog: Dialog, how: str) -> None:
        """Forget the call: stop its media and its conversation."""
        if dialog.ended:
            return
        dialog.ended = True
        self.dialogs.pop(dialog.call_id, None)
        dialog.media.close()
        dialog.transcript.end(how)
        log.info("call %s ended (%s) after %.0f s", dialog.short, how, time.monotonic() - dialog.started)
        if how == "caller" and dialog.task and not dialog.task.done():
            dialog.task.cancel()

    async def _bye(self, dialog: Dialog) -> None:
        """Our hang-up: BYE in the dialog, resent until answered (or given up after 4 tries)."""
        invite = dialog.invite
        dialog.cseq += 1
        uri = sip.uri_of(invite.get("contact")) or sip.uri_of(invite.get("from"))
        headers = [("via", f"SIP/2.0/UDP {self.settings.phone_host}:{self.settings.phone_port};branch={sip.new_branch()};rport")]
        headers += [("route", r) for r in invite.all("record-route")]
        headers += [("max-forwards", "70"), ("from", f"{invite.get('to')};tag={dialog.local_tag}"),
                    ("to", invite.get("from")), ("call-id", dialog.call_id), ("cseq", f"{dialog.cseq} BYE")]
        await self._transact(sip.request("BYE", uri, headers), dialog.remote, (dialog.call_id, dialog.cseq))

    async def _transact(self, data: bytes, addr: tuple[str, int], key: tuple[str, int], tries: int = 4) -> sip.SipMessage | None:
        future: asyncio.Future = asyncio.get_running_loop().create_future()
        self._pending[key] = future
        try:
            for attempt in range(tries):
                self.send(data, addr)
                try:
                    return await asyncio.wait_for(asyncio.shield(future), T1 * 2 ** attempt)
                except asyncio.TimeoutError:
                    continue
            return None
        finally:
            self._pending.pop(key, None)

    def _response(self, message: sip.SipMessage) -> None:
        if message.status < 200:
            return
        number, _ = message.cseq
        future = self._pending.get((message.call_id, number))
        if future and not future.done():
            future.set_result(message)

    # Registration ---------------------------------------------------------------------------------
    async def _keep_registered(self) -> None:
        while True:
            try:
                expires = await self.register()
            except Exception:  # noqa: BLE001
                log.exception("registration failed")
                expires = 0
            await asyncio.sleep(max(30.0, expires * 0.8) if expires else 30.0)

    async def register(self, expires: int | None = None) -> int:
        """One REGISTER (answering a digest challenge); the granted expiry in seconds, 0 on failure."""
        settings = self.settings
        host, _, port = settings.phone_registrar.partition(":")
        addr = (host, int(port or 5060))
        call_id, tag = f"{uuid.uuid4().hex}@{settings.phone_host}", sip.new_tag()
        aor = f"sip:{settings.phone_username}@{host}"
        expires = settings.phone_register_seconds if expires is None else expires
        authorization: list[tuple[str, str]] = []
        for cseq in (1, 2):
            headers = [("via", f"SIP/2.0/UDP {settings.phone_host}:{settings.phone_port};branch={sip.new_branch()};rport"),
                       ("max-forwards", "70"), ("from", f"<{aor}>;tag={tag}"), ("to", f"<{aor}>"), ("call-id", call_id),
                       ("cseq", f"{cseq} REGISTER"), ("contact", f"<sip:{settings.phone_username}@{settings.phone_host}:{settings.phone_port}>"),
                       ("expires", str(expires))] + authorization
            reply = await self._transact(sip.request("REGISTER", f"sip:{host}", headers), addr, (call_id, cseq),
                                         tries=2 if expires == 0 else 4)  # unregistering at exit: brief
            if reply is None:
                log.warning("the registrar did not answer")
                return 0
            if reply.status in (401, 407) and not authorization:
                challenge = reply.get("www-authenticate" if reply.status == 401 else "proxy-authenticate")
                name = "authorization" if reply.status == 401 else "proxy-authorization"
                authorization = [(name, sip.digest_authorization(challenge, "REGISTER", f"sip:{host}",
                                                                 settings.phone_username, settings.phone_password))]
                continue
            if reply.status == 200:
                granted = re.search(r"expires=(\d+)", reply.get("contact"))
                seconds = int(granted.group(1)) if granted else int(reply.get("expires") or expires)
                log.info("registered with %s for %d s", host, seconds)
                return seconds
            log.warning("the registrar refused registration (%d)", reply.status)
            return 0
        return 0

    async def hang_up_all(self) -> None:
        """Every call at once: BYE where the call was confirmed; a call never ACKed is just forgotten
        (no BYE may be sent before the ACK, RFC 3261 15)."""
        confirmed = [d for d in self.dialogs.values() if d.acked.is_set()]
        for dialog in list(self.dialogs.values()):
            if dialog.task:
                dialog.task.cancel()
            self._end(dialog, "shutdown")
        await asyncio.gather(*(self._bye(dialog) for dialog in confirmed))
        if self._register_task:
            self._register_task.cancel()
            if self.settings.phone_registrar:
                await self.register(expires=0)


def _worth_logging(count: int) -> bool:
    """The first few of a kind, then one in a thousand: a flood must not flood the log too."""
    return count <= 10 or count % 1000 == 0


def _info_digit(message: sip.SipMessage) -> str | None:
    """A keypad key in SIP INFO: application/dtmf-relay ("Signal=5") or application/dtmf ("5")."""
    kind = message.get("content-type").split(";")[0].strip().lower()
    body = message.body.decode("utf-8", "replace")
    if kind == "application/dtmf-relay":
        found = re.search(r"Signal\s*=\s*([0-9*#A-Da-d])", body)
    elif kind == "application/dtmf":
        found = re.match(r"\s*([0-9*#A-Da-d])\s*$", body)
    else:
        return None
    return found.group(1).upper() if found else None
