"""The web front: demo portal pages embedding the accessible chat widget, and its speech endpoints."""
