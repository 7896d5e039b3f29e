"""Fake remote sites (Discourse, Pony Mail, GitHub, Whimsy) on 127.0.0.1 for tests."""
