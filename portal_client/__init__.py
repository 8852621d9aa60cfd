"""The typed client of the portal's API and its errors, used by the dialogue, the channels and the web pages."""
