from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "timeline" / "data"
LAUNCHES_CSV = DATA / "launches.csv"
EVENTS_CSV = DATA / "context_events.csv"
TEST_DATA = Path(__file__).resolve().parent / "data"
