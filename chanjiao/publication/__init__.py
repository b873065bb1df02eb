"""The monthly indicator release: publications/YYYY-MM/vN/."""
