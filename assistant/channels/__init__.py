"""Rasa input channels of the product: Rasa's own, with PINs sealed before Rasa sees them."""
