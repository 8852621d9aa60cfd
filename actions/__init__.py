"""The Rasa action server's code: dialogue logic that reaches the portal only through portal_client."""
