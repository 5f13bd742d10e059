"""A local, strict stand-in for the Telegram Bot API, with a client side that acts as users."""
