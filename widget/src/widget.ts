// The widget: a launcher in a labelled landmark, a non-modal dialog with the conversation log, a
// status line, a message field, the microphone, and voice replies with their rate. Focus moves only
// when the user acts (open, close, the shortcut), never when a message arrives.
import { BotMessage, Choice, Connection, ReplyHint } from "./connection";
import { CSS } from "./styles";
import { Entry, Transcript } from "./transcript";
import { Lang, TextKey, languageOf, pageLang, t } from "./texts";
import { MAX_RATE, MIN_RATE, MicrophoneDenied, Player, RATE_STEP, Recorder, recognise } from "./voice";

export interface Options {
  server: string; // Rasa's address (socket.io channel)
  speechUrl: string; // our speech endpoints: <speechUrl>/recognise and <speechUrl>/synthesise
  token: string; // the signed-in citizen's portal access token, or ""
  rate: number; // words a minute for voice replies
}

const OPEN_KEY = "mygov-assistant.open";
const RATE_KEY = "mygov-assistant.rate";
const VOICE_KEY = "mygov-assistant.voice";

function element<K extends keyof HTMLElementTagNameMap>(tag: K, className: string, attributes: Record<string, string> = {}): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  node.className = className;
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  return node;
}

export class Widget {
  private lang: Lang = pageLang();
  private expects: ReplyHint["expects"] = null; // what the assistant's last reply waits for (its hint)
  private root = element("aside", "mga");
  private launcher = element("button", "mga-launcher", { type: "button", "aria-expanded": "false", "aria-controls": "mga-panel" });
  private panel = element("div", "mga-panel", { id: "mga-panel", role: "dialog", "aria-labelledby": "mga-title", "aria-describedby": "mga-hintline" });
  private title = element("h2", "mga-title", { id: "mga-title" });
  private closeButton = element("button", "mga-close", { type: "button" });
  private hintLine = element("p", "mga-hintline", { id: "mga-hintline" });
  private log = element("div", "mga-log", { role: "log", "aria-live": "off", tabindex: "0" });
  private status = element("div", "mga-status", { role: "status" });
  private announcer = element("div", "mga-sr mga-announcer", { "aria-live": "polite", "aria-atomic": "true" });
  private form = element("form", "mga-form");
  private label = element("label", "", { for: "mga-input" });
  private input = element("input", "", { id: "mga-input", type: "text", autocomplete: "off", maxlength: "2000" });
  private sendButton = element("button", "mga-primary", { type: "submit" });
  private micButton = element("button", "mga-mic", { type: "button", "aria-pressed": "false" });
  private voiceSwitch = element("button", "mga-voice-switch", { type: "button", role: "switch" });
  private slowerButton = element("button", "mga-slower", { type: "button" });
  private fasterButton = element("button", "mga-faster", { type: "button" });
  private stopButton = element("button", "mga-stop", { type: "button" });
  private rateText = element("span", "mga-rate", { "aria-live": "polite" });
  private audio = element("audio", "mga-audio", { hidden: "" });
  private transcript: Transcript;
  private connection: Connection;
  private recorder = new Recorder();
  private player: Player;
  private rate: number;
  private voiceOn: boolean;
  private statusKey: TextKey | null = null;

  constructor(private options: Options) {
    this.rate = Number(localStorage.getItem(RATE_KEY)) || options.rate;
    this.voiceOn = localStorage.getItem(VOICE_KEY) === "on";
    this.build();
    this.transcript = new Transcript(this.log, this.announcer, (choice, entry) => this.choose(choice, entry));
    this.player = new Player(this.audio, options.speechUrl, () => this.rate, () => this.setStatus("speechFailed"));
    this.connection = new Connection(options.server, options.token, {
      onMessage: (message) => this.received(message),
      onStateChange: (connected) => this.setStatus(connected ? null : "offline"),
    });
    this.setLanguage(this.lang);
    if (sessionStorage.getItem(OPEN_KEY) === "yes") this.open(false);
  }

  private build(): void {
    const style = document.createElement("style");
    style.textContent = CSS;
    document.head.append(style);
    document.documentElement.classList.add("mga-page");
    const head = element("div", "mga-head");
    head.append(this.title, this.closeButton);
    this.form.append(this.label, this.input, this.sendButton, this.micButton);
    const voice = element("div", "mga-voice");
    voice.append(this.voiceSwitch, this.slowerButton, this.fasterButton, this.stopButton, this.rateText);
    this.panel.hidden = true;
    this.panel.append(head, this.hintLine, this.log, this.status, this.form, voice, this.announcer, this.audio);
    this.root.append(this.launcher, this.panel);
    document.body.append(this.root);

    this.launcher.addEventListener("click", () => (this.panel.hidden ? this.open(true) : this.close()));
    this.closeButton.addEventListener("click", () => this.close());
    this.panel.addEventListener("keydown", (event) => this.onKey(event));
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.submit();
    });
    this.micButton.addEventListener("click", () => this.listen());
    this.voiceSwitch.addEventListener("click", () => this.setVoice(!this.voiceOn));
    this.slowerButton.addEventListener("click", () => this.setRate(this.rate - RATE_STEP));
    this.fasterButton.addEventListener("click", () => this.setRate(this.rate + RATE_STEP));
    this.stopButton.addEventListener("click", () => this.player.stop());
    document.addEventListener("keydown", (event) => {
      if (event.altKey && event.shiftKey && event.code === "KeyN" && !this.panel.hidden) this.transcript.newest()?.focus();
    });
  }

  /** Every visible string, in the conversation's current language. */
  private setLanguage(lang: Lang): void {
    this.lang = lang;
    this.root.lang = lang;
    this.root.setAttribute("aria-label", t("region", lang));
    this.launcher.textContent = t("launcher", lang);
    this.title.textContent = t("title", lang);
    this.closeButton.textContent = "×";
    this.closeButton.setAttribute("aria-label", t("close", lang));
    this.hintLine.textContent = t("hint", lang);
    this.log.setAttribute("aria-label", t("log", lang));
    this.label.textContent = t("input", lang);
    this.sendButton.textContent = t("send", lang);
    this.micButton.textContent = t(this.recorder.recording ? "stopRecording" : "speak", lang);
    this.voiceSwitch.textContent = t("voiceReplies", lang);
    this.voiceSwitch.setAttribute("aria-checked", String(this.voiceOn));
    this.slowerButton.textContent = t("slower", lang);
    this.fasterButton.textContent = t("faster", lang);
    this.stopButton.textContent = t("stopSpeaking", lang);
    this.rateText.textContent = t("rate", lang, { rate: this.rate });
    this.setStatus(this.statusKey);
  }

  private open(moveFocus: boolean): void {
    this.panel.hidden = false;
    this.launcher.setAttribute("aria-expanded", "true");
    document.documentElement.classList.add("mga-open");
    sessionStorage.setItem(OPEN_KEY, "yes");
    if (moveFocus) {
      this.panel.scrollIntoView({ block: "nearest" });
      this.input.focus();
    }
  }

  private close(): void {
    this.recorder.stop();
    this.player.stop();
    this.panel.hidden = true;
    this.launcher.setAttribute("aria-expanded", "false");
    document.documentElement.classList.remove("mga-open");
    sessionStorage.setItem(OPEN_KEY, "no");
    this.launcher.focus();
  }

  private onKey(event: KeyboardEvent): void {
    if (event.key === "Escape") {
      event.preventDefault();
      if (this.recorder.recording) this.recorder.stop();
      else this.close();
    }
  }

  private submit(): void {
    const text = this.input.value.trim();
    if (!text) {
      this.setStatus("emptyMessage");
      return;
    }
    this.input.value = "";
    this.sendText(text);
  }

  private sendText(text: string): void {
    this.player.stop();
    const previous = this.transcript.entries[this.transcript.entries.length - 1];
    const picked = previous?.choices?.find((choice) => choice.payload === text);
    if (picked && previous) this.transcript.settle(previous, picked.payload);
    // A PIN is never shown back nor kept in the browser; the server seals it too (basics/sealing.py).
    const pin = this.expects === "pin" || /^\d{4,6}$/.test(text.replace(/[\s-]/g, ""));
    this.transcript.add("user", pin ? t("pinHidden", this.lang) : text, this.lang);
    this.setStatus(this.connection.send(text) ? "working" : "offline");
  }

  private choose(choice: Choice, entry: Entry): void {
    this.transcript.settle(entry, choice.payload);
    this.player.stop();
    this.transcript.add("user", choice.title, this.lang);
    this.setStatus(this.connection.send(choice.payload) ? "working" : "offline");
    this.input.focus();
  }

  private received(message: BotMessage): void {
    const text = (message.text || "").trim();
    if (!text) return;
    const hint = message.custom?.hint;
    const lang = hint?.lang || languageOf(text);
    if (lang && lang !== this.lang) this.setLanguage(lang);
    this.setStatus(null);
    this.expects = hint ? hint.expects : null;
    this.input.type = this.expects === "pin" ? "password" : "text";
    this.transcript.add("bot", text, this.lang, message.quick_replies || message.buttons);
    if (this.voiceOn) this.player.say(text, lang || this.lang);
  }

  /** The microphone: press to speak (it stops by itself after a pause); pressing it also silences replies. */
  private async listen(): Promise<void> {
    this.player.stop();
    if (this.recorder.recording) {
      this.recorder.stop();
      return;
    }
    this.micButton.setAttribute("aria-pressed", "true");
    this.micButton.textContent = t("stopRecording", this.lang);
    this.setStatus("listening");
    let audio: Blob;
    try {
      audio = await this.recorder.record();
    } catch (error) {
      this.setStatus(error instanceof MicrophoneDenied ? "micDenied" : "speechFailed");
      return;
    } finally {
      this.micButton.setAttribute("aria-pressed", "false");
      this.micButton.textContent = t("speak", this.lang);
    }
    this.setStatus("recognising");
    try {
      const heard = await recognise(this.options.speechUrl, audio, this.lang);
      if (heard.text) this.sendText(heard.text);
      else this.setStatus(null, heard.message || t("notHeard", this.lang));
    } catch {
      this.setStatus("speechFailed");
    }
  }

  private setVoice(on: boolean): void {
    this.voiceOn = on;
    localStorage.setItem(VOICE_KEY, on ? "on" : "off");
    this.voiceSwitch.setAttribute("aria-checked", String(on));
    if (!on) this.player.stop();
  }

  private setRate(rate: number): void {
    this.rate = Math.max(MIN_RATE, Math.min(MAX_RATE, rate));
    localStorage.setItem(RATE_KEY, String(this.rate));
    this.rateText.textContent = t("rate", this.lang, { rate: this.rate });
  }

  private setStatus(key: TextKey | null, text?: string): void {
    this.statusKey = key;
    this.status.textContent = text ?? (key ? t(key, this.lang) : "");
    this.status.classList.toggle("mga-working", key === "working" || key === "recognising");
  }
}
