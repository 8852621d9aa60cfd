"""The service catalogue and the need-to-service matcher."""
from catalog_index.catalogue import Catalogue, CatalogueError, Category, Service, get_catalogue, load
from catalog_index.matcher import Match, search

__all__ = ["Catalogue", "CatalogueError", "Category", "Match", "Service", "get_catalogue", "load", "search"]
