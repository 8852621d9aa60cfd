"""Local stand-ins for the messenger platforms' servers, speaking their documented HTTP APIs."""
