"""Speech in and out for the assistant: synthesis (espeak-ng), recognition (pocketsphinx offline,
online engines through SpeechRecognition), a command recogniser, voice activity detection, audio
codecs and the `assistant talk` loop. Everything works on 16 kHz mono 16-bit audio internally."""
