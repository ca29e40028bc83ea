"""Testing helpers shipped with the package: fakes and local servers for offline runs."""
