// The assistant's socket.io channel: the server issues the session id and a resume secret, both kept for
// this browser tab only, so a reload or a dropped connection resumes the same conversation and no other
// tab or site can. Messages typed while the connection is down are kept and sent when it returns;
// nothing the user wrote is lost.
import { io, Socket } from "socket.io-client";

export interface Choice {
  title: string;
  payload: string;
}

/** What a reply says about the dialogue (basics/reply_hints.py): read instead of the wording. */
export interface ReplyHint {
  lang: "ka" | "en";
  rate: number;
  expects: "pin" | "digits" | "yes_no" | "choice" | "text" | null;
  ends: boolean;
  fixed: boolean;
}

export interface BotMessage {
  text?: string;
  custom?: { hint?: ReplyHint };
  quick_replies?: Choice[];
  buttons?: Choice[];
}

export interface ConnectionEvents {
  onMessage(message: BotMessage): void;
  onStateChange(connected: boolean): void;
}

const SESSION_KEY = "mygov-assistant.session";
const SECRET_KEY = "mygov-assistant.resume";

interface SessionConfirm {
  session_id?: string;
  resume_secret?: string;
}

export class Connection {
  private socket: Socket;
  private sessionId: string | null;
  private waiting: string[] = [];

  constructor(server: string, private token: string, private events: ConnectionEvents) {
    this.sessionId = sessionStorage.getItem(SESSION_KEY);
    // WebSocket only: Rasa's socket.io server sends no CORS headers for HTTP long-polling, and the
    // page is usually served from another origin than Rasa.
    this.socket = io(server, { transports: ["websocket"], path: "/socket.io" });
    this.socket.on("connect", () =>
      this.socket.emit("session_request", {
        session_id: this.sessionId,
        resume_secret: sessionStorage.getItem(SECRET_KEY),
      }),
    );
    this.socket.on("session_confirm", (confirmed: SessionConfirm) => {
      this.sessionId = confirmed.session_id || null;
      if (this.sessionId && confirmed.resume_secret) {
        sessionStorage.setItem(SESSION_KEY, this.sessionId);
        sessionStorage.setItem(SECRET_KEY, confirmed.resume_secret);
      }
      this.events.onStateChange(true);
      for (const text of this.waiting.splice(0)) this.emit(text);
    });
    this.socket.on("bot_uttered", (message: BotMessage) => this.events.onMessage(message));
    this.socket.on("disconnect", () => this.events.onStateChange(false));
  }

  /** Send now, or keep it until the session is confirmed again. True when it went out at once. */
  send(text: string): boolean {
    if (this.socket.connected && this.sessionId) {
      this.emit(text);
      return true;
    }
    this.waiting.push(text);
    return false;
  }

  private emit(text: string): void {
    const metadata: Record<string, string> = {};
    if (this.token) metadata.portal_token = this.token;
    this.socket.emit("user_uttered", { message: text, metadata });
  }

  /** Forget this conversation (for a different signed-in person, or an explicit restart). */
  static forget(): void {
    sessionStorage.removeItem(SESSION_KEY);
    sessionStorage.removeItem(SECRET_KEY);
  }
}
