"""Raw measurements: Parquet files under HATANGSO_HOME/measurements, queried with DuckDB, never
row by row through the ORM (DESIGN.md §4)."""
