"""`assistant talk --input-wav ... --output-dir DIR`: each input file is one user turn; each reply
is written as DIR/reply-NN.wav and both sides go to DIR/transcript.json. Used for tests, demos and
servers without a sound card."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Sequence

from voice.audio import encode
from voice.talk import TalkSession


def run_files(session: TalkSession, inputs: Sequence[Path], output_dir: Path, fmt: str = "wav22k") -> list[dict]:
    """Play the conversation through; returns (and writes) the transcript."""
    output_dir.mkdir(parents=True, exist_ok=True)
    transcript = []
    for number, path in enumerate(inputs, 1):
        exchange = session.take_file(str(path))
        entry = {"turn": number, "input": str(path), **exchange.record(), "reply_audio": None}
        if exchange.audio is not None:
            out = output_dir / f"reply-{number:02d}.wav"
            out.write_bytes(encode(exchange.audio, fmt))
            entry["reply_audio"] = out.name
        transcript.append(entry)
        (output_dir / "transcript.json").write_text(json.dumps(transcript, ensure_ascii=False, indent=2), encoding="utf-8")
    return transcript
