"""The ground every part stands on: settings, speech rendering and rate, text lookup, keys and sealing,
the conversation identity store, ports and processes. It imports nothing of ours."""
