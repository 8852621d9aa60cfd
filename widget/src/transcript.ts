// The conversation as the user sees and hears it. Who said what is in the markup (a heading-like label
// in every message, not colour or side), each message carries its own `lang` so a screen reader reads
// it with the right voice, and only new assistant messages are announced, once each, through a
// separate live region that holds just the newest one (the whole log is never re-read).
import { Choice } from "./connection";
import { Lang, languageOf, t } from "./texts";

export interface Entry {
  who: "user" | "bot";
  text: string;
  lang: Lang;
  choices?: Choice[];
  chosen?: string;
}

const STORE_KEY = "mygov-assistant.transcript";
const ANNOUNCE_MS = 1000;

export class Transcript {
  entries: Entry[];
  private announcing: string[] = [];
  private announcerBusy = false;

  constructor(
    private log: HTMLElement,
    private announcer: HTMLElement,
    private onChoose: (choice: Choice, entry: Entry) => void,
  ) {
    this.entries = JSON.parse(sessionStorage.getItem(STORE_KEY) || "[]") as Entry[];
    this.entries.forEach((entry) => this.render(entry));
  }

  add(who: Entry["who"], text: string, fallback: Lang, choices?: Choice[]): Entry {
    const entry: Entry = { who, text, lang: languageOf(text) || fallback, choices };
    this.entries.forEach((old) => this.settle(old));
    this.entries.push(entry);
    this.save();
    this.render(entry);
    if (who === "bot") this.announce(`${t("assistant", entry.lang)}: ${text}`);
    return entry;
  }

  /** Earlier choices stay readable as a plain list, with the one taken marked. */
  settle(entry: Entry, chosen?: string): void {
    if (!entry.choices) return;
    if (chosen !== undefined) entry.chosen = chosen;
    const element = this.log.querySelector<HTMLElement>(`[data-entry="${this.entries.indexOf(entry)}"] .mga-choices`);
    if (element) element.replaceWith(this.choiceList(entry));
    this.save();
  }

  newest(): HTMLElement | null {
    return this.log.querySelector<HTMLElement>(".mga-msg:last-child");
  }

  /** Forget the stored conversation (a different signed-in person must not see it). */
  static forget(): void {
    sessionStorage.removeItem(STORE_KEY);
  }

  private render(entry: Entry): void {
    const index = this.entries.indexOf(entry);
    const item = document.createElement("div");
    item.className = `mga-msg mga-${entry.who}`;
    item.dataset.entry = String(index);
    item.lang = entry.lang;
    item.tabIndex = -1;
    const who = document.createElement("span");
    who.className = "mga-who";
    who.textContent = `${t(entry.who === "user" ? "you" : "assistant", entry.lang)}: `;
    const text = document.createElement("span");
    text.className = "mga-text";
    text.textContent = entry.text;
    item.append(who, text);
    if (entry.choices) {
      const last = index === this.entries.length - 1 && entry.chosen === undefined;
      item.append(last ? this.choiceButtons(entry) : this.choiceList(entry));
    }
    this.log.append(item);
    this.log.scrollTop = this.log.scrollHeight;
  }

  private choiceButtons(entry: Entry): HTMLElement {
    const group = document.createElement("div");
    group.className = "mga-choices";
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", entry.text.split(/[.?!:]/)[0]);
    for (const choice of entry.choices!) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "mga-choice";
      const hint = document.createElement("span");
      hint.className = "mga-hint";
      hint.textContent = ` ${t("optionHint", entry.lang, { n: choice.payload.replace(/^\//, "") })}`;
      button.append(choice.title, hint);
      // A command payload ("/repeat") is not something to type: its hint would mislead.
      if (choice.payload.startsWith("/")) hint.remove();
      button.addEventListener("click", () => this.onChoose(choice, entry));
      group.append(button);
    }
    return group;
  }

  private choiceList(entry: Entry): HTMLElement {
    const list = document.createElement("ul");
    list.className = "mga-choices mga-settled";
    for (const choice of entry.choices!) {
      const item = document.createElement("li");
      item.textContent = choice.title + (choice.payload === entry.chosen ? ` ${t("chosen", entry.lang)}` : "");
      list.append(item);
    }
    return list;
  }

  private announce(text: string): void {
    this.announcing.push(text);
    if (!this.announcerBusy) this.nextAnnouncement();
  }

  /** One message at a time in the live region, cleared after it has been announced. */
  private nextAnnouncement(): void {
    const text = this.announcing.shift();
    this.announcerBusy = text !== undefined;
    if (text === undefined) return;
    this.announcer.textContent = text;
    window.setTimeout(() => {
      this.announcer.textContent = "";
      window.setTimeout(() => this.nextAnnouncement(), 100);
    }, ANNOUNCE_MS);
  }

  private save(): void {
    sessionStorage.setItem(STORE_KEY, JSON.stringify(this.entries.slice(-200)));
  }
}
