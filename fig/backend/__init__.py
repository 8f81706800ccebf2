"""The engine seam: the domain speaks `base`; `docker` implements it over the Docker SDK."""
