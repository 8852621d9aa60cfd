// Embedding: one script tag.
//   <script src="https://assistant.example/widget.js" data-server="https://assistant.example:5005"
//           data-portal-token="..." data-speech-rate="175" data-speech-rate-min="80"
//           data-speech-rate-max="450" data-speech-rate-step="25" defer></script>
// data-server: Rasa's address (default: this script's origin); data-portal-token: the signed-in
// citizen's portal access token, if any; data-speech-url: the speech endpoints (default: this script's
// origin + /api/speech); data-speech-rate: the citizen's stored rate in words a minute;
// data-speech-rate-min/-max/-step: the server's rate range (assistant/web/pages.py writes them from
// basics/speech_rate.py; without them the fallback in voice.ts applies).
import { Connection } from "./connection";
import { Transcript } from "./transcript";
import { DEFAULT_RATE, useRateRange } from "./voice";
import { Widget } from "./widget";

const IDENTITY_KEY = "mygov-assistant.identity";

/** A short fingerprint of the token: a different citizen (or none) must not resume another's chat. */
function fingerprint(token: string): string {
  let hash = 2166136261;
  for (let i = 0; i < token.length; i++) hash = Math.imul(hash ^ token.charCodeAt(i), 16777619);
  return (hash >>> 0).toString(16);
}

function start(script: HTMLScriptElement): void {
  const origin = new URL(script.src, location.href).origin;
  const token = script.dataset.portalToken || "";
  const identity = token ? fingerprint(token) : "";
  if ((sessionStorage.getItem(IDENTITY_KEY) || "") !== identity) {
    Connection.forget();
    Transcript.forget();
    sessionStorage.setItem(IDENTITY_KEY, identity);
  }
  useRateRange(script.dataset);
  new Widget({
    server: script.dataset.server || origin,
    speechUrl: script.dataset.speechUrl || `${origin}/api/speech`,
    token,
    rate: Number(script.dataset.speechRate) || DEFAULT_RATE,
  });
}

const script = document.currentScript as HTMLScriptElement | null;
if (script) {
  if (document.body) start(script);
  else document.addEventListener("DOMContentLoaded", () => start(script));
}
