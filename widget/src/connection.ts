// Rasa's socket.io channel with session persistence: the session id is kept for this browser tab, so a
// reload or a dropped connection resumes the same conversation. Messages typed while the connection is
// down are kept and sent when it returns; nothing the user wrote is lost.
import { io, Socket } from "socket.io-client";

export interface Choice {
  title: string;
  payload: string;
}

export interface BotMessage {
  text?: string;
  quick_replies?: Choice[];
  buttons?: Choice[];
}

export interface ConnectionEvents {
  onMessage(message: BotMessage): void;
  onStateChange(connected: boolean): void;
}

const SESSION_KEY = "mygov-assistant.session";

export class Connection {
  private socket: Socket;
  private sessionId: string | null;
  private waiting: string[] = [];

  constructor(server: string, private token: string, private events: ConnectionEvents) {
    this.sessionId = sessionStorage.getItem(SESSION_KEY);
    // WebSocket only: Rasa's socket.io server sends no CORS headers for HTTP long-polling, and the
    // page is usually served from another origin than Rasa.
    this.socket = io(server, { transports: ["websocket"], path: "/socket.io" });
    this.socket.on("connect", () => this.socket.emit("session_request", { session_id: this.sessionId }));
    this.socket.on("session_confirm", (confirmed: string | { session_id?: string }) => {
      this.sessionId = typeof confirmed === "string" ? confirmed : confirmed.session_id || this.sessionId;
      if (this.sessionId) sessionStorage.setItem(SESSION_KEY, this.sessionId);
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
    const metadata: Record<string, string> = { channel: "web" };
    if (this.token) metadata.portal_token = this.token;
    this.socket.emit("user_uttered", { message: text, session_id: this.sessionId, metadata });
  }

  /** Forget this conversation (for a different signed-in person, or an explicit restart). */
  static forget(): void {
    sessionStorage.removeItem(SESSION_KEY);
  }
}
