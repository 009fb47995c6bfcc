"""Where the demo car wash works: the Buenos Aires barrios it serves and its clients'
addresses, with approximate coordinates."""

from __future__ import annotations

from hub.domain.geo import GeoPoint

BARRIOS: tuple[tuple[str, float, float, float], ...] = (
    ("Palermo", -34.5889, -58.4306, 2.2),
    ("Belgrano", -34.5627, -58.4563, 1.8),
    ("Recoleta", -34.5875, -58.3974, 1.3),
    ("Caballito", -34.6186, -58.4420, 1.6),
    ("Villa Urquiza", -34.5732, -58.4876, 1.6),
    ("Núñez", -34.5446, -58.4634, 1.3),
    ("Colegiales", -34.5746, -58.4500, 0.9),
    ("Almagro", -34.6094, -58.4200, 1.1),
    ("Villa Crespo", -34.5990, -58.4387, 1.1),
)
# Where the demo's clients live (approximate coordinates of each address).
PLACES: dict[str, GeoPoint] = {
    "Av. Rivadavia 5200, CABA": GeoPoint(-34.6190, -58.4400),
    "Gorriti 4800, CABA": GeoPoint(-34.5905, -58.4300),
    "Cabildo 2200, CABA": GeoPoint(-34.5600, -58.4570),
    "Corrientes 5100, CABA": GeoPoint(-34.5990, -58.4390),
    "Av. Córdoba 4000, CABA": GeoPoint(-34.5960, -58.4190),
    "Av. Triunvirato 4500, CABA": GeoPoint(-34.5740, -58.4880),
    "Av. Las Heras 2500, CABA": GeoPoint(-34.5870, -58.3970),
    "Lavalle 900, CABA": GeoPoint(-34.6020, -58.3820),
}
