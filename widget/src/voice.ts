// Voice in the widget. The browser's own speech APIs are missing or vendor-online in many browsers,
// so the microphone is recorded with MediaRecorder and recognised on our server (voice/), and replies
// are spoken by our server's synthesiser at the user's own rate.
import type { Lang } from "./texts";

// The speech-rate range is the server's (basics/speech_rate.py): its page passes it on the script tag
// (data-speech-rate-min/-max/-step, see index.ts). These numbers are only the fallback for a page that
// does not; useRateRange replaces them before the widget starts.
export const DEFAULT_RATE = 175;
export let MIN_RATE = 80;
export let MAX_RATE = 450;
export let RATE_STEP = 25;
const END_OF_SPEECH_MS = 900;
const NO_SPEECH_MS = 8000;
const MAX_RECORDING_MS = 30000;
const SPEECH_LEVEL = 0.02; // RMS of a speaking voice, well above room noise

/** Takes the range from the script tag's data attributes; a missing or unusable one keeps the fallback. */
export function useRateRange(data: DOMStringMap): void {
  const number = (value: string | undefined, fallback: number) => (Number(value) > 0 ? Number(value) : fallback);
  const min = number(data.speechRateMin, MIN_RATE);
  const max = number(data.speechRateMax, MAX_RATE);
  if (min >= max) return;
  [MIN_RATE, MAX_RATE, RATE_STEP] = [min, max, number(data.speechRateStep, RATE_STEP)];
}

export interface Heard {
  text?: string;
  confidence?: number;
  problem?: string;
  message?: string;
}

export class MicrophoneDenied extends Error {}

/** One utterance from the microphone: stops by itself after a pause that follows speech. */
export class Recorder {
  private recorder: MediaRecorder | null = null;
  private stream: MediaStream | null = null;
  private context: AudioContext | null = null;
  private timer = 0;

  get recording(): boolean {
    return this.recorder !== null && this.recorder.state === "recording";
  }

  async record(): Promise<Blob> {
    try {
      this.stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    } catch {
      throw new MicrophoneDenied();
    }
    const chunks: Blob[] = [];
    const recorder = new MediaRecorder(this.stream);
    this.recorder = recorder;
    const done = new Promise<Blob>((resolve) => {
      recorder.ondataavailable = (event) => chunks.push(event.data);
      recorder.onstop = () => {
        this.release();
        resolve(new Blob(chunks, { type: recorder.mimeType || "audio/webm" }));
      };
    });
    recorder.start();
    this.watchForEndOfSpeech();
    return done;
  }

  stop(): void {
    if (this.recording) this.recorder!.stop();
  }

  /** Endpointing on the RMS level: speech, then a pause, ends the turn; no speech at all gives up. */
  private watchForEndOfSpeech(): void {
    this.context = new AudioContext();
    const analyser = this.context.createAnalyser();
    this.context.createMediaStreamSource(this.stream!).connect(analyser);
    const samples = new Float32Array(analyser.fftSize);
    const started = Date.now();
    let spokeAt = 0;
    const check = () => {
      if (!this.recording) return;
      analyser.getFloatTimeDomainData(samples);
      const rms = Math.sqrt(samples.reduce((sum, x) => sum + x * x, 0) / samples.length);
      const now = Date.now();
      if (rms > SPEECH_LEVEL) spokeAt = now;
      const paused = spokeAt && now - spokeAt > END_OF_SPEECH_MS;
      if (paused || (!spokeAt && now - started > NO_SPEECH_MS) || now - started > MAX_RECORDING_MS) this.stop();
    };
    this.timer = window.setInterval(check, 50);
  }

  private release(): void {
    window.clearInterval(this.timer);
    this.stream?.getTracks().forEach((track) => track.stop());
    this.context?.close();
    this.recorder = this.stream = this.context = null;
  }
}

/** Replies spoken one after another through one audio element; stop() silences them at once (a
 * button, or the microphone: the user speaking interrupts the assistant). */
export class Player {
  private queue: Array<{ text: string; lang: Lang }> = [];
  private playing = false;

  constructor(
    private audio: HTMLAudioElement,
    private speechUrl: string,
    private rate: () => number,
    private onError: () => void,
  ) {
    audio.addEventListener("ended", () => this.next());
  }

  say(text: string, lang: Lang): void {
    this.queue.push({ text, lang });
    if (!this.playing) this.next();
  }

  stop(): void {
    this.queue = [];
    this.playing = false;
    this.audio.pause();
  }

  private async next(): Promise<void> {
    const item = this.queue.shift();
    if (!item) {
      this.playing = false;
      return;
    }
    this.playing = true;
    try {
      const response = await fetch(`${this.speechUrl}/synthesise`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ text: item.text, lang: item.lang, rate: this.rate() }),
      });
      if (!response.ok) throw new Error(String(response.status));
      const url = URL.createObjectURL(await response.blob());
      if (!this.playing) return;
      if (this.audio.src.startsWith("blob:")) URL.revokeObjectURL(this.audio.src);
      this.audio.src = url;
      await this.audio.play();
    } catch {
      this.stop();
      this.onError();
    }
  }
}

export async function recognise(speechUrl: string, audio: Blob, lang: Lang): Promise<Heard> {
  const response = await fetch(`${speechUrl}/recognise?lang=${lang}`, {
    method: "POST",
    headers: { "Content-Type": audio.type || "application/octet-stream" },
    body: audio,
  });
  return (await response.json()) as Heard;
}
