"""Evidence files 佐证材料 of every owner: checked by content, cleaned, stored, served.

``owners`` is the registry of what evidence may belong to; ``models`` generates the ``Evidence``
columns and its exactly-one-owner CHECK from it. ``services`` holds what views call."""
