"""The folium map page, drawn from what geo_service serves; all assets served locally."""
