"""The demo portal pages that embed the widget with one script tag: a public page and a signed-in
citizen's page, in Georgian and English. They stand in for My.gov.ge's own pages."""
from __future__ import annotations

from dataclasses import dataclass
from html import escape

from basics.speech_rate import DEFAULT_RATE, MAX_RATE, MIN_RATE, RATE_STEP

SERVICES = {"ka": ["ბიზნესის რეგისტრაცია", "მისამართის შეცვლა", "უძრავი ქონების ამონაწერი", "საჯარო ინფორმაციის მოთხოვნა"],
            "en": ["Register a business", "Change of address", "Real estate extract", "Request public information"]}
TEXTS: dict[str, dict[str, str]] = {
    "ka": {
        "site": "My.gov.ge — სახელმწიფო სერვისები", "skip": "მთავარ შინაარსზე გადასვლა", "nav": "მთავარი ნავიგაცია",
        "home": "მთავარი", "account": "ჩემი გვერდი", "other": "English", "other_lang": "en",
        "h1": "სახელმწიფო სერვისები ერთ სივრცეში",
        "intro": "აქ შეგიძლიათ მოითხოვოთ ამონაწერები, შეცვალოთ მისამართი, დაარეგისტრიროთ ბიზნესი და მიიღოთ პასუხები უწყებებიდან.",
        "help": "ასისტენტი გვერდის ბოლოს არის. ის გისმენთ ხმითაც და ტექსტითაც.",
        "popular": "პოპულარული სერვისები",
        "login_h": "შესვლა", "pn": "პირადი ნომერი", "pin": "ტელეფონის პინ-კოდი", "login": "შესვლა",
        "login_hint": "სადემონსტრაციო მომხმარებლები და პინ-კოდები README-შია.",
        "bad_login": "პირადი ნომერი ან პინ-კოდი არასწორია, ან შესვლა დროებით დაბლოკილია.",
        "expired": "თქვენი სესია ამოიწურა. გთხოვთ, თავიდან შეხვიდეთ.",
        "welcome": "გამარჯობა, {name}", "signed_in": "თქვენ შესული ხართ. ასისტენტი თქვენი სახელით მოქმედებს.",
        "logout": "გამოსვლა", "footer": "სადემონსტრაციო გვერდი. ეს არ არის ნამდვილი სახელმწიფო პორტალი.",
    },
    "en": {
        "site": "My.gov.ge — public services", "skip": "Skip to main content", "nav": "Main navigation",
        "home": "Home", "account": "My page", "other": "ქართული", "other_lang": "ka",
        "h1": "Public services in one place",
        "intro": "Here you can order extracts, change your address, register a business and read replies from agencies.",
        "help": "The assistant is at the end of the page. It listens to your voice as well as your typing.",
        "popular": "Popular services",
        "login_h": "Sign in", "pn": "Personal number", "pin": "Phone PIN", "login": "Sign in",
        "login_hint": "The demo citizens and their PINs are in the README.",
        "bad_login": "The personal number or PIN is wrong, or signing in is locked for a while.",
        "expired": "Your session has ended. Please sign in again.",
        "welcome": "Hello, {name}", "signed_in": "You are signed in. The assistant acts on your behalf.",
        "logout": "Sign out", "footer": "A demonstration page. This is not the real government portal.",
    },
}


@dataclass(frozen=True)
class WidgetTag:
    """What the page tells the widget: where Rasa is, who is signed in, how fast to speak, and the
    server's speech-rate range (basics.speech_rate), so the widget keeps no copy of its own."""

    server: str
    token: str = ""
    speech_rate: int = DEFAULT_RATE

    def html(self) -> str:
        token = f' data-portal-token="{escape(self.token)}"' if self.token else ""
        return (f'<script src="/widget.js" data-server="{escape(self.server)}"{token}'
                f' data-speech-rate="{self.speech_rate}" data-speech-rate-min="{MIN_RATE}"'
                f' data-speech-rate-max="{MAX_RATE}" data-speech-rate-step="{RATE_STEP}" defer></script>')


def prefix(lang: str) -> str:
    return "/en" if lang == "en" else ""


def _page(lang: str, title: str, main: str, widget: WidgetTag, here: str) -> str:
    text = TEXTS[lang]
    other = text["other_lang"]
    return f"""<!doctype html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)} — {escape(text["site"])}</title>
<style>
body {{ margin: 0; font: 1rem/1.5 system-ui, "Noto Sans Georgian", "DejaVu Sans", sans-serif; color: #1b1b1b; background: #fff; }}
.skip {{ position: absolute; left: -100vw; }} .skip:focus {{ left: 1rem; top: 1rem; background: #fff; padding: .5rem; }}
header, main, footer {{ padding: 1rem; max-width: 60rem; margin: 0 auto; }}
header {{ border-bottom: 2px solid #0b4f8a; }}
nav ul {{ display: flex; flex-wrap: wrap; gap: 1rem; list-style: none; padding: 0; margin: .5rem 0 0; }}
a {{ color: #0b4f8a; }} a:focus-visible, input:focus-visible, button:focus-visible {{ outline: 3px solid #b35c00; outline-offset: 2px; }}
label {{ display: block; margin-top: .75rem; font-weight: 600; }}
input, button {{ font: inherit; min-height: 2.75rem; }}
button {{ margin-top: .75rem; padding: .5rem 1rem; background: #0b4f8a; color: #fff; border: 2px solid #0b4f8a; border-radius: .375rem; }}
.error {{ color: #a00000; font-weight: 600; }}
</style>
</head>
<body>
<a class="skip" href="#main">{escape(text["skip"])}</a>
<header>
<p><strong>{escape(text["site"])}</strong></p>
<nav aria-label="{escape(text["nav"])}"><ul>
<li><a href="{prefix(lang)}/">{escape(text["home"])}</a></li>
<li><a href="{prefix(lang)}/account">{escape(text["account"])}</a></li>
<li><a href="{prefix(other)}{here}" lang="{other}" hreflang="{other}">{escape(text["other"])}</a></li>
</ul></nav>
</header>
<main id="main">
{main}
</main>
<footer><p>{escape(text["footer"])}</p></footer>
{widget.html()}
</body>
</html>
"""


def public_page(lang: str, widget: WidgetTag) -> str:
    text = TEXTS[lang]
    services = "".join(f"<li>{escape(s)}</li>" for s in SERVICES[lang])
    main = (f'<h1>{escape(text["h1"])}</h1><p>{escape(text["intro"])}</p><p>{escape(text["help"])}</p>'
            f'<h2>{escape(text["popular"])}</h2><ul>{services}</ul>')
    return _page(lang, text["home"], main, widget, "/")


def login_page(lang: str, widget: WidgetTag, problem: str | None = None) -> str:
    text = TEXTS[lang]
    error = f'<p class="error" role="alert" id="login-error">{escape(text[problem])}</p>' if problem else ""
    described = ' aria-describedby="login-error"' if problem else ""
    main = (f'<h1>{escape(text["login_h"])}</h1>{error}'
            f'<form method="post" action="{prefix(lang)}/account/login"{described}>'
            f'<label for="personal_number">{escape(text["pn"])}</label>'
            f'<input id="personal_number" name="personal_number" inputmode="numeric" autocomplete="username" required>'
            f'<label for="pin">{escape(text["pin"])}</label>'
            f'<input id="pin" name="pin" type="password" inputmode="numeric" autocomplete="current-password" required>'
            f'<div><button type="submit">{escape(text["login"])}</button></div></form>'
            f'<p>{escape(text["login_hint"])}</p>')
    return _page(lang, text["login_h"], main, widget, "/account")


def account_page(lang: str, widget: WidgetTag, name: str) -> str:
    text = TEXTS[lang]
    main = (f'<h1>{escape(text["welcome"].format(name=name))}</h1><p>{escape(text["signed_in"])}</p>'
            f'<form method="post" action="{prefix(lang)}/account/logout"><button type="submit">{escape(text["logout"])}</button></form>')
    return _page(lang, text["account"], main, widget, "/account")
