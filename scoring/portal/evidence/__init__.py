"""Evidence files (佐证材料) attached to the tasks of a unit's version: content checks, upload, viewing."""
