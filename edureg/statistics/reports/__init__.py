"""Statistics reports: `base` has the framework, `pupils` and `students` the reports."""
