import sys
from pathlib import Path

# The example's application module lives beside its tests.
sys.path.insert(0, str(Path(__file__).parent))
