"""Real-browser tests of the dashboard: `harvest serve` as a process, driven by Chromium."""
