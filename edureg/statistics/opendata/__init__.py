"""Open data: the agency's published datasets, built from the registers by their manifests.

`manifest` reads the structure descriptions in `../manifests/`, `registry` knows which code
fills which table, `export` writes the files; every other module of this package maps one
register's records to a dataset's tables.
"""
