"""The reference portal backend: our stand-in for My.gov.ge's API, over real HTTP and SQL."""
