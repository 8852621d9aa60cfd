"""The service catalogue and the need-to-service matcher."""
from catalog_index.catalogue import Catalogue, CatalogueError, Category, Service, get_catalogue, load

__all__ = ["Catalogue", "CatalogueError", "Category", "Service", "get_catalogue", "load"]
