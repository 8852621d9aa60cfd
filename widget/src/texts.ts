// Interface text in Georgian and English. The widget follows the page's language first, then the
// conversation's: when the assistant answers in the other language, the controls switch too.

export type Lang = "ka" | "en";

const TEXTS = {
  region: { ka: "ასისტენტი", en: "Assistant" },
  launcher: { ka: "ვირტუალური ასისტენტი", en: "Virtual assistant" },
  title: { ka: "ასისტენტი — My.gov.ge", en: "Assistant — My.gov.ge" },
  close: { ka: "ასისტენტის დახურვა", en: "Close the assistant" },
  log: { ka: "საუბარი", en: "Conversation" },
  you: { ka: "თქვენ", en: "You" },
  assistant: { ka: "ასისტენტი", en: "Assistant" },
  input: { ka: "თქვენი შეტყობინება", en: "Your message" },
  send: { ka: "გაგზავნა", en: "Send" },
  speak: { ka: "ხმით თქმა", en: "Speak" },
  stopRecording: { ka: "ჩაწერის დასრულება", en: "Stop recording" },
  voiceReplies: { ka: "ხმოვანი პასუხები", en: "Voice replies" },
  slower: { ka: "ნელა", en: "Slower" },
  faster: { ka: "სწრაფად", en: "Faster" },
  stopSpeaking: { ka: "ხმის გაჩერება", en: "Stop speaking" },
  rate: { ka: "სიჩქარე: {rate} სიტყვა წუთში", en: "Speed: {rate} words a minute" },
  hint: {
    ka: "Esc ხურავს. Alt+Shift+N გადადის ბოლო პასუხზე.",
    en: "Esc closes. Alt+Shift+N goes to the newest reply.",
  },
  optionHint: { ka: "(აკრიფეთ ან თქვით {n})", en: "(type or say {n})" },
  pinHidden: { ka: "(პინ-კოდი დამალულია)", en: "(PIN hidden)" },
  chosen: { ka: "(არჩეული)", en: "(chosen)" },
  working: { ka: "ასისტენტი ფიქრობს…", en: "The assistant is working…" },
  listening: { ka: "გისმენთ… ისაუბრეთ, შემდეგ გაჩერდით.", en: "Listening… speak, then pause." },
  recognising: { ka: "ხმას ვცნობ…", en: "Recognising your speech…" },
  connecting: { ka: "კავშირი მყარდება…", en: "Connecting…" },
  offline: {
    ka: "კავშირი გაწყდა. თქვენი შეტყობინება შენახულია და გაიგზავნება, როცა კავშირი აღდგება.",
    en: "The connection is lost. Your message is kept and will be sent when the connection returns.",
  },
  micDenied: {
    ka: "მიკროფონზე წვდომა არ არის. შეგიძლიათ აკრიფოთ.",
    en: "The microphone is not available or was not allowed. You can type instead.",
  },
  notHeard: { ka: "ვერ გავიგე. სცადეთ თავიდან ან აკრიფეთ.", en: "I did not catch that. Try again or type." },
  speechFailed: {
    ka: "ხმის ამოცნობა ახლა შეუძლებელია. გთხოვთ, აკრიფოთ.",
    en: "Speech recognition is not available now. Please type.",
  },
  emptyMessage: { ka: "ჯერ დაწერეთ შეტყობინება.", en: "Type a message first." },
} as const;

export type TextKey = keyof typeof TEXTS;

export function t(key: TextKey, lang: Lang, values: Record<string, string | number> = {}): string {
  let text: string = TEXTS[key][lang];
  for (const [name, value] of Object.entries(values)) text = text.replace(`{${name}}`, String(value));
  return text;
}

/** The language a text is written in: Georgian letters (Mkhedruli or Mtavruli) win over Latin. */
export function languageOf(text: string): Lang | null {
  const georgian = (text.match(/[\u10A0-\u10FF\u1C90-\u1CBF]/g) || []).length;
  const latin = (text.match(/[A-Za-z]/g) || []).length;
  if (!georgian && !latin) return null;
  return georgian >= latin / 4 ? "ka" : "en";
}

export function pageLang(): Lang {
  return (document.documentElement.lang || "ka").toLowerCase().startsWith("en") ? "en" : "ka";
}
