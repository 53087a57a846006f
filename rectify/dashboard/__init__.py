"""The dashboard (统计): charts and tables of the statistics, with their downloads."""
