"""mygov-assistant: an accessible voice and chat assistant for a national e-government portal."""
