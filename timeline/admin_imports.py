"""Admin for import jobs and trigger suggestions (background work)."""
