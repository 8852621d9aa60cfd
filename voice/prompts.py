"""What the voice layer itself says, in Georgian and English: problems with hearing the user and
confirmations. Everything else the user hears comes from the assistant (actions/messages.py)."""
from __future__ import annotations

from basics.texts import pick

PROMPTS: dict[str, dict[str, str]] = {
    "no_speech": {"ka": "ვერაფერი გავიგე. გთხოვთ, გაიმეორეთ.", "en": "I did not hear anything. Please say it again."},
    "noise": {"ka": "მხოლოდ ხმაური ისმის. გადადით უფრო წყნარ ადგილას, ან აკრიფეთ პასუხი.",
              "en": "I hear only noise. Please move somewhere quieter, or type your answer."},
    "not_understood": {"ka": "ბოდიში, ვერ გავიგე. გთხოვთ, გაიმეორეთ.", "en": "Sorry, I did not understand. Please say it again."},
    "unavailable": {"ka": "ხმის ამოცნობა ახლა მიუწვდომელია. გთხოვთ, აკრიფეთ შეტყობინება, ციფრები კი შეიყვანეთ კლავიატურით.",
                    "en": "Speech recognition is not available right now. Please type your message, "
                          "or enter numbers on the keypad."},
    "bad_audio": {"ka": "ჩანაწერი ვერ წავიკითხე. გთხოვთ, სცადეთ თავიდან.", "en": "I could not read that recording. Please try again."},
    "too_long": {"ka": "ჩანაწერი ძალიან გრძელია. გთხოვთ, თქვით უფრო მოკლედ.",
                 "en": "That recording is too long. Please say it in a shorter message."},
    "text_too_long": {"ka": "ეს ტექსტი ძალიან გრძელია წასაკითხად. გთხოვთ, გაყავით უფრო მოკლე ნაწილებად.",
                      "en": "That text is too long to read aloud. Please send it in shorter parts."},
    "too_many_requests": {"ka": "ძალიან ბევრი მოთხოვნაა ცოტა ხანში. გთხოვთ, ერთ წუთში სცადეთ თავიდან.",
                          "en": "Too many requests in a short time. Please try again in a minute."},
    "mic_ready": {"ka": "ისაუბრეთ სიგნალის შემდეგ. დასასრულებლად თქვით ნახვამდის ან დააჭირეთ Ctrl+C-ს.",
                  "en": "Speak after the tone. To stop, say goodbye or press Ctrl+C."},
    "did_you_say": {"ka": "თქვენ თქვით: {text}. ასეა? თქვით კი ან არა.", "en": "Did you say: {text}? Please say yes or no."},
    "nothing_to_repeat": {"ka": "ჯერ არაფერი მითქვამს. რით დაგეხმაროთ?", "en": "I have not said anything yet. How can I help?"},
    "say_again": {"ka": "კარგი, გთხოვთ, თქვით თავიდან.", "en": "All right, please say it again."},
}


def prompt(key: str, lang: str, **values: str) -> str:
    return pick(PROMPTS, key, lang, **values)
