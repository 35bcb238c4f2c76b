"""The secretary's review queue across record families, and the navigation badge."""
